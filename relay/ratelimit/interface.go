package ratelimit

import (
	"time"

	"github.com/iphelper/iphelper/relay/internal/lru"
)

// DefaultMaxClients bounds the per-client state of one interface when
// Config.MaxClients is not positive: more hosts than a /16 holds.
const DefaultMaxClients = 65536

// Config is the limits of one downstream interface. A rate that is not
// positive is unlimited; a burst below 1 is one second's worth of the rate.
type Config struct {
	// InterfaceRate is the requests per second accepted from the
	// interface as a whole, and InterfaceBurst how many may come at once.
	InterfaceRate  float64
	InterfaceBurst int
	// ClientRate is the requests per second accepted from one client (one
	// Ethernet source MAC, see the package documentation), and
	// ClientBurst how many may come at once.
	ClientRate  float64
	ClientBurst int
	// MaxClients bounds how many clients' buckets are kept; not positive
	// means DefaultMaxClients. Unused when ClientRate is unlimited.
	MaxClients int
}

// Stats describe the per-client state of an Interface.
type Stats struct {
	// Clients is the number of client buckets held (at most MaxClients).
	Clients int
	// Evictions counts buckets dropped to make room for a new client.
	Evictions uint64
	// EvictedDraining counts the evictions of buckets that had not yet
	// refilled: the table is too small for the clients it sees, or random
	// MACs are flooding it.
	EvictedDraining uint64
}

// KnownShare is the fraction of the interface limit, in rate and burst,
// that only known clients may use: clients whose MAC has a bucket in the
// table, because an earlier request of theirs was admitted. The rest, the
// new share, is open to every client. See the package documentation.
const KnownShare = 0.25

// Interface limits the requests of one downstream interface. It is not safe
// for concurrent use: it belongs to the one goroutine that reads the
// interface. Its Allow does not allocate once the client table is full.
type Interface struct {
	epoch time.Time
	// anyone is the interface's bucket open to every client: the whole
	// interface limit when clients are unlimited, else its new share.
	anyone limit
	// known is the interface's bucket reserved for known clients: the
	// known share of the limit, unlimited when anyone is.
	known    limit
	client   limit
	anyTAT   int64
	knownTAT int64
	table    *lru.List[[6]byte, int64] // client MAC → bucket (see limit.conform), least recently seen first; nil when clients are unlimited
	stats    Stats
}

// NewInterface returns the limiter of one interface, with full buckets at
// now.
func NewInterface(cfg Config, now time.Time) *Interface {
	l := &Interface{
		epoch:  now,
		anyone: newLimit(cfg.InterfaceRate, cfg.InterfaceBurst),
		client: newLimit(cfg.ClientRate, cfg.ClientBurst),
	}
	if l.client.unlimited() {
		return l
	}
	n := cfg.MaxClients
	if n <= 0 {
		n = DefaultMaxClients
	}
	l.table = lru.New[[6]byte, int64](n, 0) // slots grow with the clients seen
	if !l.anyone.unlimited() {
		l.anyone, l.known = splitLimit(cfg.InterfaceRate, cfg.InterfaceBurst)
	}
	return l
}

// splitLimit divides an interface limit of rate and burst into the new
// share and the known share (KnownShare of both). Each share's burst is at
// least 1, so the two bursts add up to the limit's burst, or one more when
// the burst is 1.
func splitLimit(rate float64, burst int) (anyone, known limit) {
	burst = effectiveBurst(rate, burst)
	kb := max(1, int(float64(burst)*KnownShare))
	ab := max(1, burst-kb)
	return newLimit(rate*(1-KnownShare), ab), newLimit(rate*KnownShare, kb)
}

// Allow decides one request from the client with Ethernet source MAC mac
// arriving at now, and counts it against the limits if it is allowed. A
// refused request costs nothing: one refused by the client limit does not
// drain the interface's buckets (a flooding client does not starve the
// others), and one refused by the interface limit adds no client state.
// A known client draws on the known share first, then on the new share; a
// new client only on the new share.
func (l *Interface) Allow(mac [6]byte, now time.Time) Verdict {
	t := int64(now.Sub(l.epoch))
	if l.table == nil {
		return l.allowAnyone(t)
	}
	slot, known := l.table.Get(mac)
	var tat int64 // an unknown client's bucket is full
	if known {
		tat = *l.table.Value(slot)
		l.table.Touch(slot)
	}
	next, ok := l.client.conform(tat, t)
	if !ok {
		return ClientLimited
	}
	if known {
		if v := l.allowKnown(t); v != Allowed {
			return v
		}
		*l.table.Value(slot) = next
		return Allowed
	}
	if v := l.allowAnyone(t); v != Allowed {
		return v
	}
	l.remember(mac, next, t)
	return Allowed
}

// remember gives the new client mac the bucket tat. When the table is
// full, the least recently seen client makes room and is counted, as
// draining if its bucket was not yet full again at t.
func (l *Interface) remember(mac [6]byte, tat, t int64) {
	if l.table.Full() {
		oldest, _ := l.table.Oldest()
		l.stats.Evictions++
		if !l.client.full(*l.table.Value(oldest), t) {
			l.stats.EvictedDraining++
		}
		l.table.Remove(oldest)
	}
	l.table.Push(mac, tat)
}

// allowAnyone checks and counts the interface's bucket open to every
// client.
func (l *Interface) allowAnyone(t int64) Verdict {
	if l.anyone.unlimited() {
		return Allowed
	}
	next, ok := l.anyone.conform(l.anyTAT, t)
	if !ok {
		return InterfaceLimited
	}
	l.anyTAT = next
	return Allowed
}

// allowKnown checks and counts a known client's request against the
// interface: the known share's bucket, else the new share's.
func (l *Interface) allowKnown(t int64) Verdict {
	if l.known.unlimited() {
		return l.allowAnyone(t)
	}
	if next, ok := l.known.conform(l.knownTAT, t); ok {
		l.knownTAT = next
		return Allowed
	}
	return l.allowAnyone(t)
}

// Stats returns the state of the client table. Like Allow, it must be
// called from the goroutine that owns l.
func (l *Interface) Stats() Stats {
	s := l.stats
	if l.table != nil {
		s.Clients = l.table.Len()
	}
	return s
}

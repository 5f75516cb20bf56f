package ratelimit

import "time"

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

// Interface limits the requests of one downstream interface. It is not safe
// for concurrent use: it belongs to the one goroutine that reads the
// interface. Its Allow does not allocate once the client table is full.
type Interface struct {
	epoch  time.Time
	iface  limit
	client limit
	ifTAT  int64
	table  *table // nil when clients are unlimited
	stats  Stats
}

// NewInterface returns the limiter of one interface, with full buckets at
// now.
func NewInterface(cfg Config, now time.Time) *Interface {
	l := &Interface{
		epoch:  now,
		iface:  newLimit(cfg.InterfaceRate, cfg.InterfaceBurst),
		client: newLimit(cfg.ClientRate, cfg.ClientBurst),
	}
	if !l.client.unlimited() {
		n := cfg.MaxClients
		if n <= 0 {
			n = DefaultMaxClients
		}
		l.table = newTable(n)
	}
	return l
}

// Allow decides one request from the client with Ethernet source MAC mac
// arriving at now, and counts it against the limits if it is allowed. A
// refused request costs nothing: one refused by the client limit does not
// drain the interface's bucket (a flooding client does not starve the
// others), and one refused by the interface limit adds no client state.
func (l *Interface) Allow(mac [6]byte, now time.Time) Verdict {
	t := int64(now.Sub(l.epoch))
	if l.table == nil {
		return l.allowInterface(t)
	}
	slot, known := l.table.lookup(mac)
	var tat int64 // an unknown client's bucket is full
	if known {
		tat = l.table.entries[slot].tat
		l.table.touch(slot)
	}
	next, ok := l.client.conform(tat, t)
	if !ok {
		return ClientLimited
	}
	if v := l.allowInterface(t); v != Allowed {
		return v
	}
	if known {
		l.table.entries[slot].tat = next
		return Allowed
	}
	if old, evicted := l.table.insert(mac, next); evicted {
		l.stats.Evictions++
		if !l.client.full(old, t) {
			l.stats.EvictedDraining++
		}
	}
	return Allowed
}

// allowInterface checks and counts the interface's own bucket.
func (l *Interface) allowInterface(t int64) Verdict {
	if l.iface.unlimited() {
		return Allowed
	}
	next, ok := l.iface.conform(l.ifTAT, t)
	if !ok {
		return InterfaceLimited
	}
	l.ifTAT = next
	return Allowed
}

// Stats returns the state of the client table. Like Allow, it must be
// called from the goroutine that owns l.
func (l *Interface) Stats() Stats {
	s := l.stats
	if l.table != nil {
		s.Clients = l.table.len()
	}
	return s
}

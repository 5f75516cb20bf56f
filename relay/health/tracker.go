package health

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/iphelper/iphelper/relay/internal/lru"
)

// The defaults NewTracker applies to a zero Config field; the first two
// match the fallback configuration's (config.DefaultDownAfter and
// config.DefaultTransactionTimeout).
const (
	DefaultDownAfter  = 3
	DefaultTimeout    = 2 * time.Second
	DefaultMaxPending = 4096
)

// Txn is the key of a forwarded transaction: the client's xid and chaddr
// (all 16 bytes, zero-padded past hlen).
type Txn struct {
	XID    uint32
	CHAddr [16]byte
}

// Config configures a Tracker. A zero field takes its default.
type Config struct {
	// DownAfter is how many transactions in a row must go unanswered for
	// the helpers to be Down, and how many different clients (chaddrs)
	// those transactions must come from: one client's own timeouts count
	// once, so that no single client can take the helpers Down.
	DownAfter int
	// Timeout is how long a transaction may wait for its reply; one that
	// waits longer counts as unanswered, and a reply after that is not
	// counted at all.
	Timeout time.Duration
	// MaxPending bounds the transactions awaiting a reply, and so the
	// memory: beyond it the oldest is evicted, which counts neither as an
	// answer nor as a failure.
	MaxPending int
	// Start is the time the tracker starts, reported by State as the
	// start of the initial Up state.
	Start time.Time
}

// Tracker is the health state machine of one helper set (the relay keys
// it by the sorted helper list). It is safe for concurrent use; each call
// holds a mutex for a few map operations, and Forwarded and Answered
// allocate nothing once the tracker has seen MaxPending transactions.
//
// Each call that takes a time first expires the transactions older than
// Timeout, so the outcome does not depend on how often Expire is called;
// the times passed in should not go backwards by more than a little (two
// goroutines reading one clock), which at worst delays an expiry.
type Tracker struct {
	mu         sync.Mutex
	cfg        Config
	downReason string
	pending    *lru.List[Txn, time.Time] // forwarded transactions by send time, oldest first; all slots reserved

	state  State
	since  time.Time
	reason string
	streak int // unanswered transactions in a row
	// streakClients are the different chaddrs of the streak's
	// transactions, at most DownAfter of them (capacity preallocated).
	streakClients [][16]byte
	// serverIDs are the server identifiers the set's replies carried
	// (KnowsServerID), at most maxServerIDs (preallocated).
	serverIDs map[netip.Addr]struct{}

	changes  [maxChanges]Change
	nChanges int

	counters
	latency latencyRing
}

// counters are the event counts behind Stats.
type counters struct {
	forwarded, retransmitted, answered, timedOut, evicted uint64
}

// NewTracker returns a tracker in state Up with no transaction pending.
func NewTracker(cfg Config) *Tracker {
	if cfg.DownAfter <= 0 {
		cfg.DownAfter = DefaultDownAfter
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	return &Tracker{
		cfg:           cfg,
		downReason:    downReason(cfg),
		pending:       lru.New[Txn, time.Time](cfg.MaxPending, cfg.MaxPending),
		state:         Up,
		since:         cfg.Start,
		reason:        reasonStart,
		streakClients: make([][16]byte, 0, cfg.DownAfter),
		serverIDs:     make(map[netip.Addr]struct{}, maxServerIDs),
	}
}

// Config returns the configuration in use, defaults filled in.
func (t *Tracker) Config() Config {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cfg
}

// Forwarded records that the request k was sent upstream at now. A
// retransmission (k is still pending) is counted as one and changes
// nothing else: the transaction keeps its first send time.
func (t *Tracker) Forwarded(k Txn, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire(now)
	if _, ok := t.pending.Get(k); ok {
		t.retransmitted++
		return
	}
	if t.pending.Full() {
		oldest, _ := t.pending.Oldest()
		t.pending.Remove(oldest)
		t.evicted++
	}
	t.pending.Push(k, now)
	t.forwarded++
}

// Answered records that a reply for k came back at now. If k is pending
// it is answered: the failure streak is reset, a Down tracker goes Up
// ("upstream replied"), and the latency is returned with ok true. A reply
// for anything else (a second reply, one after Timeout, one for a
// transaction never forwarded or evicted) returns ok false and changes
// nothing.
func (t *Tracker) Answered(k Txn, now time.Time) (latency time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire(now)
	i, ok := t.pending.Get(k)
	if !ok {
		return 0, false
	}
	latency = max(now.Sub(*t.pending.Value(i)), 0)
	t.pending.Remove(i)
	t.answered++
	t.latency.add(latency)
	t.streak = 0
	t.streakClients = t.streakClients[:0]
	t.setState(Up, now, reasonReplied)
	return latency, true
}

// Expire counts every transaction forwarded more than Timeout before now
// as unanswered; once the unanswered transactions in a row come from
// DownAfter different clients (chaddrs), an Up tracker turns Down. The
// relay calls it periodically, so that the state goes Down even when no
// other call comes.
func (t *Tracker) Expire(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire(now)
}

// expire is Expire with t.mu held.
func (t *Tracker) expire(now time.Time) {
	for {
		i, ok := t.pending.Oldest()
		if !ok || now.Sub(*t.pending.Value(i)) <= t.cfg.Timeout {
			return
		}
		chaddr := t.pending.Key(i).CHAddr
		t.pending.Remove(i)
		t.timedOut++
		t.streak++
		t.failedClient(chaddr)
		if len(t.streakClients) >= t.cfg.DownAfter {
			t.setState(Down, now, t.downReason)
		}
	}
}

// failedClient adds chaddr to the streak's clients unless it is there
// already or DownAfter of them are (enough to be Down). The caller holds
// t.mu.
func (t *Tracker) failedClient(chaddr [16]byte) {
	if len(t.streakClients) >= t.cfg.DownAfter || slices.Contains(t.streakClients, chaddr) {
		return
	}
	t.streakClients = append(t.streakClients, chaddr)
}

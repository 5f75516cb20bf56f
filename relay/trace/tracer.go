package trace

import (
	"sync"
	"sync/atomic"
	"time"
)

// DefaultDepth is the number of events a subscriber's channel holds before
// further events are dropped.
const DefaultDepth = 1024

// Tracer hands the relay's events to the current subscribers. All methods
// are safe for concurrent use, and a nil *Tracer is valid: it is never
// enabled and Emit does nothing.
type Tracer struct {
	active  atomic.Int32 // subscribers; read on every packet
	dropped atomic.Uint64
	depth   int
	now     func() time.Time

	mu   sync.RWMutex // guards subs; Emit holds it for reading while it sends
	subs []*subscriber
}

type subscriber struct {
	iface string
	ch    chan Event
}

// New returns a Tracer whose subscribers each buffer depth events (<= 0
// means DefaultDepth), reading the time from now (nil means time.Now).
func New(depth int, now func() time.Time) *Tracer {
	if depth <= 0 {
		depth = DefaultDepth
	}
	if now == nil {
		now = time.Now
	}
	return &Tracer{depth: depth, now: now}
}

// Enabled reports whether anybody is tracing. It is one atomic load; call
// it before building an Event.
func (t *Tracer) Enabled() bool { return t != nil && t.active.Load() > 0 }

// Emit hands e to every subscriber that traces e.Interface, without
// blocking: a subscriber whose channel is full misses the event, and the
// drop is counted. Emit sets e.Time when it is zero.
func (t *Tracer) Emit(e Event) {
	if !t.Enabled() {
		return
	}
	if e.Time.IsZero() {
		e.Time = t.now()
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, s := range t.subs {
		if s.iface != "" && s.iface != e.Interface {
			continue
		}
		select {
		case s.ch <- e:
		default:
			t.dropped.Add(1)
		}
	}
}

// Subscribe starts receiving the events of the downstream interface iface,
// or of every interface when iface is empty. cancel stops the
// subscription and closes the channel; it is idempotent, and must be called
// to release the subscription.
func (t *Tracer) Subscribe(iface string) (events <-chan Event, cancel func()) {
	s := &subscriber{iface: iface, ch: make(chan Event, t.depth)}
	t.mu.Lock()
	t.subs = append(t.subs, s)
	t.active.Add(1)
	t.mu.Unlock()
	var once sync.Once
	return s.ch, func() { once.Do(func() { t.unsubscribe(s) }) }
}

func (t *Tracer) unsubscribe(s *subscriber) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, x := range t.subs {
		if x == s {
			t.subs = append(t.subs[:i:i], t.subs[i+1:]...)
			t.active.Add(-1)
			close(s.ch)
			return
		}
	}
}

// Dropped returns how many events subscribers have missed because their
// channel was full.
func (t *Tracer) Dropped() uint64 {
	if t == nil {
		return 0
	}
	return t.dropped.Load()
}

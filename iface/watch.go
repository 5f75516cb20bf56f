package iface

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netns"
)

// Defaults of a Watcher.
const (
	// DefaultCoalesce is how long a Watcher gathers changes that follow a
	// publication before it publishes them again: a change after a quiet
	// interval is published at once, one within it after at most this
	// long, and a burst (a thousand VLANs created by a script) costs
	// consumers one rebuild per interval rather than one per link (42 for
	// 1,000 links here). 10 ms keeps a new VLAN served before its first
	// client's DISCOVER, which udhcpc sends 10–50 ms after the link is up.
	DefaultCoalesce = 10 * time.Millisecond

	// watchRcvBuf is the receive buffer of the subscription sockets; an
	// overrun (ENOBUFS) costs a re-subscription and a full listing.
	watchRcvBuf = 1 << 20

	// Back-off between failed sessions.
	watchMinBackoff = 100 * time.Millisecond
	watchMaxBackoff = 5 * time.Second

	// resyncEvery is how often a Watcher re-lists everything even when no
	// error was reported: a safety net that bounds how long any missed
	// update (a lost message the kernel did not flag) can go unseen, at the
	// cost of one dump per interval.
	resyncEvery = 30 * time.Second

	// listRetries bounds the retries of a listing interrupted by changes.
	listRetries = 5

	// netlinkTimeout bounds each netlink request of a listing.
	netlinkTimeout = 5 * time.Second
)

// Watcher follows the links of a network namespace and their IPv4
// addresses through netlink, and publishes the table as snapshots. Create it
// with NewWatcher and start it with Run; all other methods may be called
// concurrently, also before Run.
type Watcher struct {
	log      *slog.Logger
	ns       *netns.NsHandle
	coalesce time.Duration
	rcvBuf   int           // receive buffer of the subscription sockets
	resync   time.Duration // periodic full re-list (resyncEvery)

	running   atomic.Bool
	ready     chan struct{}
	readyOnce sync.Once
	changes   chan struct{}
	snap      atomic.Pointer[map[string]Link]
}

var _ fmt.Stringer = (*Watcher)(nil)

// WatcherOption configures a Watcher.
type WatcherOption func(*Watcher)

// WithNamespace makes the Watcher follow the links of network namespace ns
// instead of the caller's. The handle must stay open while the Watcher runs.
func WithNamespace(ns netns.NsHandle) WatcherOption {
	return func(w *Watcher) { w.ns = &ns }
}

// WithCoalesce sets how long the Watcher gathers changes before publishing
// them (DefaultCoalesce if d <= 0).
func WithCoalesce(d time.Duration) WatcherOption {
	return func(w *Watcher) {
		if d > 0 {
			w.coalesce = d
		}
	}
}

// NewWatcher returns a Watcher that logs to log (nil discards).
func NewWatcher(log *slog.Logger, opts ...WatcherOption) *Watcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{
		log:      log,
		coalesce: DefaultCoalesce,
		rcvBuf:   watchRcvBuf,
		resync:   resyncEvery,
		ready:    make(chan struct{}),
		changes:  make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(w)
	}
	empty := map[string]Link{}
	w.snap.Store(&empty)
	return w
}

// String names the task.
func (w *Watcher) String() string { return "netlink watcher" }

// Ready is closed once the first full listing of links and addresses has
// been published.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Changes receives a value, coalesced, whenever a published table differs
// from the one before; the receiver then calls Links. The channel has
// capacity 1 and is never closed.
func (w *Watcher) Changes() <-chan struct{} { return w.changes }

// Links returns a copy of the latest published table, by link name; it is
// empty before Ready. The Links' slices are shared and must not be modified.
func (w *Watcher) Links() map[string]Link { return maps.Clone(*w.snap.Load()) }

// Run follows the links until ctx ends, then returns nil once every
// goroutine it started has exited. It subscribes to link and address
// updates, lists everything, publishes the table (closing Ready the first
// time) and then applies updates as they come. When a subscription fails
// (e.g. the kernel dropped messages because the socket overran), it logs the
// error and starts over after a back-off, so it only returns an error if it
// is called while already running.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("netlink watcher is already running")
	}
	defer w.running.Store(false)
	t := newLinkTable()
	backoff := watchMinBackoff
	for {
		start := time.Now()
		listed, err := w.session(ctx, t)
		if ctx.Err() != nil {
			return nil
		}
		// Back off only from sessions that get nowhere: one that listed the
		// table and then overran (a burst of changes) made progress and
		// starts over at once.
		if listed || time.Since(start) > 2*watchMaxBackoff {
			backoff = watchMinBackoff
		}
		w.log.Error("netlink watcher failed, starting over", "err", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, watchMaxBackoff)
	}
}

// publish stores a snapshot of t and, unless first, notifies Changes.
func (w *Watcher) publish(t *linkTable, first bool) {
	s := t.snapshot()
	w.snap.Store(&s)
	w.readyOnce.Do(func() { close(w.ready) })
	if first {
		return
	}
	select {
	case w.changes <- struct{}{}:
	default:
	}
}

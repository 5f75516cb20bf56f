package iface

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// session subscribes, lists everything into t, publishes it and applies
// updates until ctx ends or a subscription fails. listed reports whether
// the full listing succeeded (the session made progress).
func (w *Watcher) session(ctx context.Context, t *linkTable) (listed bool, err error) {
	sub, err := w.subscribe()
	if err != nil {
		return false, err
	}
	defer sub.close()
	first := !w.isReady()
	changed, err := w.relist(t)
	if err != nil {
		return false, err
	}
	if changed || first {
		w.publish(t, first)
	}
	if first {
		w.log.Info("netlink watcher ready", "links", len(t.links))
	}
	return true, w.follow(ctx, t, sub)
}

// follow applies updates to t and publishes them, coalesced, until ctx ends
// or a subscription fails.
func (w *Watcher) follow(ctx context.Context, t *linkTable, sub *subscription) error {
	timer := time.NewTimer(w.coalesce)
	timer.Stop()
	defer timer.Stop()
	resync := time.NewTicker(w.resync)
	defer resync.Stop()
	// Coalescing is trailing-edge only: the first change after a quiet
	// coalesce interval is published at once (a new VLAN is served before
	// its first client's DISCOVER, which often leaves within 30 ms of the
	// link coming up), and changes that follow within the interval are
	// gathered into one publication at its end (a burst of a thousand
	// links costs a handful of rebuilds).
	pending := false
	var last time.Time // the last publication
	dirty := func() {
		if pending {
			return
		}
		if since := time.Since(last); since < w.coalesce {
			pending = true
			timer.Reset(w.coalesce - since)
			return
		}
		w.publish(t, false)
		last = time.Now()
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case u, ok := <-sub.links:
			if !ok {
				return fmt.Errorf("link subscription ended: %w", sub.err())
			}
			if t.applyLink(u) {
				w.logLink(u)
				dirty()
			}
		case u, ok := <-sub.addrs:
			if !ok {
				return fmt.Errorf("address subscription ended: %w", sub.err())
			}
			if t.applyAddr(u) {
				w.log.Debug("address changed", "index", u.LinkIndex,
					"addr", u.LinkAddress.String(), "new", u.NewAddr)
				dirty()
			}
		case <-resync.C:
			changed, err := w.relist(t)
			if err != nil {
				return err
			}
			if changed {
				w.log.Warn("netlink watcher: periodic re-list found changes no update reported")
				dirty()
			}
		case <-sub.resync:
			changed, err := w.relist(t)
			if err != nil {
				return err
			}
			if changed {
				dirty()
			}
		case <-timer.C:
			pending = false
			w.publish(t, false)
			last = time.Now()
		}
	}
}

// isReady reports whether Ready is closed.
func (w *Watcher) isReady() bool {
	select {
	case <-w.ready:
		return true
	default:
		return false
	}
}

// logLink logs a link update at debug level.
func (w *Watcher) logLink(u netlink.LinkUpdate) {
	if !w.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	l := linkFromNetlink(u.Link)
	w.log.Debug("link changed", "link", l.Name, "index", l.Index,
		"deleted", u.Header.Type == unix.RTM_DELLINK, "up", l.Up, "vlan", l.VLANID)
}

// relist lists all links and IPv4 addresses into t and reports whether
// anything changed.
func (w *Watcher) relist(t *linkTable) (bool, error) {
	h, err := w.handle()
	if err != nil {
		return false, err
	}
	defer h.Close()
	for i := 0; ; i++ {
		links, err := h.LinkList()
		var addrs []netlink.Addr
		if err == nil {
			addrs, err = h.AddrList(nil, netlink.FAMILY_V4)
		}
		if err == nil {
			return t.reset(links, addrs), nil
		}
		if !errors.Is(err, netlink.ErrDumpInterrupted) || i == listRetries {
			return false, fmt.Errorf("failed to list links and addresses: %w", err)
		}
	}
}

// handle opens a netlink route socket in the Watcher's namespace.
func (w *Watcher) handle() (*netlink.Handle, error) {
	var (
		h   *netlink.Handle
		err error
	)
	if w.ns != nil {
		h, err = netlink.NewHandleAt(*w.ns, unix.NETLINK_ROUTE)
	} else {
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to open netlink socket: %w", err)
	}
	if err := h.SetSocketTimeout(netlinkTimeout); err != nil {
		h.Close()
		return nil, fmt.Errorf("failed to set netlink socket timeout: %w", err)
	}
	return h, nil
}

// subscription is a pair of netlink subscriptions, to link and to IPv4
// address updates. The library runs a reader goroutine per subscription
// that closes its channel when it ends; close waits for both.
type subscription struct {
	log    *slog.Logger
	links  chan netlink.LinkUpdate
	addrs  chan netlink.AddrUpdate
	resync chan struct{} // a listing may have been incomplete
	done   chan struct{}

	stopping  atomic.Bool
	lastErr   atomic.Pointer[error]
	linksOpen bool
	addrsOpen bool
}

// subscribe starts both subscriptions, in the Watcher's namespace.
func (w *Watcher) subscribe() (*subscription, error) {
	s := &subscription{
		log:    w.log,
		links:  make(chan netlink.LinkUpdate, 256),
		addrs:  make(chan netlink.AddrUpdate, 256),
		resync: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	err := netlink.LinkSubscribeWithOptions(s.links, s.done, netlink.LinkSubscribeOptions{
		Namespace:         w.ns,
		ErrorCallback:     s.onError,
		ReceiveBufferSize: w.rcvBuf,
	})
	if err != nil {
		s.close()
		return nil, fmt.Errorf("failed to subscribe to link updates: %w", err)
	}
	s.linksOpen = true
	err = netlink.AddrSubscribeWithOptions(s.addrs, s.done, netlink.AddrSubscribeOptions{
		Namespace:         w.ns,
		ErrorCallback:     s.onError,
		ReceiveBufferSize: w.rcvBuf,
	})
	if err != nil {
		s.close()
		return nil, fmt.Errorf("failed to subscribe to address updates: %w", err)
	}
	s.addrsOpen = true
	return s, nil
}

// onError is the subscriptions' error callback, called from the library's
// goroutines: for errors after which a subscription goes on (an interrupted
// dump, a message it could not parse) and for the one that ends it.
func (s *subscription) onError(err error) {
	if s.stopping.Load() {
		return
	}
	s.lastErr.Store(&err)
	s.log.Warn("netlink subscription error", "err", err)
	select {
	case s.resync <- struct{}{}:
	default:
	}
}

// err returns the last error the library reported.
func (s *subscription) err() error {
	if p := s.lastErr.Load(); p != nil {
		return *p
	}
	return errors.New("closed without error")
}

// close ends both subscriptions and waits for their reader goroutines to
// exit (they close their channels as they do).
func (s *subscription) close() {
	s.stopping.Store(true)
	close(s.done)
	if s.linksOpen {
		for range s.links {
		}
	}
	if s.addrsOpen {
		for range s.addrs {
		}
	}
}

package relay

import (
	"context"
	"maps"
	"net/netip"
	"sync"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
)

// linkSelector decides which links the relay serves, for one reconcile: the
// configuration's match, except that a pattern never takes loopback or a
// link that holds the route to a helper (see config.MatchLink).
type linkSelector struct {
	cfg      *config.Config
	routed   map[int]netip.Addr // link index → a helper the kernel routes through it
	excluded map[string]string  // link name → why a pattern left it alone
}

// newLinkSelector looks up the routes to cfg's helpers; without a route
// finder only loopback is known to be upstream.
func (r *Relay) newLinkSelector(cfg *config.Config) *linkSelector {
	s, err := selectorFor(cfg, r.routeFinder)
	if err != nil {
		r.log.Debug("helpers without a route are not used to tell the upstream links", "err", err)
	}
	r.routed.Store(&s.routed)
	return s
}

// selectorFor returns the link selector of cfg with the routes rf gives to
// its helpers (none when rf is nil: only loopback is known to be
// upstream). It is the one selection of reconcile and of CheckConfig. The
// error joins the failed route lookups; the selector is usable anyway (a
// helper without a route marks no link).
func selectorFor(cfg *config.Config, rf iface.RouteFinder) (*linkSelector, error) {
	s := &linkSelector{cfg: cfg, excluded: make(map[string]string)}
	if rf == nil {
		return s, nil
	}
	var err error
	s.routed, err = iface.HelperRoutes(rf, cfg.AllHelpers())
	return s, err
}

// routeCheckEvery is how often the relay asks the kernel again for the
// routes to the helpers: a route that appears or moves (the default route
// added after the addresses at boot, a failover) comes with no link or
// address event.
const routeCheckEvery = 2 * time.Second

// watchRoutes looks up the routes to the helpers every r.routeEvery and
// signals the returned channel when they differ from those the last
// reconcile used. stop ends the lookups and waits for them.
func (r *Relay) watchRoutes(ctx context.Context) (changes <-chan struct{}, stop func()) {
	ch := make(chan struct{}, 1)
	if r.routeFinder == nil {
		return ch, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(r.routeEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			cur, _ := iface.HelperRoutes(r.routeFinder, r.cfg.Load().AllHelpers())
			if last := r.routed.Load(); last != nil && maps.Equal(cur, *last) {
				continue
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch, func() { cancel(); wg.Wait() }
}

// match returns the entry that serves link, if any.
func (s *linkSelector) match(link iface.Link) (*config.Interface, bool) {
	up := config.Upstream{Loopback: link.Loopback, Helper: s.routed[link.Index]}
	in, ok, excluded := s.cfg.MatchLink(link.Name, up)
	if excluded != nil {
		s.excluded[link.Name] = "pattern " + excluded.Name + " leaves it alone: " + up.String()
	}
	return in, ok
}

// logExcluded says, once each time it changes, which links a pattern
// leaves alone and why.
func (r *Relay) logExcluded(s *linkSelector) {
	for name, why := range s.excluded {
		if r.excluded[name] != why {
			r.log.Info("interface is not served: name it exactly to serve it", "iface", name, "why", why)
		}
	}
	r.excluded = s.excluded
}

package relay

import (
	"net/netip"

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
	s := &linkSelector{cfg: cfg, excluded: make(map[string]string)}
	if r.routeFinder != nil {
		var err error
		if s.routed, err = iface.HelperRoutes(r.routeFinder, cfg.AllHelpers()); err != nil {
			r.log.Debug("helpers without a route are not used to tell the upstream links", "err", err)
		}
	}
	return s
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

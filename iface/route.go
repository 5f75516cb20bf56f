package iface

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// RouteFinder tells which link the kernel sends packets for a destination
// out of. Package ifacetest has an implementation for tests.
type RouteFinder interface {
	// RouteLink returns the index of the link of the kernel's route to dst.
	RouteLink(dst netip.Addr) (int, error)
}

// NetlinkRoutes is a RouteFinder that asks the kernel (RTM_GETROUTE) in the
// calling thread's network namespace. Safe for concurrent use.
type NetlinkRoutes struct{}

var _ RouteFinder = NetlinkRoutes{}

// errNoRoute is returned when the kernel answers without a route.
var errNoRoute = errors.New("no route")

// RouteLink returns the index of the link the kernel routes dst through;
// a local address is routed through loopback.
func (NetlinkRoutes) RouteLink(dst netip.Addr) (int, error) {
	rs, err := netlink.RouteGet(dst.AsSlice())
	if err != nil {
		return 0, fmt.Errorf("failed to look up the route to %s: %w", dst, err)
	}
	for _, r := range rs {
		if r.LinkIndex > 0 {
			return r.LinkIndex, nil
		}
	}
	return 0, fmt.Errorf("failed to look up the route to %s: %w", dst, errNoRoute)
}

// HelperRoutes returns, for each link that holds the route to one of
// helpers, the first such helper, by the link's index. A helper without a
// route is left out: nothing is known about it until it has one. The error
// joins the failed lookups.
func HelperRoutes(rf RouteFinder, helpers []netip.Addr) (map[int]netip.Addr, error) {
	out := make(map[int]netip.Addr)
	var errs []error
	for _, h := range helpers {
		idx, err := rf.RouteLink(h)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, ok := out[idx]; !ok {
			out[idx] = h
		}
	}
	return out, errors.Join(errs...)
}

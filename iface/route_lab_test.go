package iface

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestNetlinkRoutesLab asks the kernel of a namespace for the link of a
// route: the veth for its subnet, loopback for a local address, none
// without a route. Loopback is marked as such in a Link.
func TestNetlinkRoutesLab(t *testing.T) {
	l := newLab(t)
	a0 := l.iface(l.h1, "a0")
	l.in(l.h1, func() {
		var rf NetlinkRoutes
		if got, err := rf.RouteLink(netip.MustParseAddr("203.0.113.2")); err != nil || got != a0.Index {
			t.Errorf("RouteLink(peer) = %d, %v; want a0 (%d)", got, err, a0.Index)
		}
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := rf.RouteLink(netip.MustParseAddr("203.0.113.1")); err != nil || got != lo.Attrs().Index {
			t.Errorf("RouteLink(own address) = %d, %v; want lo (%d)", got, err, lo.Attrs().Index)
		}
		if _, err := rf.RouteLink(netip.MustParseAddr("198.51.100.2")); !errors.Is(err, syscall.ENETUNREACH) {
			t.Errorf("RouteLink(no route): err %v, want ENETUNREACH", err)
		}
		if !linkFromNetlink(lo).Loopback {
			t.Error("lo is not marked Loopback")
		}
		veth, err := netlink.LinkByName("a0")
		if err != nil {
			t.Fatal(err)
		}
		if linkFromNetlink(veth).Loopback {
			t.Error("a0 is marked Loopback")
		}
	})
}

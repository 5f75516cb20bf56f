package iface_test

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

func TestHelperRoutes(t *testing.T) {
	a, b, c := netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("198.51.100.3"), netip.MustParseAddr("198.51.100.9")
	got, err := iface.HelperRoutes(ifacetest.Routes{a: 2, b: 2, netip.MustParseAddr("127.0.0.1"): 1}, []netip.Addr{b, a, c})
	if diff := cmp.Diff(map[int]netip.Addr{2: b}, got, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
		t.Errorf("HelperRoutes (-want +got):\n%s", diff)
	}
	if err == nil || err.Error() != "no route to 198.51.100.9" {
		t.Errorf("error %v, want the helper without a route", err)
	}
}

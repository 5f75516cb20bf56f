package ifacetest

import (
	"fmt"
	"net/netip"

	"github.com/iphelper/iphelper/iface"
)

// Routes is an iface.RouteFinder whose routes the test sets: destination
// → link index. A destination it does not hold has no route. It must not
// be modified while in use.
type Routes map[netip.Addr]int

var _ iface.RouteFinder = Routes(nil)

// RouteLink returns the link index set for dst.
func (r Routes) RouteLink(dst netip.Addr) (int, error) {
	if idx, ok := r[dst]; ok {
		return idx, nil
	}
	return 0, fmt.Errorf("no route to %s", dst)
}

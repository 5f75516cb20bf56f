package fallback

import (
	"context"
	"net/netip"
)

// Prober detects address conflicts before an address is offered (the lead
// adapts the iface package's ARP prober to it).
type Prober interface {
	// InUse probes every address of addrs at once on the scope's link
	// and reports, for each in order, whether another host answered for
	// it. It honours ctx. It is called with the server's memory lock not
	// held, one call at a time per Server.
	InUse(ctx context.Context, addrs []netip.Addr) ([]bool, error)
}

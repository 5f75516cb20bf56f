package fallback

import (
	"context"
	"net/netip"
)

// Prober detects address conflicts before an address is offered (the lead
// adapts the iface package's ARP prober to it).
type Prober interface {
	// InUse probes addr on the scope's link and reports whether another
	// host answered; false, nil when nobody did. It honours ctx. It is
	// called without the server's locks held, one call at a time per
	// Server.
	InUse(ctx context.Context, addr netip.Addr) (bool, error)
}

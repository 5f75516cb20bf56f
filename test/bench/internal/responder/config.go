package responder

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Config configures a Responder.
type Config struct {
	// Listen is the address and port to bind (default 0.0.0.0:67).
	Listen netip.AddrPort
	// Device, when set, binds the socket to that interface: its broadcast
	// replies then leave through it (needed when giaddr is 0).
	Device string
	// ServerID is the responder's own address, sent as option 54.
	ServerID netip.Addr
	// Pool is the subnet the given addresses come from: its hosts from the
	// second to the last but one (the first is the relay's, by the lab's
	// convention). Its mask is sent as option 1.
	Pool netip.Prefix
	// Lease is the lease time sent as option 51 (default 1 h).
	Lease time.Duration
}

const defaultLease = time.Hour

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if !c.Listen.IsValid() {
		c.Listen = netip.AddrPortFrom(netip.IPv4Unspecified(), 67)
	}
	if !c.Listen.Addr().Is4() {
		errs = append(errs, fmt.Errorf("listen: %s is not IPv4", c.Listen))
	}
	if !c.ServerID.Is4() {
		errs = append(errs, errors.New("server-id: an IPv4 address is required"))
	}
	if !c.Pool.Addr().Is4() || c.Pool.Bits() > 30 {
		errs = append(errs, fmt.Errorf("pool: %s must be an IPv4 subnet of at least 4 addresses", c.Pool))
	}
	if c.Lease < 0 || c.Lease > 1<<32*time.Second {
		errs = append(errs, fmt.Errorf("lease: %s is out of range", c.Lease))
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	if c.Lease == 0 {
		c.Lease = defaultLease
	}
	c.Pool = c.Pool.Masked()
	return c, nil
}

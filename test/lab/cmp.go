package lab

import (
	"net/netip"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// CmpNetip is the cmp option that compares netip values (Addr, AddrPort,
// Prefix), whose fields are unexported, with ==: pass it to cmp.Diff for Lease,
// Frame and Packet values.
func CmpNetip() cmp.Option {
	return cmpopts.EquateComparable(netip.Addr{}, netip.AddrPort{}, netip.Prefix{})
}

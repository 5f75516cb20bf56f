package leasestore

import (
	"net"
	"net/netip"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func testLeases() []Lease {
	exp := time.Date(2026, 3, 1, 12, 10, 0, 0, time.UTC)
	return []Lease{
		{Interface: "eth1", Addr: ip("203.0.113.100"), MAC: net.HardwareAddr{2, 0, 0x5e, 0x10, 0, 1}, Hostname: "laptop", Expiry: exp, State: StateBound},
		{Interface: "eth1", Addr: ip("203.0.113.101"), ClientID: []byte("\x00id"), MAC: net.HardwareAddr{2, 0, 0x5e, 0x10, 0, 2}, Expiry: exp, State: StateReleased},
		{Interface: "eth1", Addr: ip("203.0.113.102"), Expiry: exp, State: StateDeclined},
		{Interface: "eth1.10", Addr: ip("203.0.113.130"), MAC: make(net.HardwareAddr, 16), Expiry: exp, State: StateBound},
		{Interface: "eth1.10", Addr: ip("203.0.113.131"), MAC: net.HardwareAddr{2, 0, 0x5e, 0x10, 0, 3}, Expiry: exp, State: StateBound, PartnerExpiry: exp.Add(-time.Minute)},
	}
}

func diff(want, got any) string {
	return cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateEmpty())
}

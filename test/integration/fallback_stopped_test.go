package integration

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/test/lab"
)

// Fallback scenario 1: with the upstream server stopped before the client
// starts, the client is bound from the fallback pool within 3 s of its first
// DISCOVER, with the configured router (by default the relay's own
// address), DNS and lease time; and the lease is in the store.
//
// The 3 s are measured on the client's wire (a capture on its interface),
// from its first DISCOVER to the ACK of its address.
func TestFallbackBindsWhenUpstreamStopped(t *testing.T) {
	for _, client := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc, lab.Dhcpcd} {
		t.Run(string(client), func(t *testing.T) {
			f := newFallback(t, false, "kea-dhcp4", client.Program())
			f.startKea().Proc.Stop()
			down := f.l.Capture(f.tp.Client, f.seg.ClientIf, lab.DHCPFilter)
			f.startRelay(fbOptions{})
			mac := f.l.MAC(f.tp.Client, f.seg.ClientIf)

			lease := f.l.StartClient(client, f.tp.Client, f.seg.ClientIf).WaitLease(leaseTimeout)
			checkFallbackLease(t, lease, f.seg, fbLease)

			first := down.WaitFor("the client's DISCOVER", captureTimeout, func(p lab.Packet) bool {
				return isType(dhcpv4.MessageTypeDiscover, dhcpv4.OpcodeBootRequest)(p) && p.DHCP.ClientHWAddr.String() == mac.String()
			})
			ack := down.WaitFor("the fallback's ACK", captureTimeout, func(p lab.Packet) bool {
				return isType(dhcpv4.MessageTypeAck, dhcpv4.OpcodeBootReply)(p) && addrOf(p.DHCP.YourIPAddr) == lease.Addr
			})
			took := ack.Time.Sub(first.Time)
			t.Logf("%s bound to %s %s after its first DISCOVER (required: within %s)", client, lease.Addr, took.Round(time.Millisecond), boundWithin)
			if took > boundWithin {
				t.Errorf("%s was bound %s after its first DISCOVER, want at most %s; its wire:\n%s\niphelper:\n%s",
					client, took, boundWithin, timeline(down, first.Time), f.relay.Proc.Log())
			}
			var dns []netip.Addr
			for _, ip := range ack.DHCP.DNS() {
				dns = append(dns, addrOf(ip))
			}
			if diff := cmpDiff([]netip.Addr{fbDNS}, dns); diff != "" {
				t.Errorf("DNS servers in the ACK (-want +got):\n%s", diff)
			}

			checkStored(t, f.storedLeases(), lease.Addr, mac, time.Now().Add(fbLease))
		})
	}
}

// timeline lists the DHCP packets of a capture with their times since t0.
func timeline(c *lab.Capture, t0 time.Time) string {
	var b strings.Builder
	for _, p := range c.DHCP() {
		fmt.Fprintf(&b, "  %8s %s\n", p.Time.Sub(t0).Round(time.Millisecond), p)
	}
	return b.String()
}

// checkStored fails the test unless leases hold a bound lease of addr for the
// client mac on the scenarios' interface, expiring in the future and no later
// than latest.
func checkStored(t *testing.T, leases []leasestore.Lease, addr netip.Addr, mac []byte, latest time.Time) {
	t.Helper()
	got, ok := findLease(leases, addr)
	if !ok {
		t.Errorf("no record of %s in the lease database; records: %v", addr, leases)
		return
	}
	want := leasestore.Lease{
		Interface: lab.RelayDown, Addr: addr, ClientID: got.ClientID, MAC: slices.Clone(mac),
		Hostname: got.Hostname, Expiry: got.Expiry, State: leasestore.StateBound,
	}
	if diff := cmpDiff(want, got); diff != "" {
		t.Errorf("stored lease of %s (-want +got):\n%s", addr, diff)
	}
	if now := time.Now(); !got.Expiry.After(now) || got.Expiry.After(latest) {
		t.Errorf("stored lease of %s expires at %s, want after now (%s) and at most %s", addr, got.Expiry, now, latest)
	}
}

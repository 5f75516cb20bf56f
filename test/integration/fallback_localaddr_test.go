package integration

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// The fallback never leases an address the appliance uses: the ARP
// conflict probe cannot see the relay's own addresses, so the pool must
// leave them out. Here the relay's client interface has a secondary
// address inside the pool from the start (203.0.113.100) and gains a
// second one (203.0.113.101, a VRRP address moving in) after iphelper
// started; with no upstream server, a real client gets the next free
// address, 203.0.113.102, and is never offered either of the two.
func TestFallbackSkipsTheRelaysOwnAddresses(t *testing.T) {
	for _, client := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc} {
		t.Run(string(client), func(t *testing.T) {
			f := newFallback(t, false, client.Program())
			atStart, added := netip.MustParseAddr("203.0.113.100"), netip.MustParseAddr("203.0.113.101")
			f.l.Addr(f.tp.Relay, f.seg.RelayIf, netip.PrefixFrom(atStart, f.seg.Prefix.Bits()).String())
			down := f.l.Capture(f.tp.Client, f.seg.ClientIf, lab.DHCPFilter)
			f.startRelay(fbOptions{})
			f.waitLog("fallback server", captureTimeout, `msg="fallback server ready"`, "iface="+f.seg.RelayIf)
			f.l.Addr(f.tp.Relay, f.seg.RelayIf, netip.PrefixFrom(added, 32).String())
			// Give the netlink event time to reach the scope; the lease below
			// is the verdict, so a relay that never updates is not failed here.
			lab.WaitFor(func() bool {
				return strings.Contains(f.relay.Proc.Log(), `msg="fallback scope updated" iface=`+f.seg.RelayIf)
			}, captureTimeout)

			lease := f.l.StartClient(client, f.tp.Client, f.seg.ClientIf).WaitLease(leaseTimeout)
			checkFallbackLease(t, lease, f.seg, fbLease)
			if want := netip.MustParseAddr("203.0.113.102"); lease.Addr != want {
				t.Errorf("leased %s, want %s: the first pool address the relay does not use", lease.Addr, want)
			}
			down.WaitFor("the ACK on the client's wire", captureTimeout, func(p lab.Packet) bool {
				return isType(dhcpv4.MessageTypeAck, dhcpv4.OpcodeBootReply)(p) && addrOf(p.DHCP.YourIPAddr) == lease.Addr
			})
			for _, p := range down.DHCP() { // the ACK came last
				if !isType(dhcpv4.MessageTypeOffer, dhcpv4.OpcodeBootReply)(p) && !isType(dhcpv4.MessageTypeAck, dhcpv4.OpcodeBootReply)(p) {
					continue
				}
				if y := addrOf(p.DHCP.YourIPAddr); y == atStart || y == added {
					t.Errorf("the relay's own address %s was given: %s", y, p)
				}
			}
		})
	}
}

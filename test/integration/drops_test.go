package integration

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// absentWindow is how long a dropped packet is given to show up anyway, after
// the relay has logged the drop.
const absentWindow = time.Second

// dropLab is the standard lab with what the drop cases need to inject
// packets on both sides of the relay.
type dropLab struct {
	s         *scenario
	tp        *lab.Topology
	client    *lab.RawSocket   // on the client's interface
	server    *lab.RawSocket   // on the server's interface
	clientHW  net.HardwareAddr // the client interface's MAC
	serverHW  net.HardwareAddr // the server interface's MAC
	relayUp   net.HardwareAddr // the relay's upstream MAC
	relayDown net.HardwareAddr // the relay's MAC on the client segment
	rogue     netip.AddrPort   // a server-side address that is no helper
}

// dropCase is one hostile packet: send injects it with the transaction id, and
// the packet (found by that id) must not leave the relay on the other side.
type dropCase struct {
	name string
	// reason is the reason=… the relay logs for the drop at debug level.
	reason string
	// toClient is true for replies (must not reach the client side) and false
	// for requests (must not reach the server side).
	toClient bool
	send     func(d *dropLab, xid dhcpv4.TransactionID)
}

// dropCases are keyed by the reason strings iphelper logs.
var dropCases = []dropCase{
	{
		name: "reply from a non-helper source", reason: "non_helper_source", toClient: true,
		send: func(d *dropLab, xid dhcpv4.TransactionID) {
			offer := d.offer(xid)
			d.s.l.SendUDP(d.tp.Servers[0].NS, d.rogue, netip.AddrPortFrom(d.tp.UpstreamAddr, 67), offer.ToBytes())
		},
	},
	{
		name: "reply with a foreign option 82", reason: "foreign_option82", toClient: true,
		send: func(d *dropLab, xid dhcpv4.TransactionID) {
			offer := d.offer(xid, dhcpv4.WithOption(lab.Option82(
				lab.SubOption{Code: lab.SubOptCircuitID, Data: []byte("eth9")},
				lab.SubOption{Code: lab.SubOptRemoteID, Data: []byte("rogue")})))
			d.server.SendFrame(lab.Frame{
				DstMAC: d.relayUp, SrcMAC: d.serverHW,
				Src: netip.AddrPortFrom(d.tp.Servers[0].Addr, 67), Dst: netip.AddrPortFrom(d.tp.UpstreamAddr, 67),
				Payload: offer.ToBytes(),
			})
		},
	},
	{
		// A host on the client VLAN spoofs a helper's address and sends an
		// OFFER to the relay's address there: whatever its source says, a
		// reply that comes in on a downstream interface is not a helper's.
		name: "reply spoofing a helper's address from the client VLAN", reason: "reply_from_downstream", toClient: true,
		send: func(d *dropLab, xid dhcpv4.TransactionID) {
			seg := d.tp.Segments[0]
			offer := d.offer(xid)
			d.client.SendFrame(lab.Frame{
				DstMAC: d.relayDown, SrcMAC: d.clientHW,
				Src: netip.AddrPortFrom(d.tp.Servers[0].Addr, 67), Dst: netip.AddrPortFrom(seg.Gateway, 67),
				Payload: offer.ToBytes(),
			})
		},
	},
	{
		name: "client request with option 82 on an untrusted interface", reason: "untrusted_option82",
		send: func(d *dropLab, xid dhcpv4.TransactionID) {
			disc := d.s.l.Message(dhcpv4.MessageTypeDiscover, xid, d.clientHW,
				dhcpv4.WithOption(lab.Option82(lab.SubOption{Code: lab.SubOptCircuitID, Data: []byte("spoofed")})))
			d.client.SendFrame(lab.BroadcastFromClient(d.clientHW, disc.ToBytes()))
		},
	},
	{
		name: "request over max-hops", reason: "max_hops",
		send: func(d *dropLab, xid dhcpv4.TransactionID) {
			disc := d.s.l.Message(dhcpv4.MessageTypeDiscover, xid, d.clientHW, lab.WithHops(10))
			d.client.SendFrame(lab.BroadcastFromClient(d.clientHW, disc.ToBytes()))
		},
	},
	{
		name: "truncated request", reason: "malformed",
		send: func(d *dropLab, xid dhcpv4.TransactionID) {
			disc := d.s.l.Message(dhcpv4.MessageTypeDiscover, xid, d.clientHW)
			d.client.SendFrame(lab.BroadcastFromClient(d.clientHW, disc.ToBytes()[:100]))
		},
	},
}

// Scenario 6: hostile packets are dropped, each logged with its reason, and
// the daemon keeps serving: a real client gets a lease afterwards.
func TestHostilePacketsAreDropped(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "dhclient")
	s.needIphelper("drop reasons in its debug log")
	tp := s.l.Standard()
	srv := tp.Servers[0]
	s.l.StartKea(srv.NS, srv.Addr, tp.ServerConfig(0))
	up := s.l.Capture(srv.NS, srv.If, lab.DHCPFilter)
	down := s.l.Capture(tp.Client, lab.ClientIf, lab.DHCPFilter)
	relay := s.startRelay(tp)
	rogue := netip.MustParseAddr("198.51.100.9")
	s.l.Addr(srv.NS, srv.If, netip.PrefixFrom(rogue, lab.ServerNet.Bits()).String())
	d := &dropLab{
		s: s, tp: tp,
		client: s.l.RawSocket(tp.Client, lab.ClientIf), server: s.l.RawSocket(srv.NS, srv.If),
		clientHW: s.l.MAC(tp.Client, lab.ClientIf), serverHW: s.l.MAC(srv.NS, srv.If),
		relayUp: s.l.MAC(tp.Relay, tp.Upstream), relayDown: s.l.MAC(tp.Relay, tp.Segments[0].RelayIf),
		rogue: netip.AddrPortFrom(rogue, 67),
	}

	// One daemon sees every case in turn, so the cases are not subtests: the
	// lab belongs to this test.
	for i, tc := range dropCases {
		xid := lab.XID(0x1ab00000 + uint32(i))
		tc.send(d, xid)
		if !relay.WaitLog("reason="+tc.reason, captureTimeout) {
			t.Errorf("%s: no reason=%s in the relay's log within %s", tc.name, tc.reason, captureTimeout)
		}
		other := up
		if tc.toClient {
			other = down
		}
		leaked := other.After(absentWindow, func(p lab.Packet) bool {
			// What the relay sent on: to a client's port 68, or to a server's
			// port 67 on the server side (an injected packet itself, on its
			// way to the relay, is not a leak).
			if tc.toClient && p.Dst.Port() != 68 {
				return false
			}
			return len(p.Payload) >= 8 && bytes.Equal(p.Payload[4:8], xid[:])
		})
		for _, p := range leaked {
			t.Errorf("%s: forwarded anyway: %s", tc.name, p)
		}
	}

	lease := s.l.StartClient(lab.Dhclient, tp.Client, lab.ClientIf).WaitLease(leaseTimeout)
	if !tp.Segments[0].Prefix.Contains(lease.Addr) {
		t.Errorf("after the drops the client leased %s, want an address in %s", lease.Addr, tp.Segments[0].Prefix)
	}
	if relay.Proc.Exited() {
		t.Errorf("the relay exited:\n%s", relay.Proc.Log())
	}
}

// offer builds a server's OFFER for the client, addressed to the relay
// (giaddr = the client segment's gateway), broadcast flag set.
func (d *dropLab) offer(xid dhcpv4.TransactionID, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	seg := d.tp.Segments[0]
	base := []dhcpv4.Modifier{
		dhcpv4.WithGatewayIP(seg.Gateway.AsSlice()),
		dhcpv4.WithYourIP(net.IP{203, 0, 113, 40}),
		dhcpv4.WithBroadcast(true),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(d.tp.Servers[0].Addr.AsSlice())),
	}
	return d.s.l.Message(dhcpv4.MessageTypeOffer, xid, d.clientHW, append(base, mods...)...)
}

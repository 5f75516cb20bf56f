package integration

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// injector plays DHCP clients by hand on one interface of the client
// segment: it sends crafted messages through a raw socket and reads the
// replies from a capture on the same interface. Its messages set the
// broadcast flag, so that every reply comes back by broadcast whatever the
// crafted client's chaddr.
type injector struct {
	f       *fbLab
	raw     *lab.RawSocket
	cap     *lab.Capture
	hw      net.HardwareAddr // the interface's MAC: the frames' source
	relayHW net.HardwareAddr // the relay's downstream MAC, for unicast
}

// injector opens an injector on ifname in ns.
func (f *fbLab) injector(ns, ifname string) *injector {
	f.t.Helper()
	return &injector{
		f: f, raw: f.l.RawSocket(ns, ifname), cap: f.l.Capture(ns, ifname, lab.DHCPFilter),
		hw: f.l.MAC(ns, ifname), relayHW: f.l.MAC(f.tp.Relay, f.seg.RelayIf),
	}
}

// injectorHost adds a host for role to the switched segment and opens an
// injector on it.
func (f *fbLab) injectorHost(role string) *injector {
	f.t.Helper()
	h := f.l.AddHost(f.tp, role)
	return f.injector(h.NS, h.If)
}

// zeroAddr is the source address of a client that has none.
var zeroAddr = netip.IPv4Unspecified()

// fakeMAC is the chaddr of crafted client n: a locally administered address
// that no interface of the lab has.
func fakeMAC(n byte) net.HardwareAddr { return net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x53, n} }

// msg builds a crafted client message with the broadcast flag set.
func (in *injector) msg(typ dhcpv4.MessageType, xid dhcpv4.TransactionID, chaddr net.HardwareAddr, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	in.f.t.Helper()
	return in.f.l.Message(typ, xid, chaddr, append([]dhcpv4.Modifier{dhcpv4.WithBroadcast(true)}, mods...)...)
}

// broadcast sends m from the address from (0.0.0.0 for a client without an
// address) to 255.255.255.255:67, by Ethernet broadcast.
func (in *injector) broadcast(m *dhcpv4.DHCPv4, from netip.Addr) {
	in.f.t.Helper()
	// Sent from the crafted client's own MAC, as a real client does
	// (iphelper's verify-chaddr drops a chaddr that is not the source).
	fr := lab.BroadcastFromClient(m.ClientHWAddr, m.ToBytes())
	fr.Src = netip.AddrPortFrom(from, 68)
	in.raw.SendFrame(fr)
}

// unicast sends m from the address from to the relay's address on the
// segment, as a client sends a renewal or a release to its server.
func (in *injector) unicast(m *dhcpv4.DHCPv4, from netip.Addr) {
	in.f.t.Helper()
	in.raw.SendFrame(lab.Frame{
		DstMAC: in.relayHW, SrcMAC: m.ClientHWAddr,
		Src: netip.AddrPortFrom(from, 68), Dst: netip.AddrPortFrom(in.f.seg.Gateway, 67),
		Payload: m.ToBytes(),
	})
}

// isReply matches the replies of type typ (any type when typ is
// MessageTypeNone) to the transaction xid.
func isReply(typ dhcpv4.MessageType, xid dhcpv4.TransactionID) func(lab.Packet) bool {
	return func(p lab.Packet) bool {
		return p.DHCP != nil && p.DHCP.OpCode == dhcpv4.OpcodeBootReply && p.DHCP.TransactionID == xid &&
			(typ == dhcpv4.MessageTypeNone || p.MessageType() == typ)
	}
}

// reply waits for the reply of type typ to the transaction xid.
func (in *injector) reply(typ dhcpv4.MessageType, xid dhcpv4.TransactionID) lab.Packet {
	in.f.t.Helper()
	return in.cap.WaitFor(fmt.Sprintf("%s for xid %s", typ, xid), captureTimeout, isReply(typ, xid))
}

// discover sends a DISCOVER of chaddr and returns the OFFER.
func (in *injector) discover(chaddr net.HardwareAddr, xid dhcpv4.TransactionID, mods ...dhcpv4.Modifier) lab.Packet {
	in.f.t.Helper()
	in.broadcast(in.msg(dhcpv4.MessageTypeDiscover, xid, chaddr, mods...), zeroAddr)
	return in.reply(dhcpv4.MessageTypeOffer, xid)
}

// dora leases an address for chaddr from whoever offers first: DISCOVER,
// OFFER, REQUEST in SELECTING state, ACK. It returns the address and the
// server identifier.
func (in *injector) dora(chaddr net.HardwareAddr, xid dhcpv4.TransactionID) (netip.Addr, netip.Addr) {
	in.f.t.Helper()
	offer := in.discover(chaddr, xid)
	addr, sid := addrOf(offer.DHCP.YourIPAddr), addrOf(offer.DHCP.ServerIdentifier())
	in.broadcast(in.msg(dhcpv4.MessageTypeRequest, xid, chaddr,
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(sid.AsSlice())),
		dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice()))), zeroAddr)
	ack := in.reply(dhcpv4.MessageTypeAck, xid)
	if got := addrOf(ack.DHCP.YourIPAddr); got != addr {
		in.f.t.Fatalf("crafted client %s: ACK for %s, want the offered %s: %s", chaddr, got, addr, ack)
	}
	return addr, sid
}

// driveDown makes the upstream health go down with the defaults
// (down-after 3): three crafted clients (one client's timeouts count once)
// each select the upstream server, a REQUEST that it must answer and
// nobody upstream does; it waits for the log line. REQUESTs rather than
// DISCOVERs, so that the fallback holds no offers for these clients.
func (in *injector) driveDown() {
	in.f.t.Helper()
	server := in.f.tp.Servers[0].Addr
	first, _ := in.f.keaPool()
	for i := range 3 {
		in.broadcast(in.msg(dhcpv4.MessageTypeRequest, lab.XID(0xd0d00000+uint32(i)), fakeMAC(0xdd+byte(i)),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(server.AsSlice())),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(first.AsSlice()))), zeroAddr)
	}
	in.f.waitLog("upstream health going down", healthTimeout, logHealthChanged, logHealthDown)
}

// addrOf converts a 4-byte (or 16-byte mapped) net.IP; the zero Addr for
// anything else.
func addrOf(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip.To4())
	if !ok {
		return netip.Addr{}
	}
	return a
}

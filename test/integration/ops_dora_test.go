package integration

import (
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// opsReplyTimeout is how long the load generator waits for each reply
// before it counts the transaction as lost. Kea answers in milliseconds; a
// relay that lost the packet never answers.
const opsReplyTimeout = 2 * time.Second

// opsLoad is a load generator: a DHCP client crafted by hand on one client
// interface, which runs full DORAs one after the other and counts every
// DISCOVER without its OFFER and every REQUEST without its ACK. It sends
// through a raw socket and receives through a listening packet socket, so
// it sees each reply as it comes, with no retransmission to hide a loss.
type opsLoad struct {
	l   *lab.Lab
	raw *lab.RawSocket
	lis *lab.Listener
	mac net.HardwareAddr

	next uint32 // the next transaction id

	// Results.
	doras, lostOffers, lostAcks int
	slowest                     time.Duration
}

// newOpsLoad opens the load generator on ifname in ns; its client is the
// interface's own MAC, so the relay delivers by unicast to it.
func newOpsLoad(l *lab.Lab, ns, ifname string, firstXID uint32) *opsLoad {
	return &opsLoad{l: l, raw: l.RawSocket(ns, ifname), lis: l.Listen(ns, ifname), mac: l.MAC(ns, ifname), next: firstXID}
}

// dora runs one DISCOVER–OFFER–REQUEST–ACK and reports whether it
// completed; a lost reply is counted.
func (g *opsLoad) dora() bool {
	start := time.Now()
	xid := lab.XID(g.next)
	g.next++
	g.doras++
	g.send(g.l.Message(dhcpv4.MessageTypeDiscover, xid, g.mac))
	offer, ok := g.lis.WaitFor(opsReplyTimeout, opsIsReply(dhcpv4.MessageTypeOffer, xid))
	if !ok {
		g.lostOffers++
		return false
	}
	addr, _ := netip.AddrFromSlice(offer.DHCP.YourIPAddr.To4())
	sid := offer.DHCP.ServerIdentifier()
	g.send(g.l.Message(dhcpv4.MessageTypeRequest, xid, g.mac,
		dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice())),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(sid))))
	if _, ok := g.lis.WaitFor(opsReplyTimeout, opsIsReply(dhcpv4.MessageTypeAck, xid)); !ok {
		g.lostAcks++
		return false
	}
	g.slowest = max(g.slowest, time.Since(start))
	return true
}

// send broadcasts a client message from 0.0.0.0:68.
func (g *opsLoad) send(m *dhcpv4.DHCPv4) {
	g.raw.SendFrame(lab.BroadcastFromClient(g.mac, m.ToBytes()))
}

// opsIsReply matches a BOOTREPLY of type typ for the transaction xid.
func opsIsReply(typ dhcpv4.MessageType, xid dhcpv4.TransactionID) func(lab.Packet) bool {
	return func(p lab.Packet) bool {
		return p.DHCP != nil && p.DHCP.OpCode == dhcpv4.OpcodeBootReply && p.DHCP.TransactionID == xid && p.MessageType() == typ
	}
}

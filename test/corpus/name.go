package corpus

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// relayedSuffix ends the name of a message as iphelper sent it on: a
// request with its giaddr and option 82, a reply delivered to the client.
const relayedSuffix = "-relayed"

// name names a packet's seeds: the sender, what it is and, for a message
// iphelper relayed, the relayed suffix. Requests are named after the client
// that sent them, replies after the server, ARP after the host that sent it
// (iphelper for the relay's own).
func (p packet) name(server string) string {
	if p.arp {
		return p.arpWho(server) + "-arp-" + arpKind(p.frame)
	}
	source := server
	if p.msg.OpCode == dhcpv4.OpcodeBootRequest {
		source = p.step.Client
	}
	n := source + "-" + kindOf(p.msg)
	if p.fromRelay() {
		n += relayedSuffix
	}
	return n
}

// kindOf names a DHCP message: its type and, where the type is not enough,
// the client state it belongs to (RFC 2131 §4.3.2) or how it is delivered.
func kindOf(m *dhcpv4.DHCPv4) string {
	switch t := m.MessageType(); t {
	case dhcpv4.MessageTypeNone:
		return "bootp"
	case dhcpv4.MessageTypeDiscover:
		return "discover"
	case dhcpv4.MessageTypeRequest:
		return requestKind(m)
	case dhcpv4.MessageTypeOffer:
		return withBroadcast("offer", m)
	case dhcpv4.MessageTypeAck:
		return withBroadcast(ackKind(m), m)
	case dhcpv4.MessageTypeNak:
		return "nak"
	case dhcpv4.MessageTypeDecline:
		return "decline"
	case dhcpv4.MessageTypeRelease:
		return "release"
	case dhcpv4.MessageTypeInform:
		return "inform"
	default:
		return fmt.Sprintf("type%d", uint8(t))
	}
}

// requestKind names a REQUEST by the client state that sends it.
func requestKind(m *dhcpv4.DHCPv4) string {
	switch {
	case !m.ClientIPAddr.IsUnspecified():
		return "request-renew" // RENEWING or REBINDING
	case m.Options.Has(dhcpv4.OptionServerIdentifier):
		return "request-select"
	case m.Options.Has(dhcpv4.OptionRequestedIPAddress):
		return "request-reboot"
	}
	return "request"
}

// ackKind names an ACK by the request it answers.
func ackKind(m *dhcpv4.DHCPv4) string {
	switch {
	case m.YourIPAddr.IsUnspecified():
		return "ack-inform"
	case !m.ClientIPAddr.IsUnspecified():
		return "ack-renew"
	}
	return "ack"
}

// withBroadcast adds "-bcast" to a reply's kind when its broadcast flag is
// set: the relay delivers it by broadcast.
func withBroadcast(kind string, m *dhcpv4.DHCPv4) string {
	if m.IsBroadcast() {
		return kind + "-bcast"
	}
	return kind
}

// Offsets in an Ethernet frame carrying an ARP packet for IPv4 (RFC 826).
const (
	offARPOp       = 20
	offARPSenderIP = 28
	offARPTargetIP = 38
	arpFrameLen    = 42
)

// arpKind names an ARP frame: probe (RFC 5227: sender 0.0.0.0), announce
// (sender and target the same), request or reply; "short" when truncated.
func arpKind(f []byte) string {
	if len(f) < arpFrameLen {
		return "short"
	}
	sender, target := [4]byte(f[offARPSenderIP:]), [4]byte(f[offARPTargetIP:])
	switch op := binary.BigEndian.Uint16(f[offARPOp:]); {
	case op == 1 && sender == [4]byte{}:
		return "probe"
	case op == 1 && sender == target:
		return "announce"
	case op == 1:
		return "request"
	case op == 2:
		return "reply"
	default:
		return fmt.Sprintf("op%d", op)
	}
}

// arpWho names the host that sent an ARP frame: iphelper for the relay's
// addresses, else the client of the step on the client side and the
// server's host on the server side.
func (p packet) arpWho(server string) string {
	if len(p.frame) >= arpFrameLen && isRelayAddr(netip.AddrFrom4([4]byte(p.frame[offARPSenderIP:]))) {
		return "iphelper"
	}
	if p.side == ClientSide {
		return p.step.Client
	}
	return server
}

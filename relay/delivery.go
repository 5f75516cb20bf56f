package relay

import (
	"net/netip"

	"github.com/iphelper/iphelper/relay/wire"
)

// deliveryKind is how a reply reaches the client (RFC 2131 §4.1, RFC 1542 §5.4).
type deliveryKind uint8

const (
	deliverBroadcast deliveryKind = iota // Ethernet and IP broadcast on the interface
	deliverCIAddr                        // unicast to ciaddr (the client has an address)
	deliverYIAddr                        // Ethernet frame to chaddr with IP destination yiaddr
)

func (k deliveryKind) String() string {
	switch k {
	case deliverCIAddr:
		return "unicast-ciaddr"
	case deliverYIAddr:
		return "unicast-yiaddr"
	default:
		return "broadcast"
	}
}

// replyFacts are the fields of a BOOTREPLY that decide its delivery.
type replyFacts struct {
	nak       bool // DHCPNAK
	broadcast bool // the client set the BROADCAST flag
	ciaddr    netip.Addr
	yiaddr    netip.Addr
	ethernet  bool // htype 1 and hlen 6: chaddr is an Ethernet address we can send to
}

// factsOf reads the delivery facts of a BOOTREPLY, relayed or the
// fallback's own.
func factsOf(p wire.Packet) replyFacts {
	return replyFacts{
		nak:       p.MessageType() == wire.Nak,
		broadcast: p.Broadcast(),
		ciaddr:    p.CIAddr(),
		yiaddr:    p.YIAddr(),
		ethernet:  p.HType() == 1 && p.HLen() == 6,
	}
}

// delivery is where a reply goes: the IP destination and, for unicast, the
// client's MAC taken from chaddr.
type delivery struct {
	kind  deliveryKind
	dstIP netip.Addr
}

// The broadcast addresses. Both are values: a copy cannot change them for
// every other user, as a shared slice could. macBroadcast is sliced only
// to be read (the frame builder copies it into the frame).
var (
	ipBroadcast  = netip.AddrFrom4([4]byte{255, 255, 255, 255})
	macBroadcast = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

// decideDelivery is the delivery table of the reply path (docs/packet-paths.md, "Delivery"):
//
//   - DHCPNAK or the BROADCAST flag → broadcast: the client may not accept
//     unicast before it is configured (RFC 2131 §4.1; a NAK is always
//     broadcast when relayed, §4.3.2);
//   - ciaddr set (RENEWING/REBINDING, INFORM) → unicast to ciaddr;
//   - yiaddr set → unicast to chaddr with IP destination yiaddr, which the
//     kernel cannot do by itself (no ARP entry for a client that has no
//     address yet), so the relay writes the frame;
//   - anything else, or a chaddr we cannot address (not Ethernet) →
//     broadcast.
//
// ciaddr and yiaddr must be usable unicast addresses; 0.0.0.0 and
// 255.255.255.255 are treated as unset.
func decideDelivery(f replyFacts) delivery {
	switch {
	case f.nak || f.broadcast || !f.ethernet:
		return delivery{kind: deliverBroadcast, dstIP: ipBroadcast}
	case usableUnicast(f.ciaddr):
		return delivery{kind: deliverCIAddr, dstIP: f.ciaddr}
	case usableUnicast(f.yiaddr):
		return delivery{kind: deliverYIAddr, dstIP: f.yiaddr}
	default:
		return delivery{kind: deliverBroadcast, dstIP: ipBroadcast}
	}
}

func usableUnicast(a netip.Addr) bool {
	return a.Is4() && !a.IsUnspecified() && a != ipBroadcast && !a.IsMulticast()
}

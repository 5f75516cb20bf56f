package lab

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// BroadcastFromClient wraps a DHCP payload the way a client without an address
// sends it: Ethernet broadcast from src, 0.0.0.0:68 → 255.255.255.255:67.
func BroadcastFromClient(src net.HardwareAddr, payload []byte) Frame {
	return Frame{
		DstMAC:  net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		SrcMAC:  src,
		Src:     netip.AddrPortFrom(netip.IPv4Unspecified(), 68),
		Dst:     netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), 67),
		Payload: payload,
	}
}

// Option82 builds a relay agent information option from sub-options, in order.
func Option82(subs ...SubOption) dhcpv4.Option {
	var b []byte
	for _, s := range subs {
		b = append(b, s.Code, byte(len(s.Data)))
		b = append(b, s.Data...)
	}
	return dhcpv4.Option{Code: dhcpv4.OptionRelayAgentInformation, Value: dhcpv4.OptionGeneric{Data: b}}
}

// Message builds a DHCP message of the given type with the transaction id and
// client hardware address, then applies mods (dhcpv4.WithGatewayIP,
// dhcpv4.WithOption(Option82(…)), a hop count…). It fails the test on error.
func (l *Lab) Message(typ dhcpv4.MessageType, xid dhcpv4.TransactionID, chaddr net.HardwareAddr, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	l.t.Helper()
	base := []dhcpv4.Modifier{dhcpv4.WithMessageType(typ), dhcpv4.WithTransactionID(xid), dhcpv4.WithHwAddr(chaddr)}
	d, err := dhcpv4.New(append(base, mods...)...)
	if err != nil {
		l.t.Fatalf("failed to build a DHCP %s: %v", typ, err)
	}
	if typ == dhcpv4.MessageTypeOffer || typ == dhcpv4.MessageTypeAck || typ == dhcpv4.MessageTypeNak {
		d.OpCode = dhcpv4.OpcodeBootReply
	}
	return d
}

// WithHops sets the hop count.
func WithHops(n uint8) dhcpv4.Modifier {
	return func(d *dhcpv4.DHCPv4) { d.HopCount = n }
}

// XID makes a transaction id from a number, so that scenarios can find their
// own packets in captures.
func XID(n uint32) dhcpv4.TransactionID {
	return dhcpv4.TransactionID{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

// String names a frame in messages.
func (f Frame) String() string {
	return fmt.Sprintf("%s → %s (%d bytes)", f.Src, f.Dst, len(f.Payload))
}

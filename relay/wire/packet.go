package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Packet is a BOOTP/DHCPv4 message: the UDP payload as received, viewed in
// place. Accessors read fixed offsets and never panic: on a message too short
// for the field they return the zero value (0, false, nil or the invalid
// netip.Addr). Setters write into the caller's buffer and fail with
// ErrTruncated when the field is not there. A Packet is a plain []byte and
// can be passed to every function of this package.
type Packet []byte

// Op returns the op field, 0 if the message is empty.
func (p Packet) Op() Op { return Op(p.byteAt(OffOp)) }

// HType returns the hardware address type (1 for Ethernet).
func (p Packet) HType() byte { return p.byteAt(OffHType) }

// HLen returns the hardware address length as sent; it may exceed
// CHAddrLen in a malformed message.
func (p Packet) HLen() byte { return p.byteAt(OffHLen) }

// Hops returns the hops field.
func (p Packet) Hops() byte { return p.byteAt(OffHops) }

// SetHops writes the hops field.
func (p Packet) SetHops(n byte) error {
	if len(p) <= OffHops {
		return fmt.Errorf("%w: cannot set hops: message is %d bytes", ErrTruncated, len(p))
	}
	p[OffHops] = n
	return nil
}

// XID returns the transaction id.
func (p Packet) XID() uint32 {
	if len(p) < OffXID+4 {
		return 0
	}
	return binary.BigEndian.Uint32(p[OffXID:])
}

// Secs returns the secs field.
func (p Packet) Secs() uint16 { return p.uint16At(OffSecs) }

// Flags returns the flags field.
func (p Packet) Flags() uint16 { return p.uint16At(OffFlags) }

// Broadcast reports whether the BROADCAST flag is set.
func (p Packet) Broadcast() bool { return p.Flags()&FlagBroadcast != 0 }

// CIAddr returns the client address (ciaddr).
func (p Packet) CIAddr() netip.Addr { return p.addrAt(OffCIAddr) }

// YIAddr returns "your" address (yiaddr).
func (p Packet) YIAddr() netip.Addr { return p.addrAt(OffYIAddr) }

// SIAddr returns the next server address (siaddr).
func (p Packet) SIAddr() netip.Addr { return p.addrAt(OffSIAddr) }

// GIAddr returns the relay agent address (giaddr); 0.0.0.0 means no relay.
func (p Packet) GIAddr() netip.Addr { return p.addrAt(OffGIAddr) }

// SetGIAddr writes giaddr. a must be an IPv4 address (not IPv4-mapped IPv6).
func (p Packet) SetGIAddr(a netip.Addr) error {
	if !a.Is4() {
		return fmt.Errorf("%w: cannot set giaddr to %v", ErrNotIPv4, a)
	}
	if len(p) < OffGIAddr+4 {
		return fmt.Errorf("%w: cannot set giaddr: message is %d bytes", ErrTruncated, len(p))
	}
	b := a.As4()
	copy(p[OffGIAddr:], b[:])
	return nil
}

// CHAddr returns the client hardware address: the first hlen bytes of chaddr,
// aliasing the message. It returns nil when hlen exceeds CHAddrLen or the
// message is too short.
func (p Packet) CHAddr() []byte {
	n := int(p.HLen())
	if n > CHAddrLen || len(p) < OffCHAddr+CHAddrLen {
		return nil
	}
	return p[OffCHAddr : OffCHAddr+n : OffCHAddr+n]
}

// HasMagicCookie reports whether the message carries the DHCP magic cookie,
// and so an options field. A message without it is plain BOOTP.
func (p Packet) HasMagicCookie() bool {
	return len(p) >= OffOptions && binary.BigEndian.Uint32(p[OffCookie:]) == MagicCookie
}

func (p Packet) byteAt(off int) byte {
	if len(p) <= off {
		return 0
	}
	return p[off]
}

func (p Packet) uint16At(off int) uint16 {
	if len(p) < off+2 {
		return 0
	}
	return binary.BigEndian.Uint16(p[off:])
}

func (p Packet) addrAt(off int) netip.Addr {
	if len(p) < off+4 {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(p[off : off+4]))
}

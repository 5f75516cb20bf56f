package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
)

// Offsets of the fixed BOOTP header fields (RFC 951, RFC 2131 §2).
const (
	OffOp      = 0   // op: 1 BOOTREQUEST, 2 BOOTREPLY
	OffHType   = 1   // htype: hardware address type (1 Ethernet)
	OffHLen    = 2   // hlen: hardware address length
	OffHops    = 3   // hops: relay agents passed
	OffXID     = 4   // xid, 4 bytes
	OffSecs    = 8   // secs, 2 bytes
	OffFlags   = 10  // flags, 2 bytes; bit 15 is BROADCAST
	OffCIAddr  = 12  // ciaddr, 4 bytes
	OffYIAddr  = 16  // yiaddr, 4 bytes
	OffSIAddr  = 20  // siaddr, 4 bytes
	OffGIAddr  = 24  // giaddr, 4 bytes
	OffCHAddr  = 28  // chaddr, 16 bytes
	OffSName   = 44  // sname, 64 bytes
	OffFile    = 108 // file, 128 bytes
	OffCookie  = 236 // DHCP magic cookie, 4 bytes
	OffOptions = 240 // first option
)

// Field sizes and message size limits.
const (
	// CHAddrLen is the size of the chaddr field, and so the largest valid hlen.
	CHAddrLen = 16
	// SNameLen is the size of the sname field.
	SNameLen = 64
	// FileLen is the size of the file field.
	FileLen = 128
	// HeaderLen is the size of the fixed BOOTP header, everything before the
	// vendor area: the shortest message Validate accepts.
	HeaderLen = OffCookie
	// MinMessageLen is the smallest BOOTP message (236-byte header plus the
	// 64-byte vendor area, RFC 951); relays pad to it (RFC 1542 §2.1).
	MinMessageLen = 300
)

// MagicCookie is the DHCP magic cookie 99.130.83.99 (RFC 2131 §3) that
// starts the options field.
const MagicCookie uint32 = 0x63825363

// FlagBroadcast is the BROADCAST bit of the flags field (RFC 2131 §2).
const FlagBroadcast uint16 = 0x8000

// Option codes the relay works with (RFC 2132, RFC 3046).
const (
	OptPad            byte = 0   // pad: one byte, no length
	OptOverload       byte = 52  // option overload: sname/file hold options
	OptMessageType    byte = 53  // DHCP message type
	OptServerID       byte = 54  // server identifier
	OptMaxMessageSize byte = 57  // maximum DHCP message size the client accepts
	OptRelayAgentInfo byte = 82  // relay agent information (RFC 3046)
	OptEnd            byte = 255 // end: one byte, no length
)

// Op is the BOOTP op field: the direction of a message.
type Op byte

// BOOTP op codes (RFC 951).
const (
	OpRequest Op = 1 // BOOTREQUEST: client (or relay) to server
	OpReply   Op = 2 // BOOTREPLY: server to client (or relay)
)

// String returns "BOOTREQUEST", "BOOTREPLY" or "Op(n)".
func (o Op) String() string {
	switch o {
	case OpRequest:
		return "BOOTREQUEST"
	case OpReply:
		return "BOOTREPLY"
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// MessageType is the value of the DHCP message type option (53). Zero means
// absent or malformed.
type MessageType byte

// DHCP message types (RFC 2132 §9.6, RFC 3203, RFC 4388).
const (
	Discover        MessageType = 1
	Offer           MessageType = 2
	Request         MessageType = 3
	Decline         MessageType = 4
	Ack             MessageType = 5
	Nak             MessageType = 6
	Release         MessageType = 7
	Inform          MessageType = 8
	ForceRenew      MessageType = 9
	LeaseQuery      MessageType = 10
	LeaseUnassigned MessageType = 11
	LeaseUnknown    MessageType = 12
	LeaseActive     MessageType = 13
)

// String returns the RFC name in upper case ("DHCPDISCOVER"), or
// "MessageType(n)" for other values.
func (t MessageType) String() string {
	switch t {
	case Discover:
		return "DHCPDISCOVER"
	case Offer:
		return "DHCPOFFER"
	case Request:
		return "DHCPREQUEST"
	case Decline:
		return "DHCPDECLINE"
	case Ack:
		return "DHCPACK"
	case Nak:
		return "DHCPNAK"
	case Release:
		return "DHCPRELEASE"
	case Inform:
		return "DHCPINFORM"
	case ForceRenew:
		return "DHCPFORCERENEW"
	case LeaseQuery:
		return "DHCPLEASEQUERY"
	case LeaseUnassigned:
		return "DHCPLEASEUNASSIGNED"
	case LeaseUnknown:
		return "DHCPLEASEUNKNOWN"
	case LeaseActive:
		return "DHCPLEASEACTIVE"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

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

package dhcpwire

import (
	"encoding/binary"
	"errors"
)

// ClientMsg is a message of an emulated client: a DISCOVER, or the REQUEST
// that selects an offer (RFC 2131 §4.3.2, SELECTING state).
type ClientMsg struct {
	// Type is TypeDiscover or TypeRequest.
	Type byte
	// MAC is the client's hardware address: Ethernet source, chaddr and
	// client identifier.
	MAC [6]byte
	// XID is the transaction ID.
	XID uint32
	// Broadcast sets the BROADCAST flag: replies then come back as
	// broadcasts instead of unicasts to MAC.
	Broadcast bool
	// RequestedIP and ServerID are the offer being selected, sent in a
	// REQUEST as options 50 and 54.
	RequestedIP, ServerID [4]byte
}

// ErrShortBuffer is returned by the builders when the buffer cannot hold the
// message.
var ErrShortBuffer = errors.New("buffer too short")

// errClientType is returned by BuildClientFrame for a type it does not build.
var errClientType = errors.New("client message type must be DISCOVER or REQUEST")

// BuildClientFrame writes m into b as a client without an address sends it:
// an Ethernet broadcast from m.MAC, IPv4 from 0.0.0.0 to 255.255.255.255, UDP
// from port 68 to 67, the message padded to 300 bytes, both checksums set.
// It returns the frame's length. b must hold MaxFrame bytes. It does not
// allocate.
func BuildClientFrame(b []byte, m *ClientMsg) (int, error) {
	if len(b) < MaxFrame {
		return 0, ErrShortBuffer
	}
	if m.Type != TypeDiscover && m.Type != TypeRequest {
		return 0, errClientType
	}
	b = b[:MaxFrame]
	clear(b)
	writeBOOTP(b[hdrsLen:], m)
	writeHeaders(b, m.MAC, minBOOTP)
	return MaxFrame, nil
}

// writeBOOTP writes the BOOTP message of m into msg (zeroed, minBOOTP long).
func writeBOOTP(msg []byte, m *ClientMsg) {
	msg[offOp] = opRequest
	msg[offHType] = 1
	msg[offHLen] = 6
	binary.BigEndian.PutUint32(msg[offXID:], m.XID)
	if m.Broadcast {
		binary.BigEndian.PutUint16(msg[offFlags:], flagBroadcast)
	}
	copy(msg[offCHAddr:], m.MAC[:])
	copy(msg[offCookie:], magicCookie[:])
	o := msg[offOpts:offOpts]
	o = append(o, optMsgType, 1, m.Type)
	o = append(o, optClientID, 7, 1)
	o = append(o, m.MAC[:]...)
	if m.Type == TypeRequest {
		o = append(o, optRequestedIP, 4)
		o = append(o, m.RequestedIP[:]...)
		o = append(o, optServerID, 4)
		o = append(o, m.ServerID[:]...)
	}
	o = append(o, optMaxSize, 2, 0x05, 0xdc)
	o = append(o, optParams, 4, optSubnetMask, optRouter, 6, optLeaseTime)
	_ = append(o, optEnd)
}

// writeHeaders writes the Ethernet, IPv4 and UDP headers in front of a
// payload of n bytes at b[hdrsLen:], from mac / 0.0.0.0:68 to broadcast /
// 255.255.255.255:67.
func writeHeaders(b []byte, mac [6]byte, n int) {
	copy(b[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(b[6:12], mac[:])
	binary.BigEndian.PutUint16(b[12:], 0x0800)

	ip := b[ethLen : ethLen+ipLen]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(ipLen+udpLen+n))
	ip[8] = 64 // TTL
	ip[9] = 17 // UDP
	copy(ip[16:20], []byte{255, 255, 255, 255})
	binary.BigEndian.PutUint16(ip[10:], fold(sum(0, ip)))

	udp := b[ethLen+ipLen : hdrsLen]
	binary.BigEndian.PutUint16(udp[0:], PortClient)
	binary.BigEndian.PutUint16(udp[2:], PortServer)
	binary.BigEndian.PutUint16(udp[4:], uint16(udpLen+n))
	// Pseudo-header: source, destination, protocol, UDP length.
	s := sum(0, ip[12:20])
	s += 17 + uint32(udpLen+n)
	s = sum(s, b[ethLen+ipLen:hdrsLen+n])
	c := fold(s)
	if c == 0 {
		c = 0xffff // RFC 768: a computed zero is sent as all ones
	}
	binary.BigEndian.PutUint16(udp[6:], c)
}

package iface

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
)

// Header sizes and field values of the frames this package handles.
const (
	etherHeaderLen   = 14
	vlanTagLen       = 4
	ipv4MinHeaderLen = 20
	udpHeaderLen     = 8

	etherTypeIPv4 = 0x0800
	etherTypeVLAN = 0x8100
	protoUDP      = 17

	ipv4FlagDF     = 0x4000
	ipv4FlagMF     = 0x2000
	ipv4FragOffset = 0x1fff
)

// Reasons ParseUDP4 rejects a frame. They are returned bare, never wrapped,
// so that a drop allocates nothing; callers count drops per reason with ==
// or errors.Is.
var (
	// ErrTruncated: the frame is shorter than its headers say it is.
	ErrTruncated = errors.New("frame truncated")
	// ErrNotIPv4: the EtherType is not IPv4 or the IP version is not 4.
	ErrNotIPv4 = errors.New("not an IPv4 packet")
	// ErrBadLength: an IPv4 or UDP length field is impossible (IHL < 5,
	// total length below the header length, UDP length below 8 or beyond the
	// IP packet).
	ErrBadLength = errors.New("bad length field")
	// ErrBadIPChecksum: the IPv4 header checksum is wrong.
	ErrBadIPChecksum = errors.New("bad IPv4 header checksum")
	// ErrFragment: the packet is a fragment (MF set or offset not 0).
	ErrFragment = errors.New("fragmented IPv4 packet")
	// ErrNotUDP: the IP protocol is not UDP.
	ErrNotUDP = errors.New("not a UDP datagram")
	// ErrBadUDPChecksum: the UDP checksum is present and wrong.
	ErrBadUDPChecksum = errors.New("bad UDP checksum")
)

// Datagram is a UDP datagram parsed out of an Ethernet frame. Its slices
// point into the frame, which the caller must keep unchanged while it uses
// them.
type Datagram struct {
	DstMAC net.HardwareAddr
	SrcMAC net.HardwareAddr

	// VLANTagged reports that the frame itself carried an 802.1Q tag (the
	// kernel normally strips tags into FrameInfo before a socket sees the
	// frame); VLANTCI is then the tag's TCI.
	VLANTagged bool
	VLANTCI    uint16

	Src netip.Addr
	Dst netip.Addr
	TOS uint8
	TTL uint8

	// IPHeaderLen is the IPv4 header length in bytes, options included.
	IPHeaderLen int

	SrcPort uint16
	DstPort uint16

	// Payload is the UDP payload, as long as the UDP length says: Ethernet
	// padding after the IP packet is not part of it.
	Payload []byte
}

// ParseUDP4 parses an Ethernet frame holding an unfragmented IPv4/UDP
// datagram, optionally behind one 802.1Q tag, and checks every length and
// both checksums. The UDP checksum is not checked when it is 0 (none sent),
// when info.ChecksumNotReady (the kernel says it was never computed: the
// sender is local, across a virtual link) or when info.ChecksumValid (the
// kernel or NIC checked it). It never panics and allocates nothing; errors
// are the sentinels above.
func ParseUDP4(frame []byte, info FrameInfo) (Datagram, error) {
	var d Datagram
	ip, err := parseEthernet(frame, &d)
	if err != nil {
		return Datagram{}, err
	}
	udp, err := parseIPv4(ip, &d)
	if err != nil {
		return Datagram{}, err
	}
	if err := parseUDP(udp, &d, !info.ChecksumNotReady && !info.ChecksumValid); err != nil {
		return Datagram{}, err
	}
	return d, nil
}

// parseEthernet fills the link-layer fields of d and returns the IPv4
// packet with any padding.
func parseEthernet(frame []byte, d *Datagram) ([]byte, error) {
	if len(frame) < etherHeaderLen {
		return nil, ErrTruncated
	}
	d.DstMAC = net.HardwareAddr(frame[0:6:6])
	d.SrcMAC = net.HardwareAddr(frame[6:12:12])
	etherType := binary.BigEndian.Uint16(frame[12:14])
	rest := frame[etherHeaderLen:]
	if etherType == etherTypeVLAN {
		if len(rest) < vlanTagLen {
			return nil, ErrTruncated
		}
		d.VLANTagged = true
		d.VLANTCI = binary.BigEndian.Uint16(rest[0:2])
		etherType = binary.BigEndian.Uint16(rest[2:4])
		rest = rest[vlanTagLen:]
	}
	if etherType != etherTypeIPv4 {
		return nil, ErrNotIPv4
	}
	return rest, nil
}

// parseIPv4 fills the IP fields of d and returns the UDP datagram, without
// the padding after the IP packet.
func parseIPv4(b []byte, d *Datagram) ([]byte, error) {
	if len(b) < ipv4MinHeaderLen {
		return nil, ErrTruncated
	}
	if b[0]>>4 != 4 {
		return nil, ErrNotIPv4
	}
	hlen := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	switch {
	case hlen < ipv4MinHeaderLen || total < hlen:
		return nil, ErrBadLength
	case total > len(b):
		return nil, ErrTruncated
	case checksum(b[:hlen]) != 0:
		return nil, ErrBadIPChecksum
	case binary.BigEndian.Uint16(b[6:8])&(ipv4FlagMF|ipv4FragOffset) != 0:
		return nil, ErrFragment
	case b[9] != protoUDP:
		return nil, ErrNotUDP
	}
	d.TOS = b[1]
	d.TTL = b[8]
	d.Src = netip.AddrFrom4([4]byte(b[12:16]))
	d.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	d.IPHeaderLen = hlen
	return b[hlen:total], nil
}

// parseUDP fills the UDP fields of d from b, the IP payload, checking the
// checksum if verify is set and one was sent. Like Linux, it takes the UDP
// length as the datagram's end when it is shorter than the IP payload.
func parseUDP(b []byte, d *Datagram, verify bool) error {
	if len(b) < udpHeaderLen {
		return ErrTruncated
	}
	ulen := int(binary.BigEndian.Uint16(b[4:6]))
	if ulen < udpHeaderLen || ulen > len(b) {
		return ErrBadLength
	}
	b = b[:ulen]
	if verify && binary.BigEndian.Uint16(b[6:8]) != 0 {
		acc := pseudoHeaderSum(d.Src.As4(), d.Dst.As4(), ulen)
		if fold(sum(acc, b)) != 0xffff {
			return ErrBadUDPChecksum
		}
	}
	d.SrcPort = binary.BigEndian.Uint16(b[0:2])
	d.DstPort = binary.BigEndian.Uint16(b[2:4])
	d.Payload = b[udpHeaderLen:]
	return nil
}

// PeekUDPDstPort returns the UDP destination port of an Ethernet frame
// holding IPv4/UDP (optionally behind one 802.1Q tag), and false when the
// frame is too short or not IPv4/UDP. It checks nothing else (no length
// field, no checksum): it is for choosing a rate limit before the frame is
// parsed (ParseUDP4). It never panics and allocates nothing.
func PeekUDPDstPort(frame []byte) (uint16, bool) {
	ip := etherHeaderLen
	if len(frame) >= etherHeaderLen && binary.BigEndian.Uint16(frame[12:14]) == etherTypeVLAN {
		ip += vlanTagLen
	}
	if len(frame) < ip+ipv4MinHeaderLen || binary.BigEndian.Uint16(frame[ip-2:ip]) != etherTypeIPv4 || frame[ip+9] != protoUDP {
		return 0, false
	}
	udp := ip + int(frame[ip]&0x0f)*4
	if udp+4 > len(frame) {
		return 0, false
	}
	return binary.BigEndian.Uint16(frame[udp+2 : udp+4]), true
}

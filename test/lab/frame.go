package lab

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// Frame is an Ethernet frame that carries one IPv4/UDP datagram: what the lab
// builds for the raw-frame scenarios and what it decodes from captures.
type Frame struct {
	// DstMAC and SrcMAC are the Ethernet addresses (6 bytes each).
	DstMAC, SrcMAC net.HardwareAddr
	// VLAN is the 802.1Q VLAN ID; 0 means an untagged frame.
	VLAN uint16
	// Src and Dst are the IPv4 addresses and UDP ports.
	Src, Dst netip.AddrPort
	// TTL is the IPv4 time to live; Marshal writes 64 when it is 0.
	TTL uint8
	// Payload is the UDP payload (a DHCP message in this lab).
	Payload []byte
}

const (
	etherTypeIPv4 = 0x0800
	etherTypeVLAN = 0x8100
	ethHeaderLen  = 14
	vlanTagLen    = 4
	ipv4HeaderLen = 20
	udpHeaderLen  = 8
	protoUDP      = 17
	defaultTTL    = 64
	maxVLANID     = 4094
)

// errNotUDP says a frame is well formed but carries something other than
// IPv4/UDP (ARP, IPv6, ICMP…): captures skip such frames.
var errNotUDP = errors.New("not an ipv4/udp frame")

// Marshal builds the frame's bytes: Ethernet (with an 802.1Q tag when VLAN is
// set), an IPv4 header without options and a correct header checksum, and a UDP
// header with a correct checksum.
func (f Frame) Marshal() ([]byte, error) {
	if len(f.DstMAC) != 6 || len(f.SrcMAC) != 6 {
		return nil, fmt.Errorf("failed to build frame: MAC addresses must be 6 bytes, got %d and %d", len(f.DstMAC), len(f.SrcMAC))
	}
	if !f.Src.Addr().Is4() || !f.Dst.Addr().Is4() {
		return nil, fmt.Errorf("failed to build frame: addresses must be IPv4, got %s and %s", f.Src, f.Dst)
	}
	if f.VLAN > maxVLANID {
		return nil, fmt.Errorf("failed to build frame: VLAN %d out of range 0..%d", f.VLAN, maxVLANID)
	}
	udpLen := udpHeaderLen + len(f.Payload)
	if ipv4HeaderLen+udpLen > 0xffff {
		return nil, fmt.Errorf("failed to build frame: payload of %d bytes does not fit an IPv4 datagram", len(f.Payload))
	}
	b := make([]byte, 0, ethHeaderLen+vlanTagLen+ipv4HeaderLen+udpLen)
	b = append(b, f.DstMAC...)
	b = append(b, f.SrcMAC...)
	if f.VLAN != 0 {
		b = binary.BigEndian.AppendUint16(b, etherTypeVLAN)
		b = binary.BigEndian.AppendUint16(b, f.VLAN)
	}
	b = binary.BigEndian.AppendUint16(b, etherTypeIPv4)
	b = appendIPv4UDP(b, f, udpLen)
	return b, nil
}

// appendIPv4UDP appends the IPv4 header, the UDP header and the payload.
func appendIPv4UDP(b []byte, f Frame, udpLen int) []byte {
	ttl := f.TTL
	if ttl == 0 {
		ttl = defaultTTL
	}
	src, dst := f.Src.Addr().As4(), f.Dst.Addr().As4()
	ip := make([]byte, ipv4HeaderLen)
	ip[0] = 0x45 // version 4, header length 5 words
	binary.BigEndian.PutUint16(ip[2:4], uint16(ipv4HeaderLen+udpLen))
	ip[8] = ttl
	ip[9] = protoUDP
	copy(ip[12:16], src[:])
	copy(ip[16:20], dst[:])
	binary.BigEndian.PutUint16(ip[10:12], checksum(0, ip))

	udp := make([]byte, udpHeaderLen, udpLen)
	binary.BigEndian.PutUint16(udp[0:2], f.Src.Port())
	binary.BigEndian.PutUint16(udp[2:4], f.Dst.Port())
	binary.BigEndian.PutUint16(udp[4:6], uint16(udpLen))
	udp = append(udp, f.Payload...)
	binary.BigEndian.PutUint16(udp[6:8], udpChecksum(src, dst, udp))

	b = append(b, ip...)
	return append(b, udp...)
}

// udpChecksum is the UDP checksum over the IPv4 pseudo header and the datagram
// (whose checksum field is zero); 0 is sent as 0xffff (RFC 768).
func udpChecksum(src, dst [4]byte, udp []byte) uint16 {
	pseudo := make([]byte, 0, 12)
	pseudo = append(pseudo, src[:]...)
	pseudo = append(pseudo, dst[:]...)
	pseudo = append(pseudo, 0, protoUDP)
	pseudo = binary.BigEndian.AppendUint16(pseudo, uint16(len(udp)))
	sum := checksum(sum16(0, pseudo), udp)
	if sum == 0 {
		return 0xffff
	}
	return sum
}

// checksum finishes the Internet checksum (RFC 1071) of b, starting from a
// partial sum.
func checksum(partial uint32, b []byte) uint16 {
	s := sum16(partial, b)
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// sum16 adds b as big-endian 16-bit words to s, padding an odd length with zero.
func sum16(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

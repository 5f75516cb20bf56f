package iface

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
)

// FrameHeaderLen is the length of the headers BuildUDP4 writes before the
// payload: Ethernet (14), IPv4 without options (20) and UDP (8).
const FrameHeaderLen = etherHeaderLen + ipv4MinHeaderLen + udpHeaderLen

// DefaultTTL is the IPv4 TTL BuildUDP4 uses when UDP4Header.TTL is 0: 64,
// the default of RFC 1700 ("Assigned Numbers", IP TTL).
const DefaultTTL = 64

// maxUDP4Payload is the largest payload an IPv4 packet without options can
// carry in one UDP datagram.
const maxUDP4Payload = 0xffff - ipv4MinHeaderLen - udpHeaderLen

// UDP4Header holds the header fields of a frame that BuildUDP4 writes.
type UDP4Header struct {
	DstMAC net.HardwareAddr // 6 bytes
	SrcMAC net.HardwareAddr // 6 bytes

	Src netip.Addr // IPv4
	Dst netip.Addr // IPv4
	TOS uint8
	TTL uint8  // 0 means DefaultTTL
	ID  uint16 // IPv4 identification; any value will do, DF is set

	SrcPort uint16
	DstPort uint16
}

// BuildUDP4 writes an Ethernet frame holding an IPv4/UDP datagram with the
// given header fields and payload into dst's backing array, from index 0,
// and returns it. It allocates only when cap(dst) is less than
// FrameHeaderLen+len(payload). The payload may already sit in dst at
// dst[FrameHeaderLen:]; any other overlap of payload and dst is handled too.
//
// The IPv4 header has no options, DF set and both checksums computed (a
// computed UDP checksum of 0 is sent as 0xffff, RFC 768). Frames shorter
// than the Ethernet minimum of 60 bytes are not padded: NICs pad on the
// wire, veth and other virtual links carry short frames as they are.
func BuildUDP4(dst []byte, h UDP4Header, payload []byte) ([]byte, error) {
	if err := h.check(len(payload)); err != nil {
		return nil, fmt.Errorf("failed to build UDP frame: %w", err)
	}
	n := FrameHeaderLen + len(payload)
	frame := dst[:0]
	if cap(frame) < n {
		frame = make([]byte, n)
	}
	frame = frame[:n]
	copy(frame[FrameHeaderLen:], payload) // first: payload may overlap the headers
	putEthernet(frame[:etherHeaderLen], h)
	putIPv4(frame[etherHeaderLen:etherHeaderLen+ipv4MinHeaderLen], h, n-etherHeaderLen)
	putUDP(frame[etherHeaderLen+ipv4MinHeaderLen:], h)
	return frame, nil
}

// check validates h for a payload of n bytes.
func (h UDP4Header) check(n int) error {
	switch {
	case len(h.DstMAC) != 6:
		return fmt.Errorf("destination MAC address %q is not 6 bytes long", h.DstMAC)
	case len(h.SrcMAC) != 6:
		return fmt.Errorf("source MAC address %q is not 6 bytes long", h.SrcMAC)
	case !h.Src.Is4():
		return fmt.Errorf("source address %v is not IPv4", h.Src)
	case !h.Dst.Is4():
		return fmt.Errorf("destination address %v is not IPv4", h.Dst)
	case n > maxUDP4Payload:
		return fmt.Errorf("payload of %d bytes does not fit in an IPv4 packet", n)
	}
	return nil
}

// putEthernet writes the Ethernet header.
func putEthernet(b []byte, h UDP4Header) {
	copy(b[0:6], h.DstMAC)
	copy(b[6:12], h.SrcMAC)
	binary.BigEndian.PutUint16(b[12:14], etherTypeIPv4)
}

// putIPv4 writes an IPv4 header without options for a packet of total
// bytes.
func putIPv4(b []byte, h UDP4Header, total int) {
	ttl := h.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	b[0] = 4<<4 | ipv4MinHeaderLen/4 // version 4, IHL 5
	b[1] = h.TOS
	binary.BigEndian.PutUint16(b[2:4], uint16(total))
	binary.BigEndian.PutUint16(b[4:6], h.ID)
	binary.BigEndian.PutUint16(b[6:8], ipv4FlagDF) // DF, offset 0
	b[8] = ttl
	b[9] = protoUDP
	b[10], b[11] = 0, 0
	src, dst := h.Src.As4(), h.Dst.As4()
	copy(b[12:16], src[:])
	copy(b[16:20], dst[:])
	binary.BigEndian.PutUint16(b[10:12], checksum(b))
}

// putUDP writes the UDP header at the start of b, the whole datagram, and
// its checksum over the pseudo-header and b.
func putUDP(b []byte, h UDP4Header) {
	binary.BigEndian.PutUint16(b[0:2], h.SrcPort)
	binary.BigEndian.PutUint16(b[2:4], h.DstPort)
	binary.BigEndian.PutUint16(b[4:6], uint16(len(b)))
	b[6], b[7] = 0, 0
	c := ^fold(sum(pseudoHeaderSum(h.Src.As4(), h.Dst.As4(), len(b)), b))
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(b[6:8], c)
}

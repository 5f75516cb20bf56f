package lab

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
)

// ParseFrame decodes an Ethernet frame carrying IPv4/UDP, with or without one
// 802.1Q tag. Every length is checked: any byte string gives a Frame or an error,
// never a panic. Checksums are not verified (captures see offloaded checksums),
// Ethernet padding after the IPv4 datagram is ignored, and fragments are
// rejected. The returned Frame does not share memory with b.
func ParseFrame(b []byte) (Frame, error) {
	if len(b) < ethHeaderLen {
		return Frame{}, fmt.Errorf("failed to parse frame: %d bytes is shorter than an Ethernet header", len(b))
	}
	f := Frame{
		DstMAC: net.HardwareAddr(bytes.Clone(b[0:6])),
		SrcMAC: net.HardwareAddr(bytes.Clone(b[6:12])),
	}
	etherType, rest := binary.BigEndian.Uint16(b[12:14]), b[ethHeaderLen:]
	if etherType == etherTypeVLAN {
		if len(rest) < vlanTagLen {
			return Frame{}, fmt.Errorf("failed to parse frame: truncated 802.1Q tag")
		}
		f.VLAN = binary.BigEndian.Uint16(rest[0:2]) & 0x0fff
		etherType, rest = binary.BigEndian.Uint16(rest[2:4]), rest[vlanTagLen:]
	}
	if etherType != etherTypeIPv4 {
		return Frame{}, fmt.Errorf("failed to parse frame: ethertype %#04x: %w", etherType, errNotUDP)
	}
	udp, err := parseIPv4(&f, rest)
	if err != nil {
		return Frame{}, fmt.Errorf("failed to parse frame: %w", err)
	}
	if err := parseUDP(&f, udp); err != nil {
		return Frame{}, fmt.Errorf("failed to parse frame: %w", err)
	}
	return f, nil
}

// parseIPv4 checks the IPv4 header, fills the addresses and TTL and returns the
// UDP datagram it carries.
func parseIPv4(f *Frame, b []byte) ([]byte, error) {
	if len(b) < ipv4HeaderLen {
		return nil, fmt.Errorf("ipv4 header: %d bytes is too short", len(b))
	}
	if b[0]>>4 != 4 {
		return nil, fmt.Errorf("ipv4 header: version %d", b[0]>>4)
	}
	hlen := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	switch {
	case hlen < ipv4HeaderLen:
		return nil, fmt.Errorf("ipv4 header: header length %d is too short", hlen)
	case total < hlen:
		return nil, fmt.Errorf("ipv4 header: total length %d is shorter than the header length %d", total, hlen)
	case total > len(b):
		return nil, fmt.Errorf("ipv4 header: total length %d exceeds the %d bytes captured", total, len(b))
	}
	if frag := binary.BigEndian.Uint16(b[6:8]); frag&0x3fff != 0 {
		return nil, fmt.Errorf("ipv4 header: fragment (flags and offset %#04x)", frag)
	}
	if b[9] != protoUDP {
		return nil, fmt.Errorf("ipv4 protocol %d: %w", b[9], errNotUDP)
	}
	f.TTL = b[8]
	src, dst := netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20]))
	f.Src, f.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
	return b[hlen:total], nil
}

// parseUDP checks the UDP header and fills the ports and the payload.
func parseUDP(f *Frame, b []byte) error {
	if len(b) < udpHeaderLen {
		return fmt.Errorf("udp header: %d bytes is too short", len(b))
	}
	n := int(binary.BigEndian.Uint16(b[4:6]))
	if n < udpHeaderLen || n > len(b) {
		return fmt.Errorf("udp header: length %d does not fit the %d bytes of the datagram", n, len(b))
	}
	f.Src = netip.AddrPortFrom(f.Src.Addr(), binary.BigEndian.Uint16(b[0:2]))
	f.Dst = netip.AddrPortFrom(f.Dst.Addr(), binary.BigEndian.Uint16(b[2:4]))
	f.Payload = bytes.Clone(b[udpHeaderLen:n])
	return nil
}

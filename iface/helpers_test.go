package iface

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
)

// Test addresses, from the documentation ranges only (RFC 5737).
var (
	testClientMAC = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}
	testRelayMAC  = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}
	testBroadMAC  = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	testRelayIP   = netip.MustParseAddr("203.0.113.1")
	testBroadIP   = netip.MustParseAddr("255.255.255.255")
)

// testHeader is a DHCP-like client broadcast to the server port.
func testHeader() UDP4Header {
	return UDP4Header{
		DstMAC: testBroadMAC, SrcMAC: testClientMAC,
		Src: netip.IPv4Unspecified(), Dst: testBroadIP,
		SrcPort: 68, DstPort: 67, ID: 0x1234,
	}
}

// mustBuild builds a frame with BuildUDP4 or fails the test.
func mustBuild(t testing.TB, h UDP4Header, payload []byte) []byte {
	t.Helper()
	f, err := BuildUDP4(nil, h, payload)
	if err != nil {
		t.Fatalf("BuildUDP4: %v", err)
	}
	return f
}

// refChecksum is a plain RFC 1071 checksum, written independently of the
// package's, to verify it.
func refChecksum(parts ...[]byte) uint16 {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	var s uint32
	for i := 0; i < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// fixIPChecksum recomputes the IPv4 header checksum of a frame whose IP
// header starts at off.
func fixIPChecksum(frame []byte, off int) {
	ip := frame[off:]
	hlen := int(ip[0]&0x0f) * 4
	ip[10], ip[11] = 0, 0
	binary.BigEndian.PutUint16(ip[10:12], refChecksum(ip[:hlen]))
}

// fixUDPChecksum recomputes the UDP checksum of a frame whose IP header
// starts at off, over the UDP length the header says.
func fixUDPChecksum(frame []byte, off int) {
	ip := frame[off:]
	hlen := int(ip[0]&0x0f) * 4
	udp := ip[hlen:]
	ulen := int(binary.BigEndian.Uint16(udp[4:6]))
	udp[6], udp[7] = 0, 0
	pseudo := make([]byte, 12)
	copy(pseudo[0:8], ip[12:20])
	pseudo[9] = 17
	binary.BigEndian.PutUint16(pseudo[10:12], uint16(ulen))
	c := refChecksum(pseudo, udp[:ulen])
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(udp[6:8], c)
}

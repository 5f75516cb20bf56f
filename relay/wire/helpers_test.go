package wire

import (
	"net"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// goldenDiscover is a broadcast DHCPDISCOVER as a client sends it, 300 bytes.
// Options: 53 at 240, 61 at 243, 55 at 252, END at 257, zeros to 300.
func goldenDiscover() []byte {
	b := []byte{
		1,                      // op: BOOTREQUEST
		1,                      // htype: Ethernet
		6,                      // hlen: 6-byte MAC
		0,                      // hops
		0xde, 0xad, 0xbe, 0xef, // xid 0xdeadbeef
		0, 3, // secs: 3
		0x80, 0x00, // flags: BROADCAST
		0, 0, 0, 0, // ciaddr 0.0.0.0
		0, 0, 0, 0, // yiaddr 0.0.0.0
		0, 0, 0, 0, // siaddr 0.0.0.0
		0, 0, 0, 0, // giaddr 0.0.0.0
		0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, // chaddr 02:00:5e:10:00:01
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // chaddr padding to 16 bytes
	}
	b = append(b, make([]byte, SNameLen+FileLen)...) // sname, file: empty
	b = append(b,
		99, 130, 83, 99, // magic cookie
		53, 1, 1, // option 53 message type, length 1: DISCOVER
		61, 7, 1, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, // option 61 client id, length 7: type 1 + MAC
		55, 3, 1, 3, 6, // option 55 parameter request list, length 3: mask, router, DNS
		255, // END
	)
	return append(b, make([]byte, MinMessageLen-len(b))...) // padding to 300
}

// goldenEnd is the offset of END in goldenDiscover.
const goldenEnd = 257

// withCap returns a copy of b in a buffer with room to grow, like the
// relay's 2 KiB read buffer.
func withCap(b []byte, c int) []byte {
	return append(make([]byte, 0, c), b...)
}

// dhcpMessages builds real-looking messages with insomniacslk/dhcp, for seeds
// and table cases.
func dhcpMessages(t testing.TB) map[string][]byte {
	t.Helper()
	mac := net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x02}
	disc, err := dhcpv4.NewDiscovery(mac, dhcpv4.WithBroadcast(true))
	if err != nil {
		t.Fatalf("failed to build discover: %v", err)
	}
	offer, err := dhcpv4.NewReplyFromRequest(disc,
		dhcpv4.WithMessageType(dhcpv4.MessageTypeOffer),
		dhcpv4.WithYourIP(net.IPv4(203, 0, 113, 10)),
		dhcpv4.WithGatewayIP(net.IPv4(203, 0, 113, 1)),
		dhcpv4.WithServerIP(net.IPv4(198, 51, 100, 2)),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(198, 51, 100, 2))),
		dhcpv4.WithRouter(net.IPv4(203, 0, 113, 1)),
		dhcpv4.WithLeaseTime(3600),
		dhcpv4.WithOption(dhcpv4.OptRelayAgentInfo(
			dhcpv4.OptGeneric(dhcpv4.AgentCircuitIDSubOption, []byte("eth1")),
			dhcpv4.OptGeneric(dhcpv4.AgentRemoteIDSubOption, []byte("relay-a")),
		)),
	)
	if err != nil {
		t.Fatalf("failed to build offer: %v", err)
	}
	req, err := dhcpv4.NewRequestFromOffer(offer)
	if err != nil {
		t.Fatalf("failed to build request: %v", err)
	}
	return map[string][]byte{
		"discover": disc.ToBytes(),
		"offer":    offer.ToBytes(),
		"request":  req.ToBytes(),
	}
}

// opt is an option's code and value, for comparing option lists.
type opt struct {
	Code  byte
	Value []byte
}

package relay

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecideDelivery(t *testing.T) {
	var (
		zero   = netip.AddrFrom4([4]byte{})
		client = netip.MustParseAddr("203.0.113.20")
		offer  = netip.MustParseAddr("203.0.113.30")
		bcast  = delivery{kind: deliverBroadcast, dstIP: ipBroadcast}
	)
	tests := []struct {
		name string
		in   replyFacts
		want delivery
	}{
		{"offer to a new client goes to chaddr/yiaddr", replyFacts{yiaddr: offer, ciaddr: zero, ethernet: true}, delivery{deliverYIAddr, offer}},
		{"broadcast flag wins over yiaddr", replyFacts{broadcast: true, yiaddr: offer, ethernet: true}, bcast},
		{"NAK is always broadcast", replyFacts{nak: true, ciaddr: client, ethernet: true}, bcast},
		{"renewal ACK goes to ciaddr", replyFacts{ciaddr: client, yiaddr: client, ethernet: true}, delivery{deliverCIAddr, client}},
		{"INFORM ACK goes to ciaddr", replyFacts{ciaddr: client, yiaddr: zero, ethernet: true}, delivery{deliverCIAddr, client}},
		{"broadcast flag wins over ciaddr", replyFacts{broadcast: true, ciaddr: client, ethernet: true}, bcast},
		{"no address at all is broadcast", replyFacts{ciaddr: zero, yiaddr: zero, ethernet: true}, bcast},
		{"non-Ethernet chaddr is broadcast", replyFacts{yiaddr: offer, ethernet: false}, bcast},
		{"broadcast yiaddr is not unicast", replyFacts{yiaddr: ipBroadcast, ethernet: true}, bcast},
		{"invalid addresses are unset", replyFacts{ethernet: true}, bcast},
		{"multicast yiaddr is not unicast", replyFacts{yiaddr: netip.MustParseAddr("224.0.0.1"), ethernet: true}, bcast},
		{"multicast ciaddr is not unicast: yiaddr then", replyFacts{ciaddr: netip.MustParseAddr("239.1.2.3"), yiaddr: offer, ethernet: true}, delivery{deliverYIAddr, offer}},
		{"broadcast ciaddr is not unicast: yiaddr then", replyFacts{ciaddr: ipBroadcast, yiaddr: offer, ethernet: true}, delivery{deliverYIAddr, offer}},
		{"IPv6 yiaddr is not an IPv4 unicast", replyFacts{yiaddr: netip.MustParseAddr("2001:db8::1"), ethernet: true}, bcast},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decideDelivery(tt.in)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(delivery{}), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("decideDelivery (-want +got):\n%s", diff)
			}
		})
	}
}

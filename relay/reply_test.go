package relay

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/wire"
)

// delivered is what a test checks of a processed reply.
type delivered struct {
	Drop    bool
	Reason  string
	Iface   string
	Kind    string
	DstIP   string
	Has82   bool
	MsgType string
}

func summarizeReply(res replyResult) delivered {
	if res.drop {
		return delivered{Drop: true, Reason: res.reason.String()}
	}
	m := wire.Packet(res.msg)
	_, _, has82 := wire.FindOption(m, wire.OptRelayAgentInfo)
	return delivered{Iface: res.st.name, Kind: res.to.kind.String(), DstIP: res.to.dstIP.String(), Has82: has82, MsgType: m.MessageType().String()}
}

func TestProcessReply(t *testing.T) {
	no := false
	keep := "keep"
	cfg := testConfig(t, config.Flags{})
	st, _ := testState(t, cfg)
	ours := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, st.opt82[0][2:])
	foreign := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, []byte{1, 6, 'p', 'o', 'r', 't', '-', '7'})
	otherRemote := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, []byte{1, 4, 'e', 't', 'h', '1', 2, 3, 'x', 'y', 'z'})
	broken := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, []byte{1, 9, 'e', 't', 'h'})
	client := dhcpv4.WithClientIP([]byte{203, 0, 113, 20})
	tests := []struct {
		name  string
		flags config.Flags
		src   netip.Addr
		msg   []byte
		want  delivered
	}{
		{"offer with our option 82 goes to chaddr/yiaddr, stripped", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, ours), delivered{Iface: "eth1", Kind: "unicast-yiaddr", DstIP: "203.0.113.30", MsgType: "DHCPOFFER"}},
		{"offer without option 82 is found by giaddr", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer), delivered{Iface: "eth1", Kind: "unicast-yiaddr", DstIP: "203.0.113.30", MsgType: "DHCPOFFER"}},
		{"broadcast flag", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, ours, dhcpv4.WithBroadcast(true)), delivered{Iface: "eth1", Kind: "broadcast", DstIP: "255.255.255.255", MsgType: "DHCPOFFER"}},
		{"NAK is broadcast", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeNak, ours, client), delivered{Iface: "eth1", Kind: "broadcast", DstIP: "255.255.255.255", MsgType: "DHCPNAK"}},
		{"renewal ACK goes to ciaddr", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeAck, ours, client), delivered{Iface: "eth1", Kind: "unicast-ciaddr", DstIP: "203.0.113.20", MsgType: "DHCPACK"}},
		{"reply from a non-helper is dropped", config.Flags{}, rogueAddr,
			reply(t, dhcpv4.MessageTypeOffer, ours), delivered{Drop: true, Reason: "non_helper_source"}},
		{"foreign option 82 is dropped", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, foreign), delivered{Drop: true, Reason: "foreign_option82"}},
		{"our circuit-id with another remote-id is foreign", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, otherRemote), delivered{Drop: true, Reason: "foreign_option82"}},
		{"malformed option 82 is dropped", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, broken), delivered{Drop: true, Reason: "bad_option82"}},
		{"foreign option 82 without the check is stripped and delivered", config.Flags{InformationCheck: &no}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, foreign), delivered{Iface: "eth1", Kind: "unicast-yiaddr", DstIP: "203.0.113.30", MsgType: "DHCPOFFER"}},
		{"foreign option 82 on a trusted keep interface stays for the switch below", config.Flags{TrustAll: true, InformationPolicy: &keep}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, foreign), delivered{Iface: "eth1", Kind: "unicast-yiaddr", DstIP: "203.0.113.30", Has82: true, MsgType: "DHCPOFFER"}},
		{"foreign option 82 on an untrusted keep interface is dropped", config.Flags{InformationPolicy: &keep}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, foreign), delivered{Drop: true, Reason: "foreign_option82"}},
		{"non-Ethernet chaddr is broadcast", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, ours, func(d *dhcpv4.DHCPv4) { d.HWType = 6 }), delivered{Iface: "eth1", Kind: "broadcast", DstIP: "255.255.255.255", MsgType: "DHCPOFFER"}},
		{"giaddr not ours", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9})), delivered{Drop: true, Reason: "unknown_giaddr"}},
		{"a request on the upstream socket", config.Flags{}, helperAddr,
			discover(t), delivered{Drop: true, Reason: "reply_malformed"}},
		{"truncated reply", config.Flags{}, helperAddr,
			reply(t, dhcpv4.MessageTypeOffer)[:100], delivered{Drop: true, Reason: "reply_malformed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rt := testState(t, testConfig(t, tt.flags))
			got := summarizeReply(processReply(rt, tt.src, 0, inBuffer(tt.msg)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("processReply (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProcessReplySharedGIAddr checks that interfaces sharing one giaddr
// (source-interface) are told apart by circuit-id, else by the client's
// subnet.
func TestProcessReplySharedGIAddr(t *testing.T) {
	cfg, err := config.ParseWithFlags(nil, config.Flags{
		Interfaces: []string{"eth1", "eth3"}, HelperAddresses: []string{helperAddr.String()},
		SourceInterface: strp("eth2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hostname = "relay1"
	eth3 := iface.Link{Index: 5, Name: "eth3", MAC: testMAC, Up: true, Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.129/25")}}
	links := map[string]iface.Link{"eth1": testLink, "eth2": upstreamLnk, "eth3": eth3}
	var states []*ifState
	for _, l := range []iface.Link{testLink, eth3} {
		ifc, _ := cfg.Match(l.Name)
		st, err := buildState(l, stateInput{cfg: cfg, ifc: ifc, links: links, counters: new(ifaceCounters)})
		if err != nil {
			t.Fatal(err)
		}
		if st.giaddr != upLinkAddr.Addr() {
			t.Fatalf("%s: giaddr %v, want the source interface's %v", l.Name, st.giaddr, upLinkAddr.Addr())
		}
		states = append(states, st)
	}
	rt := buildRoutes(states, nil)
	giaddr := dhcpv4.WithGatewayIP(upLinkAddr.Addr().AsSlice())
	eth3Opt := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, states[1].opt82[0][2:])
	tests := []struct {
		name string
		msg  []byte
		want string
	}{
		{"by circuit-id", reply(t, dhcpv4.MessageTypeOffer, giaddr, eth3Opt), "eth3"},
		{"by yiaddr's subnet", reply(t, dhcpv4.MessageTypeOffer, giaddr, dhcpv4.WithYourIP([]byte{203, 0, 113, 140})), "eth3"},
		{"by yiaddr's subnet, other interface", reply(t, dhcpv4.MessageTypeOffer, giaddr), "eth1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := processReply(rt, helperAddr, 0, inBuffer(tt.msg))
			if res.drop {
				t.Fatalf("dropped: %v", res.reason)
			}
			if res.st.name != tt.want {
				t.Errorf("delivered on %s, want %s", res.st.name, tt.want)
			}
		})
	}
}

// TestReplyIngress: a reply that arrives on a downstream interface is a
// host on a client VLAN spoofing a helper's address, whatever it carries.
func TestReplyIngress(t *testing.T) {
	st, rt := testState(t, testConfig(t, config.Flags{}))
	ours := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, st.opt82[0][2:])
	tests := []struct {
		name    string
		ingress int
		want    delivered
	}{
		{"spoofed from the client VLAN", testLink.Index, delivered{Drop: true, Reason: "reply_from_downstream"}},
		{"from the upstream side", upstreamLnk.Index, delivered{Iface: "eth1", Kind: "unicast-yiaddr", DstIP: "203.0.113.30", MsgType: "DHCPOFFER"}},
		{"ingress unknown", 0, delivered{Iface: "eth1", Kind: "unicast-yiaddr", DstIP: "203.0.113.30", MsgType: "DHCPOFFER"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarizeReply(processReply(rt, helperAddr, tt.ingress, inBuffer(reply(t, dhcpv4.MessageTypeOffer, ours))))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("processReply (-want +got):\n%s", diff)
			}
		})
	}
}

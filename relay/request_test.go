package relay

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/option82"
	"github.com/iphelper/iphelper/relay/wire"
)

// relayed is what a test checks of a relayed request.
type relayed struct {
	Drop      bool
	Reason    string
	GIAddr    string
	Hops      byte
	CircuitID string
	RemoteID  string
	SubOpts   []byte // sub-option codes in order
	Flags     string // the RFC 5010 flags sub-option: "unicast", "broadcast", "" when absent
	Omitted   bool
}

func summarize(t *testing.T, res requestResult) relayed {
	t.Helper()
	if res.drop {
		return relayed{Drop: true, Reason: res.reason.String()}
	}
	m := wire.Packet(res.msg)
	out := relayed{GIAddr: m.GIAddr().String(), Hops: m.Hops(), Omitted: res.omitted}
	if start, end, ok := wire.FindOption(m, wire.OptRelayAgentInfo); ok {
		subs, err := option82.Parse(m[start:end])
		if err != nil {
			t.Fatalf("our option 82 does not parse: %v", err)
		}
		for _, s := range subs {
			out.SubOpts = append(out.SubOpts, s.Code)
			switch s.Code {
			case option82.CircuitID:
				out.CircuitID = string(s.Data)
			case option82.RemoteID:
				out.RemoteID = string(s.Data)
			case option82.Flags:
				out.Flags = "broadcast"
				if len(s.Data) == 1 && s.Data[0]&option82.FlagUnicast != 0 {
					out.Flags = "unicast"
				}
			}
		}
	}
	if !m.HasMagicCookie() {
		return out
	}
	if _, err := dhcpv4.FromBytes(res.msg); err != nil {
		t.Errorf("relayed message does not parse: %v", err)
	}
	return out
}

func TestProcessRequest(t *testing.T) {
	bcast := netip.MustParseAddr("255.255.255.255")
	yes := true
	keep, drop := "keep", "drop"
	foreign82 := dhcpv4.WithOption(dhcpv4.OptRelayAgentInfo(
		dhcpv4.OptGeneric(dhcpv4.AgentCircuitIDSubOption, []byte("switch-port-7"))))
	tests := []struct {
		name  string
		flags config.Flags
		msg   []byte
		dst   netip.Addr
		hops  byte
		want  relayed
	}{
		{
			name: "broadcast discover gets giaddr, hops and option 82",
			msg:  discover(t), dst: bcast,
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}},
		},
		{
			name: "subnet broadcast is ours too",
			msg:  discover(t), dst: netip.MustParseAddr("203.0.113.127"),
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}},
		},
		{
			name:  "templates, link selection, server-id-override with flags",
			flags: config.Flags{CircuitIDs: []string{"vlan{vlan}-{ifname}"}, RemoteID: strp("{hostname}"), LinkSelection: &yes, ServerIDOverride: &yes},
			msg:   discover(t), dst: bcast,
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "vlan0-eth1", RemoteID: "relay1", SubOpts: []byte{1, 2, 5, 11, 10}, Flags: "broadcast"},
		},
		{
			// RFC 5010: the flags sub-option tells the server how the
			// client sent its request; a renewal unicast to our address
			// must not be told it was broadcast.
			name:  "unicast request gets the unicast flag",
			flags: config.Flags{ServerIDOverride: &yes},
			msg:   discover(t), dst: relayAddr.Addr(),
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2, 11, 10}, Flags: "unicast"},
		},
		{
			name:  "subnet broadcast gets the broadcast flag",
			flags: config.Flags{ServerIDOverride: &yes},
			msg:   discover(t), dst: netip.MustParseAddr("203.0.113.127"),
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2, 11, 10}, Flags: "broadcast"},
		},
		{
			name:  "trusted replace of a unicast request gets the unicast flag",
			flags: config.Flags{ServerIDOverride: &yes, TrustAll: true},
			msg:   discover(t, foreign82), dst: relayAddr.Addr(),
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2, 11, 10}, Flags: "unicast"},
		},
		{
			name: "unicast to our address is relayed",
			msg:  discover(t), dst: relayAddr.Addr(),
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}},
		},
		{
			name: "unicast to another host is the kernel's to route",
			msg:  discover(t), dst: helperAddr,
			want: relayed{Drop: true, Reason: "not_for_us"},
		},
		{
			name: "hops over max-hops is dropped",
			msg:  discover(t, withHops(5)), dst: bcast,
			want: relayed{Drop: true, Reason: "max_hops"},
		},
		{
			name: "hops at max-hops is relayed",
			msg:  discover(t, withHops(4)), dst: bcast,
			want: relayed{GIAddr: "203.0.113.1", Hops: 5, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}},
		},
		{
			name: "hops below max-hops is counted up",
			msg:  discover(t, withHops(3)), dst: bcast,
			want: relayed{GIAddr: "203.0.113.1", Hops: 4, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}},
		},
		{
			name: "giaddr of ours is a loop",
			msg:  discover(t, dhcpv4.WithGatewayIP(upLinkAddr.Addr().AsSlice())), dst: bcast,
			want: relayed{Drop: true, Reason: "giaddr_is_ours"},
		},
		{
			name:  "giaddr of another relay is kept on a trusted interface, its option 82 too",
			flags: config.Flags{TrustAll: true},
			msg:   discover(t, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9}), foreign82), dst: bcast,
			want: relayed{GIAddr: "203.0.113.9", Hops: 1, CircuitID: "switch-port-7", SubOpts: []byte{1}},
		},
		{
			name: "giaddr of another relay on an untrusted interface is dropped",
			msg:  discover(t, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9}), foreign82), dst: bcast,
			want: relayed{Drop: true, Reason: "untrusted_giaddr"},
		},
		{
			name: "option 82 with giaddr 0 on an untrusted interface",
			msg:  discover(t, foreign82), dst: bcast,
			want: relayed{Drop: true, Reason: "untrusted_option82"},
		},
		{
			name:  "trusted replace",
			flags: config.Flags{TrustAll: true},
			msg:   discover(t, foreign82), dst: bcast,
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}},
		},
		{
			name:  "trusted keep",
			flags: config.Flags{TrustAll: true, InformationPolicy: &keep},
			msg:   discover(t, foreign82), dst: bcast,
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "switch-port-7", SubOpts: []byte{1}},
		},
		{
			name:  "trusted drop",
			flags: config.Flags{TrustAll: true, InformationPolicy: &drop},
			msg:   discover(t, foreign82), dst: bcast,
			want: relayed{Drop: true, Reason: "policy_drop"},
		},
		{
			name: "plain BOOTP gets giaddr but no option 82",
			msg:  bootp(t), dst: bcast,
			want: relayed{GIAddr: "203.0.113.1", Hops: 1},
		},
		{
			name: "truncated message",
			msg:  discover(t)[:200], dst: bcast,
			want: relayed{Drop: true, Reason: "malformed"},
		},
		{
			name: "a reply on a downstream interface",
			msg:  reply(t, dhcpv4.MessageTypeOffer), dst: bcast,
			want: relayed{Drop: true, Reason: "not_bootrequest"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, rt := testState(t, testConfig(t, tt.flags))
			got := summarize(t, processRequest(st, rt, 4, 1472, datagram(tt.msg, tt.dst)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("processRequest (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProcessRequestOmitsOption82WhenTooBig(t *testing.T) {
	st, rt := testState(t, testConfig(t, config.Flags{}))
	// A long host name leaves no padding after END: the message is exactly
	// as long as its content, and that is the maximum size.
	msg := discover(t, dhcpv4.WithOption(dhcpv4.OptHostName(strings.Repeat("h", 200))))
	res := processRequest(st, rt, 4, len(msg), datagram(msg, ipBroadcast))
	got := summarize(t, res)
	want := relayed{GIAddr: "203.0.113.1", Hops: 1, Omitted: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("processRequest (-want +got):\n%s", diff)
	}
}

// TestProcessRequestNoAddress: an interface with no address has nothing
// to put into giaddr, and a server could not answer: the request is
// dropped, not relayed with giaddr 0.
func TestProcessRequestNoAddress(t *testing.T) {
	cfg := testConfig(t, config.Flags{})
	ifc, _ := cfg.Match("eth1")
	bare := testLink
	bare.Addrs = nil
	st, err := buildState(bare, stateInput{cfg: cfg, ifc: ifc, links: map[string]iface.Link{"eth1": bare}, counters: new(ifaceCounters)})
	if err != nil {
		t.Fatal(err)
	}
	got := summarize(t, processRequest(st, buildRoutes([]*ifState{st}, nil), 4, 1472, datagram(discover(t), ipBroadcast)))
	if diff := cmp.Diff(relayed{Drop: true, Reason: "no_address"}, got); diff != "" {
		t.Errorf("processRequest (-want +got):\n%s", diff)
	}
}

func strp(s string) *string { return &s }

// bootp returns a plain BOOTP request: the DHCP fixed header without the
// magic cookie and options, padded to 300 bytes.
func bootp(t testing.TB) []byte {
	b := discover(t)[:wire.OffCookie]
	return append(b, make([]byte, 300-len(b))...)
}

// reply returns a server's reply to our test client through our giaddr.
func reply(t testing.TB, typ dhcpv4.MessageType, mods ...dhcpv4.Modifier) []byte {
	t.Helper()
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{
		dhcpv4.WithReply(mustDiscover(t)),
		dhcpv4.WithMessageType(typ),
		dhcpv4.WithGatewayIP(relayAddr.Addr().AsSlice()),
		dhcpv4.WithYourIP([]byte{203, 0, 113, 30}),
		dhcpv4.WithServerIP(helperAddr.AsSlice()),
	}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m.ToBytes()
}

func mustDiscover(t testing.TB) *dhcpv4.DHCPv4 {
	m, err := dhcpv4.NewDiscovery(clientMAC)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func withHops(n uint8) dhcpv4.Modifier { return func(d *dhcpv4.DHCPv4) { d.HopCount = n } }

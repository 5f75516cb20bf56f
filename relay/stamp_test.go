package relay

import (
	"bytes"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
)

// collidingStates builds eth1 and eth3, which share eth2's address as
// giaddr (source-interface) and, with circuit-id {vlan} on links that are
// no VLANs, both stamp circuit-id "0". eth3's addresses are addr3.
func collidingStates(t *testing.T, addr3 ...netip.Prefix) []*ifState {
	t.Helper()
	cfg, err := config.ParseWithFlags(nil, config.Flags{
		Interfaces: []string{"eth1", "eth3"}, HelperAddresses: []string{helperAddr.String()},
		SourceInterface: strp("eth2"), CircuitIDs: []string{"{vlan}"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hostname = "relay1"
	eth3 := iface.Link{Index: 5, Name: "eth3", MAC: testMAC, Up: true, Addrs: addr3}
	links := map[string]iface.Link{"eth1": testLink, "eth2": upstreamLnk, "eth3": eth3}
	var states []*ifState
	for _, l := range []iface.Link{testLink, eth3} {
		ifc, _ := cfg.Match(l.Name)
		st, err := buildState(l, stateInput{cfg: cfg, ifc: ifc, links: links, counters: new(ifaceCounters)})
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, st)
	}
	if !bytes.Equal(states[0].opt82[0], states[1].opt82[0]) {
		t.Fatalf("the test needs one option 82 on both: %q, %q", states[0].opt82[0], states[1].opt82[0])
	}
	return states
}

// TestReplyCircuitCollision: when two interfaces share a giaddr and stamp
// the same option 82, a reply goes to the one whose subnet holds the
// client's address, or is dropped, whatever order the links came in;
// never to the other interface.
func TestReplyCircuitCollision(t *testing.T) {
	eth3Addrs := []netip.Prefix{netip.MustParsePrefix("203.0.113.129/26"), netip.MustParsePrefix("203.0.113.193/26")}
	giaddr := dhcpv4.WithGatewayIP(upLinkAddr.Addr().AsSlice())
	tests := []struct {
		name  string
		addr3 []netip.Prefix // eth3's addresses; eth1 has 203.0.113.1/25
		mods  []dhcpv4.Modifier
		mt    dhcpv4.MessageType
		want  delivered
	}{
		{"yiaddr in eth1's subnet", eth3Addrs,
			[]dhcpv4.Modifier{dhcpv4.WithYourIP([]byte{203, 0, 113, 30})}, dhcpv4.MessageTypeOffer,
			delivered{Iface: "eth1", Kind: "unicast-yiaddr", DstIP: "203.0.113.30", MsgType: "DHCPOFFER"}},
		{"yiaddr in eth3's subnet", eth3Addrs,
			[]dhcpv4.Modifier{dhcpv4.WithYourIP([]byte{203, 0, 113, 140})}, dhcpv4.MessageTypeOffer,
			delivered{Iface: "eth3", Kind: "unicast-yiaddr", DstIP: "203.0.113.140", MsgType: "DHCPOFFER"}},
		{"renewal ACK by ciaddr", eth3Addrs,
			[]dhcpv4.Modifier{dhcpv4.WithYourIP([]byte{0, 0, 0, 0}), dhcpv4.WithClientIP([]byte{203, 0, 113, 140})}, dhcpv4.MessageTypeAck,
			delivered{Iface: "eth3", Kind: "unicast-ciaddr", DstIP: "203.0.113.140", MsgType: "DHCPACK"}},
		{"NAK names no client address", eth3Addrs,
			[]dhcpv4.Modifier{dhcpv4.WithYourIP([]byte{0, 0, 0, 0})}, dhcpv4.MessageTypeNak,
			delivered{Drop: true, Reason: "circuit_id_collision"}},
		{"yiaddr in neither subnet", eth3Addrs,
			[]dhcpv4.Modifier{dhcpv4.WithYourIP([]byte{198, 51, 100, 200})}, dhcpv4.MessageTypeOffer,
			delivered{Drop: true, Reason: "circuit_id_collision"}},
		{"yiaddr in eth3's secondary subnet", eth3Addrs,
			[]dhcpv4.Modifier{dhcpv4.WithYourIP([]byte{203, 0, 113, 200})}, dhcpv4.MessageTypeOffer,
			delivered{Iface: "eth3", Kind: "unicast-yiaddr", DstIP: "203.0.113.200", MsgType: "DHCPOFFER"}},
		{"both on one subnet", []netip.Prefix{netip.MustParsePrefix("203.0.113.2/25")},
			[]dhcpv4.Modifier{dhcpv4.WithYourIP([]byte{203, 0, 113, 30})}, dhcpv4.MessageTypeOffer,
			delivered{Drop: true, Reason: "circuit_id_collision"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			states := collidingStates(t, tt.addr3...)
			mods := append([]dhcpv4.Modifier{giaddr, dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, states[0].opt82[0][2:])}, tt.mods...)
			for _, order := range [][]*ifState{states, {states[1], states[0]}} {
				rt := buildRoutes(order, nil)
				got := summarizeReply(processReply(rt, helperAddr, 0, inBuffer(reply(t, tt.mt, mods...))))
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("states %s, %s: processReply (-want +got):\n%s", order[0].name, order[1].name, diff)
				}
			}
		})
	}
}

// TestReplySharedSubnetNoOption82: a reply without option 82 for a group
// whose subnets both hold the client's address is dropped, not delivered
// on whichever interface was listed first.
func TestReplySharedSubnetNoOption82(t *testing.T) {
	states := collidingStates(t, netip.MustParsePrefix("203.0.113.2/25"))
	giaddr := dhcpv4.WithGatewayIP(upLinkAddr.Addr().AsSlice())
	for _, order := range [][]*ifState{states, {states[1], states[0]}} {
		rt := buildRoutes(order, nil)
		got := summarizeReply(processReply(rt, helperAddr, 0, inBuffer(reply(t, dhcpv4.MessageTypeOffer, giaddr))))
		want := delivered{Drop: true, Reason: "unknown_giaddr"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("states %s, %s: processReply (-want +got):\n%s", order[0].name, order[1].name, diff)
		}
	}
}

// TestLogCollisions: a collision is found when the routes are built and
// logged once, naming both interfaces, whatever order they came in.
func TestLogCollisions(t *testing.T) {
	states := collidingStates(t, netip.MustParsePrefix("203.0.113.129/25"))
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTimeAttr}))
	first := buildRoutes(states, nil)
	logCollisions(log, nil, first)
	logCollisions(log, first, buildRoutes([]*ifState{states[1], states[0]}, nil))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("logged %d lines, want 1:\n%s", len(lines), buf.String())
	}
	for _, want := range []string{"level=ERROR", `interfaces="eth1, eth3"`, "giaddr=198.51.100.1", `circuit_id="\"0\""`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line lacks %s:\n%s", want, lines[0])
		}
	}
	if got := buildRoutes(states[:1], nil).collisions; len(got) != 0 {
		t.Errorf("one interface alone collides: %v", got)
	}
	names := first.collisions[0].names
	if !slices.Equal(names, []string{"eth1", "eth3"}) {
		t.Errorf("collision names %v", names)
	}
}

func noTimeAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// TestCollisionReplyAllocs: resolving a shared option 82 by subnet keeps
// the reply path free of allocations.
func TestCollisionReplyAllocs(t *testing.T) {
	states := collidingStates(t, netip.MustParsePrefix("203.0.113.129/25"))
	rt := buildRoutes(states, nil)
	msg := reply(t, dhcpv4.MessageTypeOffer, dhcpv4.WithGatewayIP(upLinkAddr.Addr().AsSlice()),
		dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, states[0].opt82[0][2:]), dhcpv4.WithYourIP([]byte{203, 0, 113, 140}))
	buf := inBuffer(msg)
	allocs := testing.AllocsPerRun(100, func() {
		b := buf[:len(msg)]
		copy(b, msg)
		if res := processReply(rt, helperAddr, 0, b); res.drop || res.st.name != "eth3" {
			t.Fatalf("not delivered on eth3: %+v", res.reason)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per reply, want 0", allocs)
	}
}

package relay

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/ratelimit"
)

// TestRelayedRequestNeedsTrustedInterface: a request with giaddr set comes
// from a relay agent below us, so only an interface configured to face
// relays (trusted) accepts it. On an access port a client could otherwise
// set a giaddr to skip verify-chaddr and the untrusted option-82 rule:
// release another client's lease, bring its own option 82, choose where
// the server answers.
func TestRelayedRequestNeedsTrustedInterface(t *testing.T) {
	victim := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x42}
	otherRelay := dhcpv4.WithGatewayIP(net.IP{203, 0, 113, 9})
	own82 := dhcpv4.WithOption(dhcpv4.OptRelayAgentInfo(
		dhcpv4.OptGeneric(dhcpv4.AgentCircuitIDSubOption, []byte("reserved-port")),
		dhcpv4.OptGeneric(dhcpv4.LinkSelectionSubOption, []byte{198, 51, 100, 0})))
	trusted := config.Flags{TrustedInterfaces: []string{"eth1"}}
	tests := []struct {
		name  string
		flags config.Flags
		msg   []byte
		want  relayed
	}{
		{
			name: "a forged giaddr with a spoofed chaddr and the client's own option 82",
			msg:  message(t, dhcpv4.MessageTypeDiscover, victim, otherRelay, own82),
			want: relayed{Drop: true, Reason: "untrusted_giaddr"},
		},
		{
			name: "a RELEASE of another client's lease with a forged giaddr",
			msg: message(t, dhcpv4.MessageTypeRelease, victim, otherRelay,
				dhcpv4.WithClientIP(net.IP{203, 0, 113, 30})),
			want: relayed{Drop: true, Reason: "untrusted_giaddr"},
		},
		{
			name: "a forged giaddr without option 82",
			msg:  message(t, dhcpv4.MessageTypeRequest, clientMAC, otherRelay),
			want: relayed{Drop: true, Reason: "untrusted_giaddr"},
		},
		{
			name: "plain BOOTP with a forged giaddr",
			msg:  withGIAddr(bootp(t), 203, 0, 113, 9),
			want: relayed{Drop: true, Reason: "untrusted_giaddr"},
		},
		{
			name: "our own giaddr is still a loop or a spoof",
			msg:  message(t, dhcpv4.MessageTypeDiscover, clientMAC, dhcpv4.WithGatewayIP(relayAddr.Addr().AsSlice())),
			want: relayed{Drop: true, Reason: "giaddr_is_ours"},
		},
		{
			name:  "a relay below a trusted interface is relayed untouched",
			flags: trusted,
			msg:   message(t, dhcpv4.MessageTypeDiscover, victim, otherRelay, own82),
			want:  relayed{GIAddr: "203.0.113.9", Hops: 1, CircuitID: "reserved-port", SubOpts: []byte{1, 5}},
		},
		{
			name:  "a relayed RELEASE below a trusted interface",
			flags: trusted,
			msg: message(t, dhcpv4.MessageTypeRelease, victim, otherRelay,
				dhcpv4.WithClientIP(net.IP{203, 0, 113, 30})),
			want: relayed{GIAddr: "203.0.113.9", Hops: 1},
		},
		{
			name:  "trust-all trusts relays too",
			flags: config.Flags{TrustAll: true},
			msg:   message(t, dhcpv4.MessageTypeDiscover, clientMAC, otherRelay),
			want:  relayed{GIAddr: "203.0.113.9", Hops: 1},
		},
		{
			name: "giaddr 0 on an untrusted interface is relayed as before",
			msg:  message(t, dhcpv4.MessageTypeDiscover, clientMAC),
			want: relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, rt := testState(t, testConfig(t, tt.flags))
			got := summarize(t, processRequest(st, rt, 4, 1472, datagram(tt.msg, ipBroadcast)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("processRequest (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMaxHopsDropsOnlyAboveTheLimit: RFC 1542 §4.1.1 discards a request
// whose hops exceeds the threshold; one at the threshold is relayed with
// one hop more, so max-hops 16 relays hops 16 as 17.
func TestMaxHopsDropsOnlyAboveTheLimit(t *testing.T) {
	tests := []struct {
		name    string
		maxHops int
		hops    byte
		want    relayed
	}{
		{name: "below the limit", maxHops: 4, hops: 3, want: relayed{GIAddr: "203.0.113.1", Hops: 4}},
		{name: "at the default limit", maxHops: 4, hops: 4, want: relayed{GIAddr: "203.0.113.1", Hops: 5}},
		{name: "over the default limit", maxHops: 4, hops: 5, want: relayed{Drop: true, Reason: "max_hops"}},
		{name: "at the largest limit", maxHops: 16, hops: 16, want: relayed{GIAddr: "203.0.113.1", Hops: 17}},
		{name: "over the largest limit", maxHops: 16, hops: 17, want: relayed{Drop: true, Reason: "max_hops"}},
		{name: "hops 255", maxHops: 16, hops: 255, want: relayed{Drop: true, Reason: "max_hops"}},
		{name: "limit 1, a client's own request", maxHops: 1, hops: 0, want: relayed{GIAddr: "203.0.113.1", Hops: 1}},
		{name: "at limit 1", maxHops: 1, hops: 1, want: relayed{GIAddr: "203.0.113.1", Hops: 2}},
		{name: "over limit 1", maxHops: 1, hops: 2, want: relayed{Drop: true, Reason: "max_hops"}},
	}
	off := false
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, rt := testState(t, testConfig(t, config.Flags{InformationOption: &off}))
			res := processRequest(st, rt, tt.maxHops, 1472, datagram(discover(t, withHops(tt.hops)), ipBroadcast))
			if diff := cmp.Diff(tt.want, summarize(t, res)); diff != "" {
				t.Errorf("processRequest with max-hops %d (-want +got):\n%s", tt.maxHops, diff)
			}
		})
	}
}

// message returns a client message of type typ from chaddr, edited by mods.
func message(t testing.TB, typ dhcpv4.MessageType, chaddr net.HardwareAddr, mods ...dhcpv4.Modifier) []byte {
	t.Helper()
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{
		dhcpv4.WithHwAddr(chaddr), dhcpv4.WithMessageType(typ),
	}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m.ToBytes()
}

// withGIAddr sets a message's giaddr bytes.
func withGIAddr(msg []byte, a, b, c, d byte) []byte {
	copy(msg[24:28], []byte{a, b, c, d})
	return msg
}

// TestForgedRelayedReleaseFreesNothing drives the relay's read path: a
// RELEASE from an access port that names another client's binding behind a
// forged giaddr is dropped and counted as untrusted_giaddr, nothing is sent
// upstream, and the binding stays. Through a trusted interface the same
// message is a relay's, and is relayed.
func TestForgedRelayedReleaseFreesNothing(t *testing.T) {
	victim := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x42}
	leased := netip.MustParseAddr("203.0.113.30")
	tests := []struct {
		name        string
		flags       config.Flags
		wantDrops   map[string]uint64
		wantRelayed uint64
		wantBinding bool
	}{
		{name: "access port", wantDrops: map[string]uint64{"untrusted_giaddr": 1}, wantBinding: true},
		{name: "trusted interface", flags: config.Flags{TrustAll: true}, wantDrops: map[string]uint64{}, wantRelayed: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, tt.flags)
			st, rt := testState(t, cfg)
			up := newFakeUpstream()
			table := bindings.New(16)
			r := New(cfg, nil, discardLog(), Options{Upstream: up, Bindings: table})
			r.routes.Store(rt)
			table.Learn(bindings.Binding{Addr: leased, MAC: victim, Interface: "eth1", Expiry: time.Now().Add(time.Hour)})
			msg := message(t, dhcpv4.MessageTypeRelease, victim,
				dhcpv4.WithGatewayIP(net.IP{203, 0, 113, 9}), dhcpv4.WithClientIP(leased.AsSlice()))
			frame, err := iface.BuildUDP4(make([]byte, readBufSize), iface.UDP4Header{
				SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
			}, msg)
			if err != nil {
				t.Fatal(err)
			}
			lim := ratelimit.NewInterface(ratelimit.Config{ClientRate: 10, ClientBurst: 20, InterfaceRate: 2000, InterfaceBurst: 4000}, time.Now())
			out := &requestOut{}
			testAgent(r, st, lim).handleFrame(frame, iface.FrameInfo{}, out, time.Now())
			r.flushRequests(out)

			s := st.counters.snapshot("eth1")
			drops := map[string]uint64{}
			for k, v := range s.Drops {
				if v != 0 {
					drops[k] = v
				}
			}
			if diff := cmp.Diff(tt.wantDrops, drops); diff != "" {
				t.Errorf("drops (-want +got):\n%s", diff)
			}
			if s.RequestsRelayed != tt.wantRelayed || uint64(len(up.sent)) != tt.wantRelayed {
				t.Errorf("%d relayed, %d sent upstream, want %d", s.RequestsRelayed, len(up.sent), tt.wantRelayed)
			}
			if _, ok := table.Lookup(leased, time.Now()); ok != tt.wantBinding {
				t.Errorf("binding of %s present = %v after the RELEASE, want %v", leased, ok, tt.wantBinding)
			}
		})
	}
}

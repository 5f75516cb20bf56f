package relay

import (
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/ratelimit"
)

// TestVerifyCHAddr: a request with giaddr 0 whose chaddr is not the frame's
// source is dropped (default on); one relayed by an agent below us (on a
// trusted interface, the only kind that accepts one) is not checked, and
// the check can be turned off.
func TestVerifyCHAddr(t *testing.T) {
	other := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x77}
	off := false
	tests := []struct {
		name  string
		flags config.Flags
		msg   []byte
		want  relayed
	}{
		{"spoofed chaddr", config.Flags{}, discover(t), relayed{Drop: true, Reason: "chaddr_mismatch"}},
		{"check off", config.Flags{VerifyCHAddr: &off}, discover(t),
			relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}}},
		{"relayed from below is not checked", config.Flags{TrustAll: true}, discover(t, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9})),
			relayed{GIAddr: "203.0.113.9", Hops: 1}},
		{"chaddr is the source", config.Flags{}, discover(t, dhcpv4.WithHwAddr(other)),
			relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}}},
		// A client on an Ethernet link has an Ethernet chaddr: another
		// hardware type or length is how a starvation tool would slip
		// random chaddrs past the comparison.
		{"IEEE 802 hardware type from an Ethernet frame", config.Flags{}, withHeader(discover(t, dhcpv4.WithHwAddr(other)), 6, 6),
			relayed{Drop: true, Reason: "chaddr_mismatch"}},
		{"hardware length 16", config.Flags{}, withHeader(discover(t, dhcpv4.WithHwAddr(other)), 1, 16),
			relayed{Drop: true, Reason: "chaddr_mismatch"}},
		{"hardware length 0", config.Flags{}, withHeader(discover(t, dhcpv4.WithHwAddr(other)), 1, 0),
			relayed{Drop: true, Reason: "chaddr_mismatch"}},
		{"another hardware type, check off", config.Flags{VerifyCHAddr: &off}, withHeader(discover(t, dhcpv4.WithHwAddr(other)), 6, 6),
			relayed{GIAddr: "203.0.113.1", Hops: 1, CircuitID: "eth1", RemoteID: "relay1", SubOpts: []byte{1, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, rt := testState(t, testConfig(t, tt.flags))
			dg := datagram(tt.msg, ipBroadcast)
			dg.SrcMAC = other
			got := summarize(t, processRequest(st, rt, 4, 1472, dg))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("processRequest (-want +got):\n%s", diff)
			}
		})
	}
}

// withHeader sets a message's htype and hlen bytes.
func withHeader(msg []byte, htype, hlen byte) []byte {
	msg[1], msg[2] = htype, hlen
	return msg
}

// countingUpstream is an UpstreamConn that counts the datagrams sent and
// never blocks, so that a relay that sends too much is counted, not stuck.
type countingUpstream struct {
	*fakeUpstream
	sent atomic.Int64
}

func (u *countingUpstream) WriteMsgUDPAddrPort(b, oob []byte, addr netip.AddrPort) (int, int, error) {
	u.sent.Add(1)
	return len(b), len(oob), nil
}

// limitRig runs handleFrame on eth1 with lim, all at one instant (no
// bucket refills), over an upstream that counts what it is sent.
type limitRig struct {
	r   *Relay
	st  *ifState
	up  *countingUpstream
	out *requestOut
	now time.Time
}

func newLimitRig(t *testing.T, cfg *config.Config) *limitRig {
	t.Helper()
	st, _ := testState(t, cfg)
	up := &countingUpstream{fakeUpstream: newFakeUpstream()}
	r := New(cfg, nil, discardLog(), Options{Upstream: up})
	r.routes.Store(buildRoutes([]*ifState{st}, nil))
	return &limitRig{r: r, st: st, up: up, out: &requestOut{}, now: time.Now()}
}

// relay hands the relay one DISCOVER of mac, as a frame from mac, and
// sends what it queued.
func (g *limitRig) relay(t *testing.T, lim *ratelimit.Interface, mac net.HardwareAddr) {
	t.Helper()
	testAgent(g.r, g.st, lim).handleFrame(clientFrame(t, discover(t, dhcpv4.WithHwAddr(mac)), mac), iface.FrameInfo{}, g.out, g.now)
	g.r.flushRequests(g.out)
}

// clientFrame is msg broadcast by a client with Ethernet source mac, in a
// buffer with the read buffer's room: the relay edits a frame in place.
func clientFrame(t *testing.T, msg []byte, mac net.HardwareAddr) []byte {
	t.Helper()
	f, err := iface.BuildUDP4(make([]byte, readBufSize), iface.UDP4Header{
		SrcMAC: mac, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, msg)
	if err != nil {
		t.Fatal(err)
	}
	return append(make([]byte, 0, readBufSize), f...)
}

// limitCounts is what a rate-limit test checks.
type limitCounts struct {
	Drops   map[string]uint64
	Relayed uint64
	Sent    int64
}

func (g *limitRig) counts() limitCounts {
	s := g.st.counters.snapshot("eth1")
	drops := make(map[string]uint64)
	for k, v := range s.Drops {
		if v != 0 {
			drops[k] = v
		}
	}
	return limitCounts{Drops: drops, Relayed: s.RequestsRelayed, Sent: g.up.sent.Load()}
}

// TestClientRateLimit: a client over its rate is dropped before any
// parsing, counted, and not relayed; another client on the interface is
// not affected.
func TestClientRateLimit(t *testing.T) {
	g := newLimitRig(t, testConfig(t, config.Flags{}))
	lim := ratelimit.NewInterface(ratelimit.Config{ClientRate: 10, ClientBurst: 20, InterfaceRate: 2000, InterfaceBurst: 4000}, g.now)
	for range 100 {
		g.relay(t, lim, clientMAC)
	}
	g.relay(t, lim, net.HardwareAddr{0x02, 0, 0, 0, 0, 0x55})
	want := limitCounts{Drops: map[string]uint64{"rate_limit_client": 80}, Relayed: 21, Sent: 21}
	if diff := cmp.Diff(want, g.counts()); diff != "" {
		t.Errorf("100 requests of a client with a burst of 20, then one of another (-want +got):\n%s", diff)
	}
}

// TestInterfaceRateLimit: past the interface's burst, requests from any
// client are dropped, counted and not relayed.
func TestInterfaceRateLimit(t *testing.T) {
	g := newLimitRig(t, testConfig(t, config.Flags{}))
	lim := ratelimit.NewInterface(ratelimit.Config{InterfaceRate: 1, InterfaceBurst: 5}, g.now)
	for i := range 20 {
		g.relay(t, lim, net.HardwareAddr{0x02, 0, 0, 0, 1, byte(i)})
	}
	want := limitCounts{Drops: map[string]uint64{"rate_limit_interface": 15}, Relayed: 5, Sent: 5}
	if diff := cmp.Diff(want, g.counts()); diff != "" {
		t.Errorf("20 clients, an interface burst of 5 (-want +got):\n%s", diff)
	}
}

// TestHelperRateLimit: past a helper's ceiling, the copy for that helper
// is dropped and counted; the other helper still gets every request.
func TestHelperRateLimit(t *testing.T) {
	second := netip.MustParseAddr("198.51.100.3")
	cfg := testConfig(t, config.Flags{HelperAddresses: []string{second.String()}})
	cfg.HelperRate, cfg.HelperBurst = 0.001, 3 // no refill within the test
	g := newLimitRig(t, cfg)
	g.st.helperLims = g.r.helperLimiters(cfg, g.st.helpers[:1]) // the ceiling on the first helper only
	g.now = time.Now()
	for i := range 10 {
		g.relay(t, nil, net.HardwareAddr{0x02, 0, 0, 0, 2, byte(i)})
	}
	want := limitCounts{Drops: map[string]uint64{"rate_limit_helper": 7}, Relayed: 10, Sent: 13}
	if diff := cmp.Diff(want, g.counts()); diff != "" {
		t.Errorf("10 requests, a ceiling of 3 on one of two helpers (-want +got):\n%s", diff)
	}
	if got := g.r.helperCounter(g.st, g.st.helpers[0].Addr()).sent.Load(); got != 3 {
		t.Errorf("%d sent to the limited helper, want 3", got)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

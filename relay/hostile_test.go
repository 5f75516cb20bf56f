package relay

import (
	"log/slog"
	"net"
	"testing"
	"time"

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
			relayed{GIAddr: "203.0.113.1", Hops: 1}},
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
			relayed{GIAddr: "203.0.113.1", Hops: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, rt := testState(t, testConfig(t, tt.flags))
			dg := datagram(tt.msg, ipBroadcast)
			dg.SrcMAC = other
			got := summarize(t, processRequest(st, rt, 4, 1472, dg))
			if got.Drop != tt.want.Drop || got.Reason != tt.want.Reason || got.GIAddr != tt.want.GIAddr {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// withHeader sets a message's htype and hlen bytes.
func withHeader(msg []byte, htype, hlen byte) []byte {
	msg[1], msg[2] = htype, hlen
	return msg
}

// TestClientRateLimit: a client over its rate is dropped before any
// parsing and counted; another client on the interface is not affected.
func TestClientRateLimit(t *testing.T) {
	st, _ := testState(t, testConfig(t, config.Flags{}))
	r := New(testConfig(t, config.Flags{}), nil, discardLog(), Options{Upstream: newFakeUpstream()})
	r.routes.Store(buildRoutes([]*ifState{st}, nil))
	lim := ratelimit.NewInterface(ratelimit.Config{ClientRate: 10, ClientBurst: 20, InterfaceRate: 2000, InterfaceBurst: 4000}, time.Now())
	frame := func(mac net.HardwareAddr) []byte {
		msg := discover(t, dhcpv4.WithHwAddr(mac))
		f, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
			SrcMAC: mac, DstMAC: macBroadcast, Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
		}, msg)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	flood, calm := frame(clientMAC), frame(net.HardwareAddr{0x02, 0, 0, 0, 0, 0x55})
	// The relay edits a frame in place, as it does its read buffer: each
	// call gets a fresh copy.
	start := time.Now()
	out := &requestOut{}
	for range 100 {
		r.handleFrame(st, lim, append(make([]byte, 0, readBufSize), flood...), iface.FrameInfo{}, out, time.Now())
		r.flushRequests(out)
	}
	// The bucket refills at 10/s while the loop runs (slowly, under -race).
	refill := int(10*time.Since(start).Seconds()) + 1
	r.handleFrame(st, lim, append(make([]byte, 0, readBufSize), calm...), iface.FrameInfo{}, out, time.Now())
	r.flushRequests(out)
	s := st.counters.snapshot("eth1")
	if got := int(s.Drops["rate_limit_client"]); got < 80-refill || got > 80 {
		t.Errorf("%d flood requests dropped by the client limit, want 80 (100 minus a burst of 20) less at most %d refilled", got, refill)
	}
	if s.RequestsRelayed < 21 {
		t.Errorf("%d requests relayed, want the flood's burst of 20 and the calm client's one; drops %v", s.RequestsRelayed, s.Drops)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

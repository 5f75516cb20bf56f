package relay

import (
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/trace"
)

// BenchmarkRequestPath measures the request path from a received frame to
// the message handed to the UDP socket: frame parse, checks, giaddr,
// option 82 insertion, hops. It must not allocate.
func BenchmarkRequestPath(b *testing.B) {
	st, rt := testState(b, testConfig(b, config.Flags{}))
	msg := discover(b)
	frame := make([]byte, 0, 2048)
	frame, err := iface.BuildUDP4(frame[:cap(frame)], iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, msg)
	if err != nil {
		b.Fatal(err)
	}
	orig := append([]byte(nil), frame...)
	buf := make([]byte, len(frame), readBufSize)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		copy(buf, orig) // the socket read
		dg, err := iface.ParseUDP4(buf[:len(orig)], iface.FrameInfo{})
		if err != nil {
			b.Fatal(err)
		}
		if res := processRequest(st, rt, 4, 1472, dg); res.drop {
			b.Fatal(res.reason)
		}
	}
}

// BenchmarkReplyPath measures the reply path from a received datagram to
// the frame handed to the packet socket: checks, option 82 match and strip,
// delivery decision, frame build. It must not allocate.
func BenchmarkReplyPath(b *testing.B) {
	st, rt := testState(b, testConfig(b, config.Flags{}))
	orig := reply(b, dhcpv4.MessageTypeOffer, dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, st.opt82[0][2:]))
	buf := make([]byte, len(orig))
	frame := make([]byte, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(len(orig)))
	for b.Loop() {
		copy(buf, orig) // the socket read
		res := processReply(rt, helperAddr, 0, buf)
		if res.drop {
			b.Fatal(res.reason)
		}
		if _, err := iface.BuildUDP4(frame, iface.UDP4Header{
			SrcMAC: st.link.MAC, DstMAC: clientMAC, Src: st.addr.Addr(), Dst: res.to.dstIP, SrcPort: 67, DstPort: 68,
		}, res.msg); err != nil {
			b.Fatal(err)
		}
	}
}

// nullUpstream is an UpstreamConn that discards every send.
type nullUpstream struct{ fakeUpstream }

func (*nullUpstream) WriteMsgUDPAddrPort(b, oob []byte, _ netip.AddrPort) (int, int, error) {
	return len(b), len(oob), nil
}

// BenchmarkHandleFrame measures one frame through an agent's handleFrame
// and the send of its outbox, with a tracer attached that nobody watches:
// the counters and the trace hooks of every step included, and the health
// trackers of the helper set and of its helper (the same transaction
// every time: a retransmission). It must not allocate.
func BenchmarkHandleFrame(b *testing.B) { benchHandleFrame(b, config.Flags{}) }

// BenchmarkHandleFrameForwardingPorts is BenchmarkHandleFrame on an
// interface that also forwards IOS's default UDP ports: what a DHCP
// request pays for them (the peek at its UDP port that picks its rate
// limiter).
func BenchmarkHandleFrameForwardingPorts(b *testing.B) {
	benchHandleFrame(b, config.Flags{ForwardProtocols: []string{"ios-defaults"}})
}

func benchHandleFrame(b *testing.B, flags config.Flags) {
	cfg := testConfig(b, flags)
	st, rt := testState(b, cfg)
	r := New(cfg, nil, slog.New(slog.DiscardHandler), Options{Upstream: &nullUpstream{}, Tracer: trace.New(0, nil)})
	r.routes.Store(rt)
	st.tracker, st.latency = r.trackers.forHelpers(cfg, st.cfg)
	st.members = r.trackers.members(st.cfg.Helpers)
	msg := discover(b)
	frame, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, msg)
	if err != nil {
		b.Fatal(err)
	}
	orig := append([]byte(nil), frame...)
	buf := make([]byte, len(frame), readBufSize)
	out := &requestOut{}
	a := testAgent(r, st, nil)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, orig)
		a.handleFrame(buf[:len(orig)], iface.FrameInfo{}, out, now)
		r.flushRequests(out)
	}
	if st.counters.requestsRelayed.Load() == 0 {
		b.Fatal("nothing relayed")
	}
}

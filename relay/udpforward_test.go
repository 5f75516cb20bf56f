package relay

import (
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

var fwdClientAddr = netip.MustParseAddr("203.0.113.50")

// fakeRawIP records the packets sent on the raw IPv4 socket.
type fakeRawIP struct {
	mu   sync.Mutex
	sent [][]byte
	dsts []netip.Addr
}

func (f *fakeRawIP) WriteIP(pkt []byte, dst netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, append([]byte(nil), pkt...))
	f.dsts = append(f.dsts, dst)
	return nil
}

func (f *fakeRawIP) Close() error { return nil }

// nullRawIP discards every packet, for the benchmark.
type nullRawIP struct{}

func (nullRawIP) WriteIP([]byte, netip.Addr) error { return nil }
func (nullRawIP) Close() error                     { return nil }

// fwdFrame is a UDP broadcast from src:40000 to dst:port with TTL ttl.
func fwdFrame(t testing.TB, src, dst netip.Addr, port uint16, ttl uint8, payload []byte) []byte {
	t.Helper()
	f, err := iface.BuildUDP4(make([]byte, readBufSize), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: src, Dst: dst, TTL: ttl, ID: 0x1234, SrcPort: 40000, DstPort: port,
	}, payload)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestForwardDecision is the forwarding decision of one broadcast read on
// eth1 (203.0.113.1/25), which forwards port 69 to its helper and port 9 to
// the listed servers.
func TestForwardDecision(t *testing.T) {
	cfg := testConfig(t, config.Flags{ForwardProtocols: []string{"udp:69", "udp:9"}})
	st, rt := testState(t, cfg)
	bcast := netip.MustParseAddr("203.0.113.127")
	tests := []struct {
		name   string
		src    netip.Addr
		dst    netip.Addr
		port   uint16
		ttl    uint8
		reason Reason // 0: forwarded
	}{
		{name: "limited broadcast", src: fwdClientAddr, dst: ipBroadcast, port: 69, ttl: 64},
		{name: "the subnet's directed broadcast", src: fwdClientAddr, dst: bcast, port: 69, ttl: 64},
		{name: "TTL 2 still has a hop", src: fwdClientAddr, dst: ipBroadcast, port: 69, ttl: 2},
		{name: "port not forwarded", src: fwdClientAddr, dst: ipBroadcast, port: 137, ttl: 64, reason: ReasonUDPPortNotForwarded},
		{name: "unicast to the relay", src: fwdClientAddr, dst: relayAddr.Addr(), port: 69, ttl: 64, reason: ReasonNotForUs},
		{name: "unicast elsewhere", src: fwdClientAddr, dst: helperAddr, port: 69, ttl: 64, reason: ReasonNotForUs},
		{name: "another subnet's broadcast", src: fwdClientAddr, dst: netip.MustParseAddr("198.51.100.127"), port: 69, ttl: 64, reason: ReasonNotForUs},
		{name: "forged source from another subnet", src: netip.MustParseAddr("198.51.100.50"), dst: ipBroadcast, port: 69, ttl: 64, reason: ReasonUDPForgedSource},
		{name: "source 0.0.0.0", src: netip.IPv4Unspecified(), dst: ipBroadcast, port: 69, ttl: 64, reason: ReasonUDPForgedSource},
		{name: "source is the relay's own address", src: relayAddr.Addr(), dst: ipBroadcast, port: 69, ttl: 64, reason: ReasonUDPForgedSource},
		{name: "source is the subnet's broadcast", src: bcast, dst: ipBroadcast, port: 69, ttl: 64, reason: ReasonUDPForgedSource},
		{name: "source is the subnet's network address", src: netip.MustParseAddr("203.0.113.0"), dst: ipBroadcast, port: 69, ttl: 64, reason: ReasonUDPForgedSource},
		{name: "TTL 1", src: fwdClientAddr, dst: ipBroadcast, port: 69, ttl: 1, reason: ReasonUDPTTLExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dg, err := iface.ParseUDP4(fwdFrame(t, tt.src, tt.dst, tt.port, tt.ttl, []byte("x")), iface.FrameInfo{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.ttl == 0 {
				dg.TTL = 0
			}
			_, reason, ok := admitForward(st, rt, dg)
			if ok {
				reason = 0
			}
			if diff := cmp.Diff(tt.reason.String(), reason.String()); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}

// TestForwardRoute is where one copy goes: never back onto the ingress
// subnet, a local subnet's broadcast only on a served interface that
// allows it, anything else routed.
func TestForwardRoute(t *testing.T) {
	cfg := testConfig(t, config.Flags{ForwardProtocols: []string{"udp:9"}})
	st, rt := testState(t, cfg)
	served := &ifState{name: "eth2", link: upstreamLnk, cfg: &config.Interface{DirectedBroadcast: true}}
	closed := &ifState{name: "eth2", link: upstreamLnk, cfg: &config.Interface{}}
	withBcast := func(out *ifState) *routes {
		r := *rt
		r.addBroadcasts([]*ifState{st, out}, map[string]iface.Link{"eth1": testLink, "eth2": upstreamLnk})
		return &r
	}
	unserved := *rt
	unserved.addBroadcasts([]*ifState{st}, map[string]iface.Link{"eth1": testLink, "eth2": upstreamLnk})
	tests := []struct {
		name   string
		rt     *routes
		helper string
		want   string // "routed", "broadcast on NAME" or the drop reason
	}{
		{name: "a helper elsewhere is routed", rt: withBcast(served), helper: "198.51.100.2", want: "routed"},
		{name: "a remote network's broadcast is routed", rt: withBcast(served), helper: "192.0.2.255", want: "routed"},
		{name: "a helper on the ingress subnet", rt: withBcast(served), helper: "203.0.113.20", want: "udp_loop"},
		{name: "the ingress subnet's broadcast", rt: withBcast(served), helper: "203.0.113.127", want: "udp_loop"},
		{name: "the limited broadcast", rt: withBcast(served), helper: "255.255.255.255", want: "udp_loop"},
		{name: "a broadcast the interface allows", rt: withBcast(served), helper: "198.51.100.127", want: "broadcast on eth2"},
		{name: "a broadcast the interface does not allow", rt: withBcast(closed), helper: "198.51.100.127", want: "udp_directed_broadcast_denied"},
		{name: "the broadcast of a link that is not served", rt: &unserved, helper: "198.51.100.127", want: "udp_directed_broadcast_denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := routeForward(st, tt.rt, netip.MustParseAddr(tt.helper))
			got := "routed"
			switch {
			case r.drop:
				got = r.reason.String()
			case r.out != nil:
				got = "broadcast on " + r.out.name
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("route (-want +got):\n%s", diff)
			}
		})
	}
}

// TestForwardedPacketGolden: the packet a forwarded TFTP read request
// leaves with, byte for byte: the client's source address and port, the
// helper as destination, TTL one less, the identification kept, and both
// checksums recomputed for the new destination.
func TestForwardedPacketGolden(t *testing.T) {
	cfg := testConfig(t, config.Flags{ForwardProtocols: []string{"udp:69"}})
	st, rt := testState(t, cfg)
	raw := &fakeRawIP{}
	r := New(cfg, nil, slog.New(slog.DiscardHandler), Options{Upstream: &nullUpstream{}, RawIP: raw})
	r.routes.Store(rt)
	rrq := []byte("\x00\x01boot.txt\x00octet\x00")
	testAgent(r, st, nil).handleFrame(fwdFrame(t, fwdClientAddr, ipBroadcast, 69, 64, rrq), iface.FrameInfo{}, &requestOut{}, time.Now())
	if len(raw.sent) != 1 {
		t.Fatalf("sent %d packets, want 1", len(raw.sent))
	}
	want := "" +
		"4500" + "002d" + // IPv4, IHL 5; TOS 0; total length 45
		"1234" + "4000" + // identification kept; DF
		"3f" + "11" + "c323" + // TTL 63 (64 - 1); UDP; header checksum
		"cb007132" + "c6336402" + // source 203.0.113.50 (the client); destination 198.51.100.2 (the helper)
		"9c40" + "0045" + // source port 40000 (the client's); destination port 69
		"0019" + "baa8" + // UDP length 25; checksum over the new pseudo-header
		hex.EncodeToString(rrq)
	if diff := cmp.Diff(want, hex.EncodeToString(raw.sent[0])); diff != "" {
		t.Errorf("forwarded packet (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]netip.Addr{helperAddr}, raw.dsts, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("sent to (-want +got):\n%s", diff)
	}
	// Both checksums verify: parsed behind an Ethernet header.
	eth := append([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00}, raw.sent[0]...)
	if _, err := iface.ParseUDP4(eth, iface.FrameInfo{}); err != nil {
		t.Errorf("forwarded packet does not verify: %v", err)
	}
	c := st.counters.port(69)
	if got := [3]uint64{c.received.Load(), c.forwarded.Load(), c.dropped.Load()}; got != [3]uint64{1, 1, 0} {
		t.Errorf("port 69 counters (received, forwarded, dropped) = %v, want [1 1 0]", got)
	}
}

// TestForwardedDirectedBroadcast: a copy whose helper is the broadcast of
// a served interface that allows it leaves on that interface's packet
// socket as an Ethernet broadcast from the interface's MAC, with the
// client's source address.
func TestForwardedDirectedBroadcast(t *testing.T) {
	cfg := testConfig(t, config.Flags{ForwardProtocols: []string{"udp:9"}, HelperAddresses: []string{"eth1=198.51.100.127"}})
	st, rt := testState(t, cfg)
	r := New(cfg, nil, slog.New(slog.DiscardHandler), Options{Upstream: &nullUpstream{}, RawIP: &fakeRawIP{}})
	upMAC := []byte{0x02, 0, 0, 0, 0, 0x20}
	link := upstreamLnk
	link.MAC = upMAC
	out := &ifState{name: "eth2", link: link, cfg: &config.Interface{DirectedBroadcast: true}, counters: new(ifaceCounters)}
	out.agent = newAgent(r, out)
	conn := ifacetest.NewConn(link.Index, 4)
	out.agent.conn.Store(&connBox{c: conn})
	rt.addBroadcasts([]*ifState{st, out}, map[string]iface.Link{"eth1": testLink, "eth2": link})
	r.routes.Store(rt)
	magic := make([]byte, 102)
	testAgent(r, st, nil).handleFrame(fwdFrame(t, fwdClientAddr, ipBroadcast, 9, 64, magic), iface.FrameInfo{}, &requestOut{}, time.Now())
	var sent ifacetest.Frame
	select {
	case sent = <-conn.Sent():
	default:
		t.Fatal("no frame written on eth2")
	}
	dg, err := iface.ParseUDP4(sent.Data, iface.FrameInfo{})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{dg.DstMAC.String(), dg.SrcMAC.String(), dg.Src.String(), dg.Dst.String(), string(rune('0' + dg.TTL/10)), string(rune('0' + dg.TTL%10))}
	want := []string{"ff:ff:ff:ff:ff:ff", "02:00:00:00:00:20", "203.0.113.50", "198.51.100.127", "6", "3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("frame on eth2 (-want +got):\n%s", diff)
	}
}

// BenchmarkForwardUDP measures one forwarded broadcast through an agent's
// handleFrame, to one helper on a raw socket that discards it: the rate
// limit, the parse, the checks, the rebuild and both checksums. It must not
// allocate.
func BenchmarkForwardUDP(b *testing.B) {
	cfg := testConfig(b, config.Flags{ForwardProtocols: []string{"udp:69"}})
	st, rt := testState(b, cfg)
	r := New(cfg, nil, slog.New(slog.DiscardHandler), Options{Upstream: &nullUpstream{}, RawIP: nullRawIP{}})
	r.routes.Store(rt)
	orig := fwdFrame(b, fwdClientAddr, ipBroadcast, 69, 64, []byte("\x00\x01boot.txt\x00octet\x00"))
	buf := make([]byte, len(orig), readBufSize)
	out := &requestOut{}
	a := testAgent(r, st, nil)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, orig)
		a.handleFrame(buf[:len(orig)], iface.FrameInfo{}, out, now)
	}
	if st.counters.udpForwarded.Load() == 0 {
		b.Fatal("nothing forwarded")
	}
}

// FuzzForwardUDP runs arbitrary frames through handleFrame on an interface
// that forwards ports: it never panics, and a copy leaves only for a
// well-formed broadcast that passes every check, with the payload as sent.
func FuzzForwardUDP(f *testing.F) {
	f.Add(fwdFrame(f, fwdClientAddr, ipBroadcast, 69, 64, []byte("\x00\x01boot.txt\x00octet\x00")))
	f.Add(fwdFrame(f, netip.MustParseAddr("198.51.100.9"), ipBroadcast, 53, 64, []byte("q")))
	f.Add(fwdFrame(f, fwdClientAddr, ipBroadcast, 69, 1, nil))
	f.Add([]byte{})
	cfg := testConfig(f, config.Flags{ForwardProtocols: []string{"udp:69", "udp:53"}})
	st, rt := testState(f, cfg)
	raw := &fakeRawIP{}
	r := New(cfg, nil, slog.New(slog.DiscardHandler), Options{Upstream: &nullUpstream{}, RawIP: raw})
	r.routes.Store(rt)
	a := testAgent(r, st, nil)
	f.Fuzz(func(t *testing.T, frame []byte) {
		if len(frame) > readBufSize {
			return // the socket truncates it
		}
		raw.sent, raw.dsts = raw.sent[:0], raw.dsts[:0]
		buf := append(make([]byte, 0, readBufSize), frame...)
		dg, perr := iface.ParseUDP4(append([]byte(nil), frame...), iface.FrameInfo{})
		a.handleFrame(buf, iface.FrameInfo{}, &requestOut{}, time.Now())
		if len(raw.sent) == 0 {
			return
		}
		if perr != nil || dg.DstPort == dhcpServerPort {
			t.Fatalf("forwarded a frame that does not parse as a forwarded port's datagram (%v)", perr)
		}
		if _, reason, ok := admitForward(st, rt, dg); !ok {
			t.Fatalf("forwarded a broadcast the checks drop (%s)", reason)
		}
		eth := append([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00}, raw.sent[0]...)
		out, err := iface.ParseUDP4(eth, iface.FrameInfo{})
		if err != nil {
			t.Fatalf("the forwarded copy does not verify: %v", err)
		}
		if out.Src != dg.Src || out.SrcPort != dg.SrcPort || out.DstPort != dg.DstPort || out.TTL != dg.TTL-1 || string(out.Payload) != string(dg.Payload) {
			t.Fatalf("copy %+v does not keep %+v", out, dg)
		}
	})
}

// TestForwardPortsChangeReopensSocket: the packet filter holds the
// forwarded ports, so a reload that changes them closes the interface's
// socket, and the agent opens it again with the new filter; a reload that
// keeps them keeps the socket.
func TestForwardPortsChangeReopensSocket(t *testing.T) {
	cfg := testConfig(t, config.Flags{ForwardProtocols: []string{"udp:69"}})
	st, _ := testState(t, cfg)
	r := New(cfg, nil, slog.New(slog.DiscardHandler), Options{Upstream: &nullUpstream{}})
	a := newAgent(r, st)
	conn := ifacetest.NewConn(testLink.Index, 1)
	a.conn.Store(&connBox{c: conn})
	closed := func() bool {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		_, _, err := conn.ReadFrame(make([]byte, 64))
		return errors.Is(err, net.ErrClosed)
	}
	same, _ := testState(t, testConfig(t, config.Flags{ForwardProtocols: []string{"udp:69"}}))
	a.update(same)
	if closed() {
		t.Fatal("same ports: the socket was closed")
	}
	other, _ := testState(t, testConfig(t, config.Flags{ForwardProtocols: []string{"udp:69", "udp:53"}}))
	a.update(other)
	if !closed() {
		t.Fatal("new ports: the socket is still open with the old filter")
	}
}

package relay

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
	"github.com/iphelper/iphelper/relay/wire"
)

// datagramTo is one datagram the relay sent upstream.
type datagramTo struct {
	msg []byte
	dst netip.AddrPort
}

// fakeUpstream is an in-memory UpstreamConn: sends are recorded, replies
// are queued by the test.
type fakeUpstream struct {
	sent    chan datagramTo
	replies chan datagramTo // dst holds the reply's source
	closed  chan struct{}
	once    sync.Once
}

var _ UpstreamConn = (*fakeUpstream)(nil)

func newFakeUpstream() *fakeUpstream {
	return &fakeUpstream{sent: make(chan datagramTo, 64), replies: make(chan datagramTo, 64), closed: make(chan struct{})}
}

func (u *fakeUpstream) ReadMsgUDPAddrPort(b, oob []byte) (int, int, int, netip.AddrPort, error) {
	select {
	case d := <-u.replies:
		return copy(b, d.msg), 0, 0, d.dst, nil
	case <-u.closed:
		return 0, 0, 0, netip.AddrPort{}, net.ErrClosed
	}
}

func (u *fakeUpstream) WriteMsgUDPAddrPort(b, oob []byte, addr netip.AddrPort) (int, int, error) {
	u.sent <- datagramTo{msg: append([]byte(nil), b...), dst: addr}
	return len(b), len(oob), nil
}

func (u *fakeUpstream) Close() error {
	u.once.Do(func() { close(u.closed) })
	return nil
}

// TestRelayLifecycle drives a whole Relay on fakes: the configured
// interface appears after start, a DISCOVER read from it reaches the
// helper, the OFFER is delivered on it, and the agent goes away with the
// link, leaving no goroutine behind.
func TestRelayLifecycle(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := testConfig(t, config.Flags{})
	links := ifacetest.NewLinks()
	links.Set(upstreamLnk) // eth1 does not exist yet
	conns := make(chan *ifacetest.Conn, 4)
	up := newFakeUpstream()
	r := New(cfg, links, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Upstream: up,
		Listen:   listenInto(conns),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	links.Set(upstreamLnk, testLink)
	conn := waitFor(t, conns, "eth1's packet socket")

	frame, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, discover(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Deliver(frame, iface.FrameInfo{}); err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, up.sent, "the relayed DISCOVER")
	if got.dst != netip.AddrPortFrom(helperAddr, 67) {
		t.Errorf("relayed to %v, want %v:67", got.dst, helperAddr)
	}
	if g := wire.Packet(got.msg).GIAddr(); g != relayAddr.Addr() {
		t.Errorf("giaddr %v, want %v", g, relayAddr.Addr())
	}

	st, _ := testState(t, cfg)
	offer := reply(t, dhcpv4.MessageTypeOffer, dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, st.opt82[0][2:]))
	up.replies <- datagramTo{msg: offer, dst: netip.AddrPortFrom(helperAddr, 67)}
	out := waitFor(t, conn.Sent(), "the delivered OFFER")
	dg, err := iface.ParseUDP4(out.Data, iface.FrameInfo{})
	if err != nil {
		t.Fatalf("delivered frame does not parse: %v", err)
	}
	if dg.Dst != netip.MustParseAddr("203.0.113.30") || net.HardwareAddr(dg.DstMAC).String() != clientMAC.String() || dg.DstPort != 68 {
		t.Errorf("delivered to %v/%v:%d, want 203.0.113.30/%v:68", dg.Dst, net.HardwareAddr(dg.DstMAC), dg.DstPort, clientMAC)
	}
	if _, _, ok := wire.FindOption(dg.Payload, wire.OptRelayAgentInfo); ok {
		t.Error("option 82 delivered to the client")
	}

	links.Delete("eth1")
	deadline := time.Now().Add(2 * time.Second)
	for {
		r.routes.Load() // published by reconcile
		if s := r.Stats(); len(s.Interfaces) == 1 && s.Interfaces[0].RepliesOut == 1 && s.Interfaces[0].RequestsRelayed == 1 && s.Interfaces[0].Opt82Inserted == 1 &&
			s.Interfaces[0].In["discover"] == 1 && s.Interfaces[0].Out["offer"] == 1 && len(s.Helpers) == 1 &&
			s.Helpers[0].SentByType["discover"] == 1 && s.Helpers[0].RepliesByType["offer"] == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counters not updated: %+v", r.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The agent of the removed link closes its socket.
	for deadline := time.Now().Add(2 * time.Second); conn.Deliver(frame, iface.FrameInfo{}) == nil; {
		if time.Now().After(deadline) {
			t.Fatal("eth1's socket still open after the link was removed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Run returned, %d before", n, before)
	}
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(3 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

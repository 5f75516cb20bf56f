package relay

import (
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
	"github.com/iphelper/iphelper/relay/option82"
	"github.com/iphelper/iphelper/relay/wire"
)

type namedConn struct {
	name string
	c    *ifacetest.Conn
}

// TestReloadKeepsUnchangedSockets: a reload that changes eth1's circuit-id
// and drops eth3 keeps eth1's very socket (no packet lost on it), uses the
// new circuit-id at once, and stops eth3.
func TestReloadKeepsUnchangedSockets(t *testing.T) {
	mk := func(f config.Flags) *config.Config {
		f.HelperAddresses = []string{helperAddr.String()}
		cfg, err := config.ParseWithFlags(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Hostname = "relay1"
		return cfg
	}
	eth3 := iface.Link{Index: 5, Name: "eth3", MAC: testMAC, Up: true, Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.129/25")}}
	links := ifacetest.NewLinks()
	opened := make(chan namedConn, 8)
	up := newFakeUpstream()
	r := New(mk(config.Flags{Interfaces: []string{"eth1", "eth3"}}), links, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Upstream: up,
		Listen: func(l iface.Link) (iface.FrameConn, error) {
			c := ifacetest.NewConn(l.Index, 16)
			opened <- namedConn{l.Name, c}
			return c, nil
		},
	})
	runRelay(t, r)
	links.Set(upstreamLnk, testLink, eth3)
	conns := map[string]*ifacetest.Conn{}
	for range 2 {
		nc := waitFor(t, opened, "a packet socket")
		conns[nc.name] = nc.c
	}
	frame, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, discover(t))
	if err != nil {
		t.Fatal(err)
	}
	circuitOf := func() string {
		t.Helper()
		if err := conns["eth1"].Deliver(frame, iface.FrameInfo{}); err != nil {
			t.Fatalf("eth1's socket: %v", err)
		}
		got := waitFor(t, up.sent, "a relayed DISCOVER")
		start, end, ok := wire.FindOption(got.msg, wire.OptRelayAgentInfo)
		if !ok {
			t.Fatal("no option 82")
		}
		cid, _, _ := option82.Lookup(got.msg[start:end], option82.CircuitID)
		return string(cid)
	}
	if c := circuitOf(); c != "eth1" {
		t.Fatalf("circuit-id %q before the reload, want eth1", c)
	}

	r.Reload(mk(config.Flags{Interfaces: []string{"eth1"}, CircuitIDs: []string{"eth1=port-{ifindex}"}}))
	deadline := time.Now().Add(3 * time.Second)
	for conns["eth3"].Deliver(frame, iface.FrameInfo{}) == nil { // eth3 stops: its socket closes
		if time.Now().After(deadline) {
			t.Fatal("eth3 still has an open socket after the reload dropped it")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for len(up.sent) > 0 { // what eth3 relayed while stopping
		<-up.sent
	}
	if c := circuitOf(); c != "port-3" {
		t.Errorf("circuit-id %q after the reload, want port-3", c)
	}
	select {
	case nc := <-opened:
		t.Errorf("the reload opened a new socket on %s; eth1's should have been kept", nc.name)
	default:
	}
}

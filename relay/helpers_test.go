package relay

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
	"github.com/iphelper/iphelper/relay/ratelimit"
)

var (
	testMAC     = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x10}
	clientMAC   = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x99}
	relayAddr   = netip.MustParsePrefix("203.0.113.1/25")
	helperAddr  = netip.MustParseAddr("198.51.100.2")
	rogueAddr   = netip.MustParseAddr("198.51.100.66")
	upLinkAddr  = netip.MustParsePrefix("198.51.100.1/25")
	testLink    = iface.Link{Index: 3, Name: "eth1", MAC: testMAC, MTU: 1500, Up: true, Addrs: []netip.Prefix{relayAddr}}
	upstreamLnk = iface.Link{Index: 4, Name: "eth2", MTU: 1500, Up: true, Addrs: []netip.Prefix{upLinkAddr}}
)

// testConfig returns a validated configuration for eth1 with the given
// extra flags, built the way the daemon builds it.
func testConfig(t testing.TB, f config.Flags) *config.Config {
	t.Helper()
	f.Interfaces = append([]string{"eth1"}, f.Interfaces...)
	f.HelperAddresses = append(f.HelperAddresses, helperAddr.String())
	cfg, err := config.ParseWithFlags(nil, f)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.Hostname = "relay1"
	return cfg
}

// testState builds eth1's state and the routes for cfg.
func testState(t testing.TB, cfg *config.Config) (*ifState, *routes) {
	t.Helper()
	ifc, ok := cfg.Match("eth1")
	if !ok {
		t.Fatal("eth1 not configured")
	}
	links := map[string]iface.Link{"eth1": testLink, "eth2": upstreamLnk}
	st, err := buildState(testLink, stateInput{cfg: cfg, ifc: ifc, links: links, counters: new(ifaceCounters)})
	if err != nil {
		t.Fatalf("buildState: %v", err)
	}
	ours := map[netip.Addr]bool{relayAddr.Addr(): true, upLinkAddr.Addr(): true}
	return st, buildRoutes([]*ifState{st}, ours)
}

// discover returns a client DISCOVER's bytes, edited by mods.
func discover(t testing.TB, mods ...dhcpv4.Modifier) []byte {
	t.Helper()
	m, err := dhcpv4.NewDiscovery(clientMAC, mods...)
	if err != nil {
		t.Fatal(err)
	}
	return m.ToBytes()
}

// inBuffer copies msg into a buffer with room for option 82, as the
// agent's read buffer has.
func inBuffer(msg []byte) []byte {
	buf := make([]byte, len(msg), len(msg)+1024)
	copy(buf, msg)
	return buf
}

// datagram wraps a request as the packet socket would deliver it.
func datagram(msg []byte, dst netip.Addr) iface.Datagram {
	return iface.Datagram{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:],
		Src: netip.IPv4Unspecified(), Dst: dst, SrcPort: 68, DstPort: 67,
		Payload: inBuffer(msg),
	}
}

// testAgent returns an agent of r for st, not started, whose rate limiter
// is lim (nil: no limits), for DHCP and forwarded UDP alike: what a read
// loop runs handleFrame on.
func testAgent(r *Relay, st *ifState, lim *ratelimit.Interface) *agent {
	a := newAgent(r, st)
	a.limiter.Store(lim)
	a.udpLimiter.Store(lim)
	return a
}

// runRelay runs r until the test ends, then stops it and fails the test if
// Run returned an error.
func runRelay(t testing.TB, r *Relay) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// lockedBuffer is a log sink the relay's goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// listenInto opens a fake packet socket (16 frames deep) for every link
// the relay listens on and hands it to conns.
func listenInto(conns chan<- *ifacetest.Conn) ListenFunc {
	return func(l iface.Link) (iface.FrameConn, error) {
		c := ifacetest.NewConn(l.Index, 16)
		conns <- c
		return c, nil
	}
}

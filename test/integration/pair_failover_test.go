package integration

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/failover"
	"github.com/iphelper/iphelper/test/lab"
)

// The failover pair's scope: the client segment's addresses after the
// nodes' own (.2, .3), 251 addresses, so that a burst of 200 new clients
// fits beside the reserve for known clients.
const pairPool = "203.0.113.4-203.0.113.254"

// pairLease is the lease of the pair scenarios: the shortest the fallback
// allows, so that renewals come within a test's time.
const pairLease = time.Minute

// pairKeyFile writes a pre-shared key for a pair, readable only by its
// owner, and returns its path.
func pairKeyFile(t *testing.T) string {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "failover.key")
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pairArgs are a node's flags in a failover pair of mode.
func pairArgs(p *lab.Pair, n lab.PairNode, mode, key string) []string {
	role := "primary"
	if n.Name == p.B.Name {
		role = "secondary"
	}
	return []string{
		"--fallback-pool", lab.RelayDown + "=" + pairPool,
		"--fallback-lease-time", pairLease.String(), "--offer-delay", offerDelay.String(),
		"--failover-mode", mode, "--failover-role", role, "--failover-key-file", key,
		"--failover-listen", n.Link.String(), "--failover-peer", p.Partner(n).Link.String(),
	}
}

// startPairNodes starts both nodes of a pair in mode and waits until both
// are NORMAL.
func startPairNodes(t *testing.T, p *lab.Pair, mode string) (a, b *lab.Node, key string) {
	t.Helper()
	key = pairKeyFile(t)
	a = p.StartNode(p.A, build.bin, pairArgs(p, p.A, mode, key)...)
	b = p.StartNode(p.B, build.bin, pairArgs(p, p.B, mode, key)...)
	for _, n := range []*lab.Node{a, b} {
		if !n.Relay.WaitLog("to=NORMAL", 20*time.Second) {
			t.Fatalf("%s never reached NORMAL; its log:\n%s", n.PairNode, n.Log())
		}
	}
	return a, b, key
}

// waitLogAfter polls n's log, from byte mark on (what was logged after a
// fault began: a pair's own start may log any transition), for substr, and
// returns how long after since it appeared (never asserted: a figure for
// the log), or false.
func waitLogAfter(n *lab.Node, mark int, substr string, since time.Time, timeout time.Duration) (time.Duration, bool) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if log := n.Log(); mark <= len(log) && strings.Contains(log[mark:], substr) {
			return time.Since(since), true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, false
}

// Hot standby: the primary serves every client while the upstream is dead,
// the secondary keeps a copy of every lease. When the primary is killed,
// the secondary notices, answers new clients from its own share of the pool
// and gives every client of the primary its address back when it rebinds.
// The primary, restarted with its lease file, catches up and serves again.
// The ACK oracle finds no address held by two clients at any moment.
func TestPairHotStandby(t *testing.T) {
	s := newScenario(t, "dhclient", "udhcpc", "dhcpcd")
	s.needIphelper("failover")
	p := s.l.Pair(lab.PairOptions{})
	wire := s.l.Capture(p.Switch, lab.SwitchBridge, lab.DHCPFilter)
	a, b, key := startPairNodes(t, p, "hot-standby")

	before := map[string]netip.Addr{}
	for _, kind := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc, lab.Dhcpcd} {
		h := p.AddHost(string(kind))
		l := s.l.StartClient(kind, h.NS, h.If).WaitLease(leaseTimeout)
		if l.ServerID != p.A.Down {
			t.Errorf("%s bound %s from %s, want the primary %s", kind, l.Addr, l.ServerID, p.A.Down)
		}
		before[h.MAC.String()] = l.Addr
	}
	host := p.AddHost("burst")
	res := s.l.Burst(host.NS, host.If, lab.BurstSpec{Clients: burstClients, ID: 1})
	t.Logf("hot-standby pair, NORMAL: %d of %d new clients bound, %.0f leases/s (each ACK after the partner's acknowledgement)",
		len(res.Leases), burstClients, res.Rate())
	if len(res.Unbound) > 0 {
		t.Errorf("%d of %d burst clients got no lease in NORMAL", len(res.Unbound), burstClients)
	}
	for _, l := range res.Leases {
		if l.Server != p.A.Down {
			t.Errorf("burst client %s bound by %s, want the primary", l.MAC, l.Server)
		}
		before[l.MAC.String()] = l.Addr
	}

	mark := len(b.Log())
	a.Kill(syscall.SIGKILL)
	killed := time.Now()
	detect, ok := waitLogAfter(b, mark, "to=COMMUNICATIONS-INTERRUPTED", killed, 10*time.Second)
	if !ok {
		t.Fatalf("the secondary never noticed the primary's death; its log:\n%s", b.Log())
	}
	fresh := s.l.Burst(host.NS, host.If, lab.BurstSpec{Clients: 20, ID: 2})
	if len(fresh.Unbound) > 0 {
		t.Errorf("%d of 20 new clients got no lease from the secondary alone", len(fresh.Unbound))
	}
	var firstACK time.Duration
	for _, l := range fresh.Leases {
		if l.Server != p.B.Down {
			t.Errorf("new client %s bound by %s after the primary died, want the secondary", l.MAC, l.Server)
		}
		if firstACK == 0 {
			firstACK = l.Bound.Sub(killed)
		}
	}
	rebound := s.l.Burst(host.NS, host.If, lab.BurstSpec{Rebind: res.Leases})
	if len(rebound.Unbound) > 0 {
		t.Errorf("%d of %d clients of the dead primary could not rebind with the secondary", len(rebound.Unbound), len(res.Leases))
	}
	t.Logf("SIGKILL of the primary: detected after %v, first ACK of a new client after %v; %d of %d clients rebound, each to its address",
		detect.Round(time.Millisecond), firstACK.Round(time.Millisecond), len(rebound.Leases), len(res.Leases))

	mark = len(b.Log())
	a.Restart(pairArgs(p, p.A, "hot-standby", key)...)
	for _, n := range []struct {
		node *lab.Node
		mark int // the restarted primary's log is new
	}{{a, 0}, {b, mark}} {
		if _, ok := waitLogAfter(n.node, n.mark, "to=NORMAL", time.Now(), 30*time.Second); !ok {
			t.Fatalf("%s never went back to NORMAL after the primary's return; its log:\n%s", n.node.PairNode, n.node.Log())
		}
	}
	// The clients the secondary served alone are the primary's again: it
	// learnt their leases when it caught up.
	back := s.l.Burst(host.NS, host.If, lab.BurstSpec{Rebind: fresh.Leases})
	for _, l := range back.Leases {
		if l.Server != p.A.Down {
			t.Errorf("after the primary's return, %s rebound by %s, want the primary", l.MAC, l.Server)
		}
	}
	if len(back.Unbound) > 0 {
		t.Errorf("after the primary's return, %d of %d clients the secondary served could not rebind", len(back.Unbound), len(fresh.Leases))
	}
	for _, l := range fresh.Leases {
		before[l.MAC.String()] = l.Addr
	}

	settle(t, wire)
	o := wire.Oracle()
	checkNoDuplicates(t, o)
	for mac, addr := range before {
		if got, ok := o.AddressOf(mac, time.Now()); ok && got != addr {
			t.Errorf("client %s held %s before the fault and %s after", mac, addr, got)
		}
	}
}

// Load sharing with real clients: each client is answered by the node that
// the RFC 3074 hash of its chaddr assigns (dhclient, udhcpc and dhcpcd send
// no client identifier here), from that node's own addresses; when that
// node is killed, the client gets its address again from the survivor.
func TestPairLoadSharingRealClients(t *testing.T) {
	s := newScenario(t, "dhclient", "udhcpc", "dhcpcd")
	s.needIphelper("failover")
	p := s.l.Pair(lab.PairOptions{})
	wire := s.l.Capture(p.Switch, lab.SwitchBridge, lab.DHCPFilter)
	a, b, _ := startPairNodes(t, p, "load-sharing")
	nodes := map[netip.Addr]*lab.Node{p.A.Down: a, p.B.Down: b}
	scope := failover.Scope{Mode: failover.ModeLoadSharing, Split: 50}
	var clients []lab.BurstLease
	for _, kind := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc, lab.Dhcpcd} {
		h := p.AddHost(string(kind))
		l := s.l.StartClient(kind, h.NS, h.If).WaitLease(leaseTimeout)
		// The hash is of the client identifier the client sent, else of
		// its chaddr (RFC 3074): read it off the wire.
		id := clientIDOf(wire, h.MAC)
		key := []byte(h.MAC)
		if id != nil {
			key = id
		}
		want := p.A.Down
		if scope.Assigned(key) == failover.Secondary {
			want = p.B.Down
		}
		if l.ServerID != want {
			t.Errorf("%s (%s, client id %x) bound %s from %s, want %s, which its hash assigns", kind, h.MAC, id, l.Addr, l.ServerID, want)
		}
		clients = append(clients, lab.BurstLease{MAC: h.MAC, ClientID: id, Addr: l.Addr, Server: l.ServerID})
	}
	// Kill the node that served the first client; every client it served
	// rebinds to the survivor with its address.
	victim := clients[0].Server
	var served []lab.BurstLease
	for _, c := range clients {
		if c.Server == victim {
			served = append(served, c)
		}
	}
	nodes[victim].Kill(syscall.SIGKILL)
	host := p.AddHost("rebind")
	res := s.l.Burst(host.NS, host.If, lab.BurstSpec{Rebind: served})
	if len(res.Unbound) > 0 {
		t.Errorf("%d of %d clients of the killed node could not rebind: %v", len(res.Unbound), len(served), res.Unbound)
	}
	for _, l := range res.Leases {
		if l.Server == victim {
			t.Errorf("%s rebound from the killed node %s", l.MAC, victim)
		}
	}
	settle(t, wire)
	checkNoDuplicates(t, wire.Oracle())
}

// clientIDOf returns the client identifier (option 61) of the first request
// from mac in the capture, nil when it sent none.
func clientIDOf(c *lab.Capture, mac net.HardwareAddr) []byte {
	for _, pk := range c.DHCP() {
		if pk.DHCP.OpCode == dhcpv4.OpcodeBootRequest && pk.DHCP.ClientHWAddr.String() == mac.String() {
			return pk.DHCP.Options.Get(dhcpv4.OptionClientIdentifier)
		}
	}
	return nil
}

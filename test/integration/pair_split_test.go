package integration

import (
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// The split scopes of the pair baseline: two disjoint ranges of the client
// segment, one per node, 241 addresses in all.
var (
	splitA = [2]netip.Addr{netip.MustParseAddr("203.0.113.10"), netip.MustParseAddr("203.0.113.127")}
	splitB = [2]netip.Addr{netip.MustParseAddr("203.0.113.128"), netip.MustParseAddr("203.0.113.250")}
)

// burstClients is the size of the pair scenarios' burst of new clients.
const burstClients = 200

// The split pair: each node serves a fallback scope of its own on the same
// segment, the ranges disjoint and each node knowing its partner's, the
// secondary offering a second after the primary, the upstream dead. Real clients and a
// burst of new ones get leases, the ACK oracle finds no address given to two
// clients, and once one node is killed, a client it served gets a lease
// from the survivor (a new address: in split mode the survivor never hands
// out the dead node's range).
func TestPairSplitScopes(t *testing.T) {
	s := newScenario(t, "dhclient", "udhcpc", "dhcpcd")
	s.needIphelper("fallback server")
	p := s.l.Pair(lab.PairOptions{})
	wire := s.l.Capture(p.Switch, lab.SwitchBridge, lab.DHCPFilter)
	nodes := map[netip.Addr]*lab.Node{}
	for _, n := range []struct {
		node           lab.PairNode
		role           string
		scope, partner [2]netip.Addr
	}{{p.A, "primary", splitA, splitB}, {p.B, "secondary", splitB, splitA}} {
		// An explicit split scope: each node knows its partner's range
		// (the configuration rejects an overlap) and its role; the
		// secondary offers secondary-delay (1 s) after the primary.
		file := filepath.Join(t.TempDir(), "split.yaml")
		if err := os.WriteFile(file, []byte("defaults:\n  fallback:\n    failover-mode: split\n    failover-role: "+n.role+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		nodes[n.node.Down] = p.StartNode(n.node, build.bin, "--config", file,
			"--fallback-pool", lab.RelayDown+"="+n.scope[0].String()+"-"+n.scope[1].String(),
			"--failover-partner-pool", lab.RelayDown+"="+n.partner[0].String()+"-"+n.partner[1].String(),
			"--fallback-lease-time", fbLease.String(), "--offer-delay", offerDelay.String())
	}

	hosts := map[lab.ClientKind]lab.Host{}
	leases := map[lab.ClientKind]lab.Lease{}
	for _, kind := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc, lab.Dhcpcd} {
		hosts[kind] = p.AddHost(string(kind))
		c := s.l.StartClient(kind, hosts[kind].NS, hosts[kind].If)
		leases[kind] = c.WaitLease(leaseTimeout)
		if nodes[leases[kind].ServerID] == nil || !inSplitScope(leases[kind].Addr, leases[kind].ServerID, p) {
			t.Errorf("%s bound %s from %s, want an address of that node's range", kind, leases[kind].Addr, leases[kind].ServerID)
		}
		if leases[kind].ServerID != p.A.Down {
			t.Errorf("%s bound from %s, want the primary %s: the secondary offers a second later", kind, leases[kind].ServerID, p.A.Down)
		}
	}

	burst := p.AddHost("burst")
	res := s.l.Burst(burst.NS, burst.If, lab.BurstSpec{Clients: burstClients, ID: 1})
	t.Logf("split pair: %d of %d new clients bound, %.0f leases/s", len(res.Leases), burstClients, res.Rate())
	if len(res.Unbound) > 0 {
		t.Errorf("%d of %d burst clients got no lease: %v", len(res.Unbound), burstClients, res.Unbound)
	}
	for _, l := range res.Leases {
		if !inSplitScope(l.Addr, l.Server, p) {
			t.Errorf("burst client %s bound %s from %s, outside that node's range", l.MAC, l.Addr, l.Server)
		}
	}

	dead := leases[lab.Udhcpc].ServerID
	survivor := p.Partner(nodeAt(p, dead))
	nodes[dead].Kill(syscall.SIGKILL)
	killed := time.Now()
	host := hosts[lab.Udhcpc]
	again := s.l.StartClient(lab.Udhcpc, host.NS, host.If).WaitLease(leaseTimeout)
	if again.ServerID != survivor.Down || !inSplitScope(again.Addr, again.ServerID, p) {
		t.Errorf("after %s died, udhcpc bound %s from %s, want an address of %s's range", nodeAt(p, dead), again.Addr, again.ServerID, survivor)
	}
	wire.WaitFor("the survivor's ACK", captureTimeout, func(pk lab.Packet) bool {
		return pk.MessageType() == dhcpv4.MessageTypeAck && pk.DHCP.ClientHWAddr.String() == host.MAC.String() &&
			addrIs(pk.DHCP.YourIPAddr, again.Addr)
	})
	if got, ok := wire.Oracle().AddressOf(host.MAC.String(), time.Now()); !ok || got != again.Addr {
		t.Errorf("the oracle says udhcpc holds %s (%v) after the kill, want %s", got, ok, again.Addr)
	}
	t.Logf("udhcpc moved from %s (%s) to %s (%s) %s after the kill",
		leases[lab.Udhcpc].Addr, dead, again.Addr, again.ServerID, time.Since(killed).Round(time.Millisecond))

	settle(t, wire)
	o := wire.Oracle()
	checkOracleSawBurst(t, o, res)
	checkNoDuplicates(t, o)
}

// inSplitScope reports whether a is in the range of the node whose
// server identifier is sid.
func inSplitScope(a, sid netip.Addr, p *lab.Pair) bool {
	scope := splitA
	if sid == p.B.Down {
		scope = splitB
	} else if sid != p.A.Down {
		return false
	}
	return !a.Less(scope[0]) && !scope[1].Less(a)
}

// addrIs reports whether ip is a.
func addrIs(ip []byte, a netip.Addr) bool {
	b, ok := netip.AddrFromSlice(ip)
	return ok && b.Unmap() == a
}

// nodeAt is the node whose address on the client segment is a.
func nodeAt(p *lab.Pair, a netip.Addr) lab.PairNode {
	if a == p.B.Down {
		return p.B
	}
	return p.A
}

// settle waits for the capture to catch up with the wire and stops it.
func settle(t *testing.T, c *lab.Capture) {
	t.Helper()
	if !c.Settle(captureQuiet, captureTimeout) {
		t.Logf("the capture did not settle within %s", captureTimeout)
	}
	c.Stop()
}

// captureQuiet is how long a capture must not grow to count as caught up.
const captureQuiet = time.Second

// checkOracleSawBurst fails the test unless the oracle holds every lease
// the burst's clients were given: the capture missed nothing.
func checkOracleSawBurst(t *testing.T, o *lab.Oracle, res lab.BurstResult) {
	t.Helper()
	for _, l := range res.Leases {
		if got, ok := o.AddressOf(l.MAC.String(), l.Bound); !ok || got != l.Addr {
			t.Errorf("ACK oracle: burst client %s was bound to %s, the capture says %s (%v)", l.MAC, l.Addr, got, ok)
		}
	}
}

// checkNoDuplicates fails the test for every address the oracle saw held by
// two clients at once, and logs what it judged.
func checkNoDuplicates(t *testing.T, o *lab.Oracle) {
	t.Helper()
	ivs := o.Intervals()
	acks := 0
	for _, e := range o.Events() {
		if e.Kind == lab.EventAck {
			acks++
		}
	}
	t.Logf("ACK oracle: %d ACKs, %d lease intervals", acks, len(ivs))
	if acks == 0 {
		t.Errorf("ACK oracle: no ACK captured on the client segment: the capture saw nothing")
	}
	for _, ov := range o.Overlaps() {
		t.Errorf("ACK oracle: %s", ov)
	}
}

// sharedClients is twice the shared range: each node runs out of addresses
// it never gave, and reuses the ones its partner's clients hold.
const sharedClients = 40

// The oracle's proof on the wire: two nodes whose fallback scopes share one
// range, as two iphelper nodes without failover would be configured by
// mistake, each hand out the range's addresses on their own; a burst of new
// clients then ends with addresses given to two clients, and the ACK oracle
// must find them. This is the failure the failover pair exists to prevent.
func TestPairSharedScopeDuplicates(t *testing.T) {
	s := newScenario(t)
	s.needIphelper("fallback server")
	p := s.l.Pair(lab.PairOptions{})
	wire := s.l.Capture(p.Switch, lab.SwitchBridge, lab.DHCPFilter)
	for _, n := range p.Nodes() {
		p.StartNode(n, build.bin, "--fallback-pool", lab.RelayDown+"=203.0.113.10-203.0.113.29",
			"--fallback-lease-time", fbLease.String(), "--offer-delay", offerDelay.String())
	}
	burst := p.AddHost("burst")
	res := s.l.Burst(burst.NS, burst.If, lab.BurstSpec{Clients: sharedClients, ID: 1})
	settle(t, wire)
	o := wire.Oracle()
	overlaps := o.Overlaps()
	t.Logf("shared scope: %d of %d clients bound, the oracle found %d duplicate addresses in %d events",
		len(res.Leases), sharedClients, len(overlaps), len(o.Events()))
	if len(overlaps) == 0 {
		t.Errorf("two nodes serving one range gave no address twice, by the oracle; intervals:\n%v", o.Intervals())
	}
}

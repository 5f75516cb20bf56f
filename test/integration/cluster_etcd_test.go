package integration

import (
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// etcdMember builds the lab's etcd member once per test binary, on first
// need.
var etcdMember = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "iphelper-etcdmember-")
	if err != nil {
		return "", err
	}
	return lab.BuildEtcdMember(dir)
})

// The cluster's burst sizes: the first burst, and the one after the etcd
// leader's death.
const (
	clusterBurst      = 60
	clusterBurstAfter = 30
)

// A site cluster: three iphelper nodes on one client segment, each with an
// etcd member in its namespace, all three serving the same fallback range
// from the shared store (lease-store: etcd), the upstream dead. Real
// clients and a burst of new ones get leases and the ACK oracle finds no
// address given to two clients; then the etcd leader is killed (SIGKILL),
// the two members left elect another, a second burst gets leases, the
// first burst's clients rebind and keep their addresses, and still no
// address is given twice (docs/cluster.md).
func TestClusterEtcdSharedStore(t *testing.T) {
	s := newScenario(t, "dhclient", "udhcpc", "dhcpcd")
	s.needIphelper("shared lease store")
	member, err := etcdMember()
	if err != nil {
		t.Fatalf("failed to build the etcd member: %v", err)
	}
	c := s.l.Cluster(3)
	wire := s.l.Capture(c.Switch, lab.SwitchBridge, lab.DHCPFilter)
	c.StartEtcd(member)
	nodes := map[netip.Addr]*lab.ClusterNode{}
	for _, n := range c.Nodes {
		c.StartNode(n, build.bin, "--fallback-pool", lab.RelayDown+"=203.0.113.10-203.0.113.250",
			"--fallback-lease-time", fbLease.String(), "--offer-delay", offerDelay.String())
		nodes[n.Down] = n
	}

	leases := map[lab.ClientKind]lab.Lease{}
	for _, kind := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc, lab.Dhcpcd} {
		h := c.AddHost(string(kind))
		leases[kind] = s.l.StartClient(kind, h.NS, h.If).WaitLease(leaseTimeout)
		if nodes[leases[kind].ServerID] == nil {
			t.Errorf("%s bound %s from %s, not a node of the cluster", kind, leases[kind].Addr, leases[kind].ServerID)
		}
	}

	host := c.AddHost("burst")
	spec := lab.BurstSpec{Clients: clusterBurst, ID: 1, Retransmit: 2 * time.Second, Retries: 4}
	first := s.l.Burst(host.NS, host.If, spec)
	t.Logf("cluster: %d of %d new clients bound, %.0f leases/s", len(first.Leases), clusterBurst, first.Rate())
	checkAllBound(t, "first burst", first, clusterBurst)

	leader := c.Leader()
	c.KillEtcd(leader)
	killed := time.Now()
	next := c.WaitLeader(leader, 15*time.Second)
	t.Logf("etcd leader %s killed; %s leads %s later", leader, next, time.Since(killed).Round(time.Millisecond))

	spec.Clients, spec.ID = clusterBurstAfter, 2
	second := s.l.Burst(host.NS, host.If, spec)
	t.Logf("after the leader's death: %d of %d new clients bound", len(second.Leases), clusterBurstAfter)
	checkAllBound(t, "second burst", second, clusterBurstAfter)

	rebind := s.l.Burst(host.NS, host.If, lab.BurstSpec{Rebind: first.Leases, Retransmit: 2 * time.Second, Retries: 4})
	checkAllBound(t, "rebinding burst", rebind, len(first.Leases))
	had := map[string]netip.Addr{}
	for _, l := range first.Leases {
		had[l.MAC.String()] = l.Addr
	}
	for _, l := range rebind.Leases {
		if had[l.MAC.String()] != l.Addr {
			t.Errorf("client %s rebound to %s, it held %s", l.MAC, l.Addr, had[l.MAC.String()])
		}
	}

	settle(t, wire)
	o := wire.Oracle()
	checkOracleSawBurst(t, o, first)
	checkOracleSawBurst(t, o, second)
	checkNoDuplicates(t, o)
}

// checkAllBound fails the test unless every client of a burst got a lease.
func checkAllBound(t *testing.T, what string, res lab.BurstResult, want int) {
	t.Helper()
	if len(res.Leases) != want || len(res.Unbound) > 0 {
		t.Errorf("%s: %d of %d clients bound; unbound: %v", what, len(res.Leases), want, res.Unbound)
	}
}

package lab

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The cluster topology's addressing (RFC 5737 ranges only): the client
// segment 203.0.113.0/24 with node i (from 0) at .2+i; the nodes' upstream
// segment 198.51.100.0/27 with node i at .1+i and the (dead) DHCP server's
// address .10 on the server namespace's bridge; the segment between the
// nodes, where each runs its etcd member, 198.51.100.64/27 with node i at
// .65+i.
var ClusterNet = netip.MustParsePrefix("198.51.100.64/27")

// ClusterLink is each node's interface on the segment between the nodes.
const ClusterLink = "clus0"

// The etcd member ports of a cluster node.
const (
	etcdClientPort = 2379
	etcdPeerPort   = 2380
)

// etcdReady bounds the wait for the members to elect a leader.
const etcdReady = 30 * time.Second

// ClusterNode is one appliance of a site cluster: a namespace with its
// downstream interface (RelayDown) on the switch, its upstream interface
// (RelayUp) on the server segment and ClusterLink on the segment between
// the nodes.
type ClusterNode struct {
	// Name is "n0", "n1", …
	Name string
	NS   string
	// Down is its address on the client segment (giaddr, server id), Up
	// on the server segment, Link on the segment between the nodes.
	Down, Up, Link netip.Addr
	// Relay is the running iphelper; nil before StartNode.
	Relay *Relay
	// Etcd is its etcd member; nil before StartEtcd.
	Etcd *Proc
	// EtcdDir holds the member's data and its role file.
	EtcdDir string
}

// EtcdEndpoint is the client URL of the node's etcd member.
func (n *ClusterNode) EtcdEndpoint() string {
	return "http://" + netip.AddrPortFrom(n.Link, etcdClientPort).String()
}

// String names the node in messages.
func (n *ClusterNode) String() string { return fmt.Sprintf("node %s (%s)", n.Name, n.Down) }

// Cluster is n appliances on one client segment, sharing a lease store on
// an etcd cluster whose members run one in each node's namespace: a switch
// namespace with bridge SwitchBridge, port n-<name> to each node's
// RelayDown and one port per host (AddHost); each node's RelayUp on a
// bridge in the server namespace; each node's ClusterLink on a bridge in
// the namespace "mesh".
type Cluster struct {
	Switch string
	Nodes  []*ClusterNode
	// Server is the upstream server's site (bridge br0 in its namespace);
	// nothing answers there unless the test starts a server.
	Server Site

	mesh string
	l    *Lab
}

// Cluster builds the cluster topology with n nodes (1..29).
func (l *Lab) Cluster(n int) *Cluster {
	l.t.Helper()
	if n < 1 || n > 29 {
		l.t.Fatalf("lab.Cluster(%d): want 1..29 nodes", n)
	}
	c := &Cluster{Switch: l.NS("sw"), mesh: l.NS("mesh"), l: l}
	srv := l.NS("srv")
	c.Server = Site{NS: srv, If: SwitchBridge, Addr: PairServer}
	for _, ns := range []string{c.Switch, srv, c.mesh} {
		l.ipIn(ns, "link", "add", SwitchBridge, "type", "bridge")
		l.Up(ns, SwitchBridge)
	}
	l.Addr(srv, SwitchBridge, netip.PrefixFrom(PairServer, PairUpNet.Bits()).String())
	for i := range n {
		name := "n" + strconv.Itoa(i)
		node := &ClusterNode{Name: name, NS: l.NS("node" + strconv.Itoa(i)),
			Down: offset(PairClientNet.Addr(), 2+i), Up: offset(PairUpNet.Addr(), 1+i), Link: offset(ClusterNet.Addr(), 1+i),
			EtcdDir: filepath.Join(l.dir, "etcd-"+name)}
		for _, leg := range []struct {
			ifc, ns, port string
			addr          netip.Prefix
		}{
			{RelayDown, c.Switch, "n-" + name, netip.PrefixFrom(node.Down, PairClientNet.Bits())},
			{RelayUp, srv, "u-" + name, netip.PrefixFrom(node.Up, PairUpNet.Bits())},
			{ClusterLink, c.mesh, "c-" + name, netip.PrefixFrom(node.Link, ClusterNet.Bits())},
		} {
			l.Veth(node.NS, leg.ifc, leg.ns, leg.port)
			l.ipIn(leg.ns, "link", "set", leg.port, "master", SwitchBridge)
			l.Addr(node.NS, leg.ifc, leg.addr.String())
		}
		l.Forwarding(node.NS)
		l.Route(srv, netip.PrefixFrom(node.Down, 32).String(), node.Up.String())
		c.Nodes = append(c.Nodes, node)
	}
	return c
}

// AddHost adds a client host on the switch (see Pair.AddHost).
func (c *Cluster) AddHost(role string) Host {
	c.l.t.Helper()
	return c.l.plugHost(c.Switch, role)
}

// Endpoints are the client URLs of every node's etcd member.
func (c *Cluster) Endpoints() []string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, n.EtcdEndpoint())
	}
	return out
}

// StartEtcd starts an etcd member (the binary of BuildEtcdMember) in each
// node's namespace, listening on its ClusterLink address only, and waits
// until one of them is the leader.
func (c *Cluster) StartEtcd(bin string) {
	c.l.t.Helper()
	var initial []string
	for _, n := range c.Nodes {
		initial = append(initial, n.Name+"=http://"+netip.AddrPortFrom(n.Link, etcdPeerPort).String())
	}
	for _, n := range c.Nodes {
		if err := os.MkdirAll(n.EtcdDir, 0o755); err != nil {
			c.l.t.Fatalf("failed to create %s: %v", n.EtcdDir, err)
		}
		n.Etcd = c.l.StartProc(ProcSpec{NS: n.NS, Name: "etcd-" + n.Name, Args: []string{bin,
			"-name", n.Name, "-data-dir", n.EtcdDir, "-client-url", n.EtcdEndpoint(),
			"-peer-url", "http://" + netip.AddrPortFrom(n.Link, etcdPeerPort).String(),
			"-initial-cluster", strings.Join(initial, ",")}})
	}
	c.WaitLeader(nil, etcdReady)
}

// Leader returns the node whose etcd member says it leads, or nil.
func (c *Cluster) Leader() *ClusterNode {
	for _, n := range c.Nodes {
		if n.Etcd == nil || n.Etcd.Exited() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(n.EtcdDir, "role"))
		if err == nil && string(b) == "leader" {
			return n
		}
	}
	return nil
}

// WaitLeader waits until a node other than not leads the etcd cluster and
// returns it.
func (c *Cluster) WaitLeader(not *ClusterNode, timeout time.Duration) *ClusterNode {
	c.l.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if ld := c.Leader(); ld != nil && ld != not {
			return ld
		}
		if time.Now().After(deadline) {
			var logs []string
			for _, n := range c.Nodes {
				if n.Etcd != nil {
					logs = append(logs, n.Name+": "+n.Etcd.Log())
				}
			}
			c.l.t.Fatalf("no etcd leader after %s:\n%s", timeout, strings.Join(logs, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// KillEtcd ends a node's etcd member with SIGKILL and waits until it is
// gone; its role file goes with it.
func (c *Cluster) KillEtcd(n *ClusterNode) {
	c.l.t.Helper()
	n.Etcd.Signal(syscall.SIGKILL)
	_ = os.Remove(filepath.Join(n.EtcdDir, "role"))
	c.l.Logf("%s: etcd member killed", n)
}

// StartNode starts iphelper (binary bin) on node n: `run --log-level debug
// --interface down0 --helper-address <server> --lease-store etcd` with
// every member's endpoint, and args (the fallback scope…), and waits
// until it listens.
func (c *Cluster) StartNode(n *ClusterNode, bin string, args ...string) {
	c.l.t.Helper()
	base := []string{"run", "--log-level", "debug", "--interface", RelayDown,
		"--helper-address", PairServer.String(), "--lease-store", "etcd"}
	for _, ep := range c.Endpoints() {
		base = append(base, "--etcd-endpoint", ep)
	}
	n.Relay = c.l.StartIphelper(n.NS, bin, append(base, args...)...)
	n.Relay.WaitListening(1, relayStart)
}

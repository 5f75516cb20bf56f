package lab

import (
	"fmt"
	"net/netip"
	"strconv"
)

// The pair topology's addressing (RFC 5737 ranges only): one client segment
// 203.0.113.0/24 with the nodes at .2 (A) and .3 (B); the nodes' upstream
// segment 198.51.100.0/27 with A at .1, B at .2 and the DHCP server at .10;
// the link between the nodes 198.51.100.64/30 with A at .65 and B at .66.
var (
	PairClientNet = netip.MustParsePrefix("203.0.113.0/24")
	PairUpNet     = netip.MustParsePrefix("198.51.100.0/27")
	PairServer    = netip.MustParseAddr("198.51.100.10")
	PairLinkNet   = netip.MustParsePrefix("198.51.100.64/30")
)

// PairLink is each node's interface on the link between the nodes.
const PairLink = "peer0"

// PairNode is one appliance of a pair: a namespace with its downstream
// interface (RelayDown) on the switch, its upstream interface (RelayUp) on
// the server segment and PairLink to its partner.
type PairNode struct {
	// Name is "a" or "b".
	Name string
	// NS is the node's namespace.
	NS string
	// Down is the node's address on the client segment: its giaddr, and the
	// server identifier of what it serves itself.
	Down netip.Addr
	// Up is its address on the server segment.
	Up netip.Addr
	// Link is its address on the link to the partner.
	Link netip.Addr
}

// Pair is two appliances on one client segment: a switch namespace with
// bridge SwitchBridge, ports n-a and n-b to the nodes' RelayDown and one port
// per host (AddHost); each node's RelayUp on a bridge in the server
// namespace, where an upstream DHCP server can run (StartKea); and a veth
// pair between the nodes (PairLink) that a test can cut alone.
type Pair struct {
	// Switch is the namespace of the client segment's bridge; capture there
	// (SwitchBridge) to see every frame of the segment, unicast included.
	Switch string
	// A and B are the two nodes.
	A, B PairNode
	// Server is the upstream server's site (bridge br0 in its namespace).
	Server Site

	l *Lab
}

// PairOptions are the choices of a pair topology; the zero value is the
// standard pair.
type PairOptions struct{}

// Pair builds the pair topology; see Pair and the addressing above.
func (l *Lab) Pair(PairOptions) *Pair {
	l.t.Helper()
	p := &Pair{Switch: l.NS("sw"), l: l}
	p.A = PairNode{Name: "a", NS: l.NS("nodea"), Down: offset(PairClientNet.Addr(), 2),
		Up: offset(PairUpNet.Addr(), 1), Link: offset(PairLinkNet.Addr(), 1)}
	p.B = PairNode{Name: "b", NS: l.NS("nodeb"), Down: offset(PairClientNet.Addr(), 3),
		Up: offset(PairUpNet.Addr(), 2), Link: offset(PairLinkNet.Addr(), 2)}
	srv := l.NS("srv")
	p.Server = Site{NS: srv, If: SwitchBridge, Addr: PairServer}
	l.ipIn(p.Switch, "link", "add", SwitchBridge, "type", "bridge")
	l.ipIn(srv, "link", "add", SwitchBridge, "type", "bridge")
	for _, n := range []PairNode{p.A, p.B} {
		l.Veth(n.NS, RelayDown, p.Switch, "n-"+n.Name)
		l.ipIn(p.Switch, "link", "set", "n-"+n.Name, "master", SwitchBridge)
		l.Addr(n.NS, RelayDown, netip.PrefixFrom(n.Down, PairClientNet.Bits()).String())
		l.Veth(n.NS, RelayUp, srv, "u-"+n.Name)
		l.ipIn(srv, "link", "set", "u-"+n.Name, "master", SwitchBridge)
		l.Addr(n.NS, RelayUp, netip.PrefixFrom(n.Up, PairUpNet.Bits()).String())
		l.Forwarding(n.NS)
	}
	l.Up(p.Switch, SwitchBridge)
	l.Up(srv, SwitchBridge)
	l.Addr(srv, SwitchBridge, netip.PrefixFrom(PairServer, PairUpNet.Bits()).String())
	l.Route(srv, netip.PrefixFrom(p.A.Down, 32).String(), p.A.Up.String())
	l.Route(srv, netip.PrefixFrom(p.B.Down, 32).String(), p.B.Up.String())
	l.Veth(p.A.NS, PairLink, p.B.NS, PairLink)
	l.Addr(p.A.NS, PairLink, netip.PrefixFrom(p.A.Link, PairLinkNet.Bits()).String())
	l.Addr(p.B.NS, PairLink, netip.PrefixFrom(p.B.Link, PairLinkNet.Bits()).String())
	return p
}

// Nodes are A and B.
func (p *Pair) Nodes() []PairNode { return []PairNode{p.A, p.B} }

// Partner is the other node of the pair.
func (p *Pair) Partner(n PairNode) PairNode {
	if n.Name == p.A.Name {
		return p.B
	}
	return p.A
}

// AddHost adds a client host on the switch: a namespace for role (see NS)
// whose eth0 is plugged into port p<role>.
func (p *Pair) AddHost(role string) Host {
	p.l.t.Helper()
	return p.l.plugHost(p.Switch, role)
}

// CutLink takes the link between the nodes down at both ends: the nodes lose
// each other while both still see the clients and the server.
func (p *Pair) CutLink() {
	p.l.t.Helper()
	p.l.Down(p.A.NS, PairLink)
	p.l.Down(p.B.NS, PairLink)
	p.l.Logf("cut the link between the nodes")
}

// RestoreLink brings the link between the nodes back up and removes any
// loss set by LinkLoss.
func (p *Pair) RestoreLink() {
	p.l.t.Helper()
	for _, n := range p.Nodes() {
		p.l.Up(n.NS, PairLink)
		_, _ = runCmd("ip", "netns", "exec", n.NS, "tc", "qdisc", "del", "dev", PairLink, "root")
	}
	p.l.Logf("restored the link between the nodes")
}

// LinkLoss makes the link between the nodes drop percent of the frames each
// way (netem), leaving it up. It fails the test on a kernel without netem
// (CONFIG_NET_SCH_NETEM): see HasNetem.
func (p *Pair) LinkLoss(percent int) {
	p.l.t.Helper()
	for _, n := range p.Nodes() {
		p.l.Exec(n.NS, "tc", "qdisc", "replace", "dev", PairLink, "root", "netem", "loss", strconv.Itoa(percent)+"%")
	}
	p.l.Logf("the link between the nodes drops %d%% of its frames", percent)
}

// HasNetem reports whether the kernel can emulate loss (LinkLoss): it tries
// a netem qdisc on node A's link and removes it.
func (p *Pair) HasNetem() bool {
	if _, err := runCmd("ip", "netns", "exec", p.A.NS, "tc", "qdisc", "add", "dev", PairLink, "root", "netem", "loss", "0%"); err != nil {
		return false
	}
	_, _ = runCmd("ip", "netns", "exec", p.A.NS, "tc", "qdisc", "del", "dev", PairLink, "root")
	return true
}

// ServerConfig is a configuration for the upstream server: the client
// segment with the pool [first, last] and node A as router, and the server
// segment without a pool.
func (p *Pair) ServerConfig(first, last netip.Addr) ServerConfig {
	return ServerConfig{Interface: p.Server.If, Subnets: []Subnet{
		{Prefix: PairClientNet, PoolFirst: first, PoolLast: last, Router: p.A.Down},
		{Prefix: PairUpNet},
	}}
}

// StartUpstream starts Kea as the upstream server of both nodes with cfg.
func (p *Pair) StartUpstream(cfg ServerConfig) *Server {
	p.l.t.Helper()
	return p.l.StartKea(p.Server.NS, p.Server.Addr, cfg)
}

// String names the node in messages.
func (n PairNode) String() string { return fmt.Sprintf("node %s (%s)", n.Name, n.Down) }

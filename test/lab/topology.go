package lab

import (
	"fmt"
	"net/netip"
)

// The standard addressing (RFC 5737 ranges only): clients in 203.0.113.0/25 behind the
// relay's 203.0.113.1, servers in 198.51.100.0/25 with the relay at
// 198.51.100.1 and the servers from 198.51.100.2 up.
var (
	ClientNet   = netip.MustParsePrefix("203.0.113.0/25")
	ServerNet   = netip.MustParsePrefix("198.51.100.0/25")
	RelayUpAddr = netip.MustParseAddr("198.51.100.1")
	ServerAddr  = netip.MustParseAddr("198.51.100.2")
	Server2Addr = netip.MustParseAddr("198.51.100.3")
	VLAN10Net   = netip.MustParsePrefix("203.0.113.0/26")
	VLAN20Net   = netip.MustParsePrefix("203.0.113.64/26")
	LateVLANNet = netip.MustParsePrefix("203.0.113.128/26")
)

// Interface names inside the namespaces.
const (
	// ClientIf is the client's interface (or trunk) in the client namespace.
	ClientIf = "eth0"
	// RelayDown is the relay's client-facing interface (or trunk).
	RelayDown = "down0"
	// RelayUp is the relay's server-facing interface.
	RelayUp = "up0"
	// ServerIf is a server's interface in its namespace.
	ServerIf = "eth0"
)

// Segment is one client segment behind the relay.
type Segment struct {
	// VLAN is the 802.1Q VLAN ID on the trunk; 0 for a plain link.
	VLAN int
	// Emulated is set when the kernel has no 802.1Q support and the VLAN is a
	// veth pair of its own instead of a sub-interface of the trunk.
	Emulated bool
	// RelayIf is the relay's interface on the segment (a downstream interface).
	RelayIf string
	// ClientIf is the client's interface on the segment, in Topology.Client.
	ClientIf string
	// Prefix is the segment's subnet.
	Prefix netip.Prefix
	// Gateway is the relay's address on the segment: the giaddr of relayed
	// requests and the router the servers hand out.
	Gateway netip.Addr
}

// Site is where a DHCP server lives.
type Site struct {
	NS   string
	If   string
	Addr netip.Addr
}

// Topology is a built client ↔ relay ↔ server(s) lab.
type Topology struct {
	// Client and Relay are namespace names.
	Client, Relay string
	// Segments are the client segments, in creation order.
	Segments []Segment
	// Upstream is the relay's server-facing interface; UpstreamAddr its address.
	Upstream     string
	UpstreamAddr netip.Addr
	// Servers are the server sites (one per namespace).
	Servers []Site
}

// Standard builds the standard lab: ns cl (eth0) --veth-- ns relay (down0
// 203.0.113.1/25, up0 198.51.100.1/25, forwarding on) --veth-- ns srv (eth0
// 198.51.100.2/25, default route via the relay).
func (l *Lab) Standard() *Topology {
	l.t.Helper()
	tp := l.core(ServerAddr)
	l.Addr(tp.Relay, RelayDown, prefixWith(ClientNet, 1).String())
	tp.Segments = append(tp.Segments, Segment{
		RelayIf: RelayDown, ClientIf: ClientIf, Prefix: ClientNet, Gateway: prefixWith(ClientNet, 1).Addr(),
	})
	return tp
}

// VLANTrunk builds the standard lab with the client link as an 802.1Q trunk
// carrying VLAN 10 (203.0.113.0/26, relay down0.10 at .1, client eth0.10) and
// VLAN 20 (203.0.113.64/26, relay down0.20 at .65, client eth0.20).
func (l *Lab) VLANTrunk() *Topology {
	l.t.Helper()
	tp := l.core(ServerAddr)
	l.AddVLAN(tp, 10, VLAN10Net)
	l.AddVLAN(tp, 20, VLAN20Net)
	return tp
}

// TwoServers builds the standard client side with two servers, 198.51.100.2
// in ns srv and 198.51.100.3 in ns srv2, on one segment: the relay bridges its
// up0 and up1 into br0 (198.51.100.1/25), its upstream interface.
func (l *Lab) TwoServers() *Topology {
	l.t.Helper()
	tp := l.core(ServerAddr)
	srv2 := l.NS("srv2")
	l.Veth(tp.Relay, "up1", srv2, ServerIf)
	l.Addr(srv2, ServerIf, netip.PrefixFrom(Server2Addr, ServerNet.Bits()).String())
	l.Route(srv2, "default", RelayUpAddr.String())
	l.ipIn(tp.Relay, "addr", "flush", "dev", RelayUp)
	l.Bridge(tp.Relay, "br0", RelayUp, "up1")
	l.Addr(tp.Relay, "br0", netip.PrefixFrom(RelayUpAddr, ServerNet.Bits()).String())
	tp.Upstream = "br0"
	tp.Servers = append(tp.Servers, Site{NS: srv2, If: ServerIf, Addr: Server2Addr})
	l.Addr(tp.Relay, RelayDown, prefixWith(ClientNet, 1).String())
	tp.Segments = append(tp.Segments, Segment{
		RelayIf: RelayDown, ClientIf: ClientIf, Prefix: ClientNet, Gateway: prefixWith(ClientNet, 1).Addr(),
	})
	return tp
}

// core builds the three namespaces, both links and the server side, with no
// client segment addressed yet.
func (l *Lab) core(server netip.Addr) *Topology {
	l.t.Helper()
	tp := &Topology{Client: l.NS("cl"), Relay: l.NS("relay"), Upstream: RelayUp, UpstreamAddr: RelayUpAddr}
	srv := l.NS("srv")
	l.Veth(tp.Client, ClientIf, tp.Relay, RelayDown)
	l.Veth(tp.Relay, RelayUp, srv, ServerIf)
	l.Addr(tp.Relay, RelayUp, netip.PrefixFrom(RelayUpAddr, ServerNet.Bits()).String())
	l.Addr(srv, ServerIf, netip.PrefixFrom(server, ServerNet.Bits()).String())
	l.Route(srv, "default", RelayUpAddr.String())
	l.Forwarding(tp.Relay)
	tp.Servers = []Site{{NS: srv, If: ServerIf, Addr: server}}
	return tp
}

// AddVLAN adds a VLAN segment on the client trunk: down0.ID in the relay with
// the first address of prefix, eth0.ID in the client namespace. It may be
// called while a relay runs (a VLAN that appears after start).
//
// On a kernel without 802.1Q support (CONFIG_VLAN_8021Q unset, as on the
// project's CI machines) the segment is emulated: a veth pair of its own with
// the same names, so the relay still sees a new interface of that name with
// its own subnet, but no tag is on the wire. Segment.Emulated says which.
func (l *Lab) AddVLAN(tp *Topology, id int, prefix netip.Prefix) Segment {
	l.t.Helper()
	seg := Segment{
		VLAN:     id,
		RelayIf:  fmt.Sprintf("%s.%d", RelayDown, id),
		ClientIf: fmt.Sprintf("%s.%d", ClientIf, id),
		Prefix:   prefix,
		Gateway:  prefixWith(prefix, 1).Addr(),
	}
	if l.TryVLAN(tp.Relay, RelayDown, seg.RelayIf, id) {
		l.VLAN(tp.Client, ClientIf, seg.ClientIf, id)
	} else {
		l.t.Logf("no 802.1Q support in this kernel: emulating VLAN %d with a veth pair %s/%s", id, seg.RelayIf, seg.ClientIf)
		seg.Emulated = true
		l.Veth(tp.Relay, seg.RelayIf, tp.Client, seg.ClientIf)
	}
	l.Addr(tp.Relay, seg.RelayIf, prefixWith(prefix, 1).String())
	tp.Segments = append(tp.Segments, seg)
	return seg
}

// Helpers are the server addresses, in site order: the relay's helper list.
func (tp *Topology) Helpers() []netip.Addr {
	var hs []netip.Addr
	for _, s := range tp.Servers {
		hs = append(hs, s.Addr)
	}
	return hs
}

// Downstream are the relay's client-facing interfaces, in segment order.
func (tp *Topology) Downstream() []string {
	var ds []string
	for _, s := range tp.Segments {
		ds = append(ds, s.RelayIf)
	}
	return ds
}

// ServerConfig is a configuration for server number i (of len(Servers)): every
// client segment, with the segment's gateway as router and the i-th share of
// the pool (the servers split the scope, so two servers never offer the same
// address), and the server segment without a pool.
func (tp *Topology) ServerConfig(i int) ServerConfig {
	cfg := ServerConfig{Interface: tp.Servers[i].If}
	for _, seg := range tp.Segments {
		first, last := PoolShare(seg.Prefix, i, len(tp.Servers))
		cfg.Subnets = append(cfg.Subnets, Subnet{Prefix: seg.Prefix, PoolFirst: first, PoolLast: last, Router: seg.Gateway})
	}
	cfg.Subnets = append(cfg.Subnets, Subnet{Prefix: ServerNet})
	return cfg
}

// poolOffset and poolSize place the dynamic pool inside each client subnet:
// hosts 32 to 47, clear of the gateway and of reservations below 32.
const (
	poolOffset = 32
	poolSize   = 16
)

// PoolShare returns share i of n of a subnet's pool (hosts 32..47 of prefix,
// which must be a /26 or larger).
func PoolShare(prefix netip.Prefix, i, n int) (netip.Addr, netip.Addr) {
	size := poolSize / n
	first := offset(prefix.Masked().Addr(), poolOffset+i*size)
	return first, offset(first, size-1)
}

// prefixWith returns the n-th address of prefix with the prefix's length.
func prefixWith(p netip.Prefix, n int) netip.Prefix {
	return netip.PrefixFrom(offset(p.Masked().Addr(), n), p.Bits())
}

// offset returns a + n.
func offset(a netip.Addr, n int) netip.Addr {
	for ; n > 0; n-- {
		a = a.Next()
	}
	return a
}

package iface

import (
	"bytes"
	"net"
	"net/netip"
	"slices"

	"github.com/vishvananda/netlink"
)

// Link is what the relay needs to know about a network interface. Its
// slices are shared between snapshots and must not be modified.
type Link struct {
	Index int
	Name  string

	// Type is the kernel's link kind: "device", "veth", "vlan", "bridge", ...
	Type string

	MAC net.HardwareAddr
	MTU int

	// Up reports that the link is administratively up and its operational
	// state is up or unknown (veth, lo and some drivers report unknown).
	Up bool

	// Loopback reports the kernel's IFF_LOOPBACK flag (lo).
	Loopback bool

	// VLANID is the 802.1Q VLAN ID of a VLAN sub-interface, 0 for any other
	// link.
	VLANID int

	// ParentIndex and Parent name the link this one is stacked on (the
	// trunk of a VLAN sub-interface, the lower link of a macvlan, ...), when
	// that link is in the same network namespace; a veth's peer is not a
	// parent. ParentIndex is 0 when there is none; Parent is "" when there
	// is none or it is not (yet) known.
	ParentIndex int
	Parent      string

	// Addrs are the link's IPv4 addresses: primaries first, then
	// secondaries, each group in kernel order.
	Addrs []netip.Prefix
}

// PrimaryIPv4 returns the link's first primary IPv4 address, or false if it
// has none.
func (l Link) PrimaryIPv4() (netip.Prefix, bool) {
	if len(l.Addrs) == 0 {
		return netip.Prefix{}, false
	}
	return l.Addrs[0], true
}

// equal reports whether l and m are the same in every field.
func (l Link) equal(m Link) bool {
	return l.Index == m.Index && l.Name == m.Name && l.Type == m.Type &&
		bytes.Equal(l.MAC, m.MAC) && l.MTU == m.MTU && l.Up == m.Up && l.Loopback == m.Loopback &&
		l.VLANID == m.VLANID && l.ParentIndex == m.ParentIndex &&
		l.Parent == m.Parent && slices.Equal(l.Addrs, m.Addrs)
}

// linkFromNetlink converts a link as the netlink library reports it. It
// leaves Parent and Addrs empty: they come from other messages.
func linkFromNetlink(nl netlink.Link) Link {
	a := nl.Attrs()
	l := Link{
		Index: a.Index,
		Name:  a.Name,
		Type:  nl.Type(),
		MAC:   a.HardwareAddr,
		MTU:   a.MTU,
		Up: a.Flags&net.FlagUp != 0 &&
			(a.OperState == netlink.OperUp || a.OperState == netlink.OperUnknown),
		Loopback: a.Flags&net.FlagLoopback != 0,
	}
	if len(l.MAC) == 0 {
		l.MAC = nil
	}
	if v, ok := nl.(*netlink.Vlan); ok {
		l.VLANID = v.VlanId
	}
	// IFLA_LINK of a veth is its peer; with IFLA_LINK_NETNSID it is an
	// index in another namespace.
	if l.Type != "veth" && a.NetNsID < 0 && a.ParentIndex != a.Index {
		l.ParentIndex = a.ParentIndex
	}
	return l
}

// prefixFromIPNet converts an IPv4 address with its mask; it reports false
// for anything else.
func prefixFromIPNet(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	ip4 := n.IP.To4()
	ones, bits := n.Mask.Size()
	if ip4 == nil || bits != 32 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(netip.AddrFrom4([4]byte(ip4)), ones), true
}

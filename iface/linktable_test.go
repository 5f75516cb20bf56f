package iface

import (
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

var (
	trunkMAC = net.HardwareAddr{0x02, 0, 0x5e, 0, 1, 1}
	vlanMAC  = net.HardwareAddr{0x02, 0, 0x5e, 0, 1, 2}
)

func attrs(index int, name string, up bool) netlink.LinkAttrs {
	a := netlink.NewLinkAttrs()
	a.Index, a.Name, a.MTU, a.HardwareAddr = index, name, 1500, trunkMAC
	if up {
		a.Flags, a.OperState = net.FlagUp, netlink.OperUp
	}
	return a
}

func trunk(up bool) netlink.Link { return &netlink.Device{LinkAttrs: attrs(2, "eth0", up)} }

func vlan10(up bool) netlink.Link {
	a := attrs(3, "eth0.10", up)
	a.ParentIndex, a.HardwareAddr = 2, vlanMAC
	return &netlink.Vlan{LinkAttrs: a, VlanId: 10}
}

func linkUpd(typ uint16, l netlink.Link) func(*linkTable) bool {
	return func(t *linkTable) bool {
		return t.applyLink(netlink.LinkUpdate{
			IfInfomsg: nl.IfInfomsg{IfInfomsg: unix.IfInfomsg{Family: unix.AF_UNSPEC, Index: int32(l.Attrs().Index)}},
			Header:    unix.NlMsghdr{Type: typ},
			Link:      l,
		})
	}
}

func bridgeUpd(typ uint16, l netlink.Link) func(*linkTable) bool {
	return func(t *linkTable) bool {
		return t.applyLink(netlink.LinkUpdate{
			IfInfomsg: nl.IfInfomsg{IfInfomsg: unix.IfInfomsg{Family: unix.AF_BRIDGE}},
			Header:    unix.NlMsghdr{Type: typ},
			Link:      l,
		})
	}
}

func addrUpd(index int, cidr string, isNew, secondary bool) func(*linkTable) bool {
	ip, n, err := net.ParseCIDR(cidr)
	if err != nil {
		panic(err)
	}
	n.IP = ip
	flags := 0
	if secondary {
		flags = unix.IFA_F_SECONDARY
	}
	return func(t *linkTable) bool {
		return t.applyAddr(netlink.AddrUpdate{LinkAddress: *n, LinkIndex: index, NewAddr: isNew, Flags: flags})
	}
}

func pfx(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range s {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}

var (
	wantTrunk = Link{Index: 2, Name: "eth0", Type: "device", MAC: trunkMAC, MTU: 1500, Up: true}
	wantVLAN  = Link{Index: 3, Name: "eth0.10", Type: "vlan", MAC: vlanMAC, MTU: 1500, Up: true,
		VLANID: 10, ParentIndex: 2, Parent: "eth0"}
)

func TestLinkTable(t *testing.T) {
	type step struct {
		apply       func(*linkTable) bool
		wantChanged bool
	}
	with := func(l Link, f func(*Link)) Link { f(&l); return l }
	tests := []struct {
		name  string
		steps []step
		want  map[string]Link
	}{
		{
			name:  "new link",
			steps: []step{{linkUpd(unix.RTM_NEWLINK, trunk(true)), true}},
			want:  map[string]Link{"eth0": wantTrunk},
		},
		{
			name: "repeated update changes nothing",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), true},
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), false},
			},
			want: map[string]Link{"eth0": wantTrunk},
		},
		{
			name: "VLAN with parent, down",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), true},
				{linkUpd(unix.RTM_NEWLINK, vlan10(false)), true},
			},
			want: map[string]Link{"eth0": wantTrunk, "eth0.10": with(wantVLAN, func(l *Link) { l.Up = false })},
		},
		{
			name: "VLAN before its parent: parent name filled in later",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, vlan10(true)), true},
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), true},
			},
			want: map[string]Link{"eth0": wantTrunk, "eth0.10": wantVLAN},
		},
		{
			name: "oper state unknown counts as up, admin down does not",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, func() netlink.Link {
					a := attrs(2, "eth0", true)
					a.OperState = netlink.OperUnknown
					return &netlink.Device{LinkAttrs: a}
				}()), true},
				{linkUpd(unix.RTM_NEWLINK, func() netlink.Link {
					a := attrs(3, "eth1", true)
					a.OperState = netlink.OperLowerLayerDown
					return &netlink.Device{LinkAttrs: a}
				}()), true},
			},
			want: map[string]Link{
				"eth0": wantTrunk,
				"eth1": with(wantTrunk, func(l *Link) { l.Index, l.Name, l.Up = 3, "eth1", false }),
			},
		},
		{
			name: "veth peer is not a parent",
			steps: []step{{linkUpd(unix.RTM_NEWLINK, func() netlink.Link {
				a := attrs(4, "veth0", true)
				a.ParentIndex = 2
				return &netlink.Veth{LinkAttrs: a}
			}()), true}},
			want: map[string]Link{"veth0": with(wantTrunk, func(l *Link) { l.Index, l.Name, l.Type = 4, "veth0", "veth" })},
		},
		{
			name: "parent in another namespace",
			steps: []step{{linkUpd(unix.RTM_NEWLINK, func() netlink.Link {
				l := vlan10(true).(*netlink.Vlan)
				l.NetNsID = 1
				return l
			}()), true}},
			want: map[string]Link{"eth0.10": with(wantVLAN, func(l *Link) { l.ParentIndex, l.Parent = 0, "" })},
		},
		{
			name: "addresses: primaries first, kernel order within each group",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), true},
				{addrUpd(2, "203.0.113.1/25", true, false), true},
				{addrUpd(2, "203.0.113.2/25", true, true), true},
				{addrUpd(2, "198.51.100.1/24", true, false), true},
				{addrUpd(2, "203.0.113.3/25", true, true), true},
				{addrUpd(2, "2001:db8::1/64", true, false), false},
				{addrUpd(2, "203.0.113.1/25", true, false), false},
			},
			want: map[string]Link{"eth0": with(wantTrunk, func(l *Link) {
				l.Addrs = pfx("203.0.113.1/25", "198.51.100.1/24", "203.0.113.2/25", "203.0.113.3/25")
			})},
		},
		{
			name: "address removed, secondary promoted",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), true},
				{addrUpd(2, "203.0.113.1/25", true, false), true},
				{addrUpd(2, "203.0.113.2/25", true, true), true},
				{addrUpd(2, "203.0.113.1/25", false, false), true},
				{addrUpd(2, "203.0.113.2/25", true, false), true},
				{addrUpd(2, "203.0.113.9/25", false, false), false},
			},
			want: map[string]Link{"eth0": with(wantTrunk, func(l *Link) { l.Addrs = pfx("203.0.113.2/25") })},
		},
		{
			name: "address before its link",
			steps: []step{
				{addrUpd(3, "203.0.113.129/26", true, false), true},
				{linkUpd(unix.RTM_NEWLINK, vlan10(true)), true},
			},
			want: map[string]Link{"eth0.10": with(wantVLAN, func(l *Link) {
				l.Parent = ""
				l.Addrs = pfx("203.0.113.129/26")
			})},
		},
		{
			name: "link deleted with its addresses",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), true},
				{linkUpd(unix.RTM_NEWLINK, vlan10(true)), true},
				{addrUpd(3, "203.0.113.129/26", true, false), true},
				{linkUpd(unix.RTM_DELLINK, vlan10(true)), true},
				{linkUpd(unix.RTM_DELLINK, vlan10(true)), false},
			},
			want: map[string]Link{"eth0": wantTrunk},
		},
		{
			name: "bridge port messages ignored",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), true},
				{bridgeUpd(unix.RTM_DELLINK, trunk(true)), false},
				{bridgeUpd(unix.RTM_NEWLINK, trunk(false)), false},
			},
			want: map[string]Link{"eth0": wantTrunk},
		},
		{
			name: "rename",
			steps: []step{
				{linkUpd(unix.RTM_NEWLINK, trunk(true)), true},
				{linkUpd(unix.RTM_NEWLINK, &netlink.Device{LinkAttrs: attrs(2, "lan0", true)}), true},
			},
			want: map[string]Link{"lan0": with(wantTrunk, func(l *Link) { l.Name = "lan0" })},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := newLinkTable()
			for i, s := range tt.steps {
				if got := s.apply(tbl); got != s.wantChanged {
					t.Errorf("step %d: changed = %v, want %v", i, got, s.wantChanged)
				}
			}
			if diff := cmp.Diff(tt.want, tbl.snapshot(), cmpAddrs); diff != "" {
				t.Errorf("links (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLinkTableReset(t *testing.T) {
	tbl := newLinkTable()
	addr := func(index int, cidr string, flags int) netlink.Addr {
		ip, n, _ := net.ParseCIDR(cidr)
		n.IP = ip
		return netlink.Addr{IPNet: n, LinkIndex: index, Flags: flags}
	}
	links := []netlink.Link{trunk(true), vlan10(true)}
	addrs := []netlink.Addr{
		addr(3, "203.0.113.130/26", unix.IFA_F_SECONDARY),
		addr(3, "203.0.113.129/26", 0),
		addr(2, "203.0.113.1/25", 0),
	}
	if !tbl.reset(links, addrs) {
		t.Error("first reset: changed = false")
	}
	if tbl.reset(links, addrs) {
		t.Error("same reset again: changed = true")
	}
	want := map[string]Link{
		"eth0":    func() Link { l := wantTrunk; l.Addrs = pfx("203.0.113.1/25"); return l }(),
		"eth0.10": func() Link { l := wantVLAN; l.Addrs = pfx("203.0.113.129/26", "203.0.113.130/26"); return l }(),
	}
	if diff := cmp.Diff(want, tbl.snapshot(), cmpAddrs); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if !tbl.reset(links[:1], addrs[2:]) {
		t.Error("reset without the VLAN: changed = false")
	}
	if diff := cmp.Diff(map[string]Link{"eth0": want["eth0"]}, tbl.snapshot(), cmpAddrs); diff != "" {
		t.Errorf("links after removal (-want +got):\n%s", diff)
	}
}

func TestPrimaryIPv4(t *testing.T) {
	tests := []struct {
		name   string
		link   Link
		want   netip.Prefix
		wantOK bool
	}{
		{"none", Link{}, netip.Prefix{}, false},
		{"first", Link{Addrs: pfx("203.0.113.1/25", "203.0.113.2/25")}, netip.MustParsePrefix("203.0.113.1/25"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.link.PrimaryIPv4()
			if diff := cmp.Diff(tt.want, got, cmpAddrs); diff != "" || ok != tt.wantOK {
				t.Errorf("PrimaryIPv4() = %v, %v, want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

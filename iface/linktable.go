package iface

import (
	"maps"
	"net"
	"net/netip"
	"slices"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// addrEntry is one IPv4 address of a link.
type addrEntry struct {
	prefix    netip.Prefix
	secondary bool
}

// linkTable is the Watcher's view of the links, owned by one goroutine.
// Addresses are kept apart from links because they arrive on their own
// subscription, possibly before the link they belong to.
type linkTable struct {
	links map[int]Link // by index; Parent and Addrs empty
	addrs map[int][]addrEntry
}

// newLinkTable returns an empty table.
func newLinkTable() *linkTable {
	return &linkTable{links: map[int]Link{}, addrs: map[int][]addrEntry{}}
}

// reset replaces the table's contents with a full listing and reports
// whether anything changed.
func (t *linkTable) reset(links []netlink.Link, addrs []netlink.Addr) bool {
	n := newLinkTable()
	for _, l := range links {
		if l == nil || l.Attrs() == nil {
			continue
		}
		nl := linkFromNetlink(l)
		n.links[nl.Index] = nl
	}
	for _, a := range addrs {
		n.addAddr(a.LinkIndex, a.IPNet, a.Flags)
	}
	changed := !maps.EqualFunc(t.links, n.links, Link.equal) ||
		!maps.EqualFunc(t.addrs, n.addrs, slices.Equal[[]addrEntry])
	*t = *n
	return changed
}

// applyLink applies a link update and reports whether anything changed.
// Messages of the AF_BRIDGE family are about bridge ports (a RTM_DELLINK of
// that family means "left the bridge", not "deleted") and are ignored.
func (t *linkTable) applyLink(u netlink.LinkUpdate) bool {
	if u.Family == unix.AF_BRIDGE || u.Link == nil || u.Link.Attrs() == nil {
		return false
	}
	index := u.Link.Attrs().Index
	switch u.Header.Type {
	case unix.RTM_DELLINK:
		_, ok := t.links[index]
		_, hadAddrs := t.addrs[index]
		delete(t.links, index)
		delete(t.addrs, index)
		return ok || hadAddrs
	case unix.RTM_NEWLINK:
		l := linkFromNetlink(u.Link)
		if old, ok := t.links[index]; ok && old.equal(l) {
			return false
		}
		t.links[index] = l
		return true
	default:
		return false
	}
}

// applyAddr applies an address update and reports whether anything
// changed. Updates that are not about IPv4 are ignored.
func (t *linkTable) applyAddr(u netlink.AddrUpdate) bool {
	if u.NewAddr {
		return t.addAddr(u.LinkIndex, &u.LinkAddress, u.Flags)
	}
	p, ok := prefixFromIPNet(&u.LinkAddress)
	if !ok {
		return false
	}
	entries := t.addrs[u.LinkIndex]
	i := slices.IndexFunc(entries, func(e addrEntry) bool { return e.prefix == p })
	if i < 0 {
		return false
	}
	entries = slices.Delete(entries, i, i+1)
	if len(entries) == 0 {
		delete(t.addrs, u.LinkIndex)
	} else {
		t.addrs[u.LinkIndex] = entries
	}
	return true
}

// addAddr adds or updates an address and reports whether anything changed.
func (t *linkTable) addAddr(index int, n *net.IPNet, flags int) bool {
	p, ok := prefixFromIPNet(n)
	if !ok {
		return false
	}
	e := addrEntry{prefix: p, secondary: flags&unix.IFA_F_SECONDARY != 0}
	entries := t.addrs[index]
	if i := slices.IndexFunc(entries, func(o addrEntry) bool { return o.prefix == p }); i >= 0 {
		if entries[i] == e {
			return false
		}
		// A secondary promoted to primary (or the reverse) keeps its place.
		entries[i] = e
		return true
	}
	t.addrs[index] = append(entries, e)
	return true
}

// snapshot returns the table as Links by name, with parent names and
// addresses filled in.
func (t *linkTable) snapshot() map[string]Link {
	s := make(map[string]Link, len(t.links))
	for index, l := range t.links {
		if p, ok := t.links[l.ParentIndex]; ok && l.ParentIndex != 0 {
			l.Parent = p.Name
		}
		l.Addrs = orderAddrs(t.addrs[index])
		s[l.Name] = l
	}
	return s
}

// orderAddrs returns the prefixes of entries, primaries first, each group in
// its original order; nil if there are none.
func orderAddrs(entries []addrEntry) []netip.Prefix {
	if len(entries) == 0 {
		return nil
	}
	out := make([]netip.Prefix, 0, len(entries))
	for _, secondary := range []bool{false, true} {
		for _, e := range entries {
			if e.secondary == secondary {
				out = append(out, e.prefix)
			}
		}
	}
	return out
}

package relay

import (
	"bytes"
	"cmp"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/iphelper/iphelper/relay/wire"
)

// A reply finds its downstream interface by giaddr and then by the
// circuit-id and remote-id it carries back. Interfaces that share a giaddr
// (a common configured giaddr, or one source-interface) and stamp the same
// pair cannot be told apart that way: a literal circuit-id, {vlan} on links
// that are no VLANs, {mac} on VLANs of one trunk. The configuration catches
// what it can know; the rest is found here when the routes are built, and a
// reply for such a pair goes to the one interface whose subnet holds the
// client's address, or nowhere.

// stampCollision is a set of interfaces, in name order, that share a giaddr
// and stamp the same circuit-id and remote-id.
type stampCollision struct {
	giaddr    netip.Addr
	circuitID string
	names     []string
}

// key identifies the collision, to log it once.
func (c stampCollision) key() string {
	return c.giaddr.String() + "\x00" + c.circuitID + "\x00" + strings.Join(c.names, "\x00")
}

// sortedStates returns states in name order, so that the routes built
// from them do not depend on the order links were listed in.
func sortedStates(states []*ifState) []*ifState {
	out := slices.Clone(states)
	slices.SortFunc(out, func(a, b *ifState) int { return cmp.Compare(a.name, b.name) })
	return out
}

// findCollisions lists every set of interfaces that share a giaddr and
// stamp the same option 82, in giaddr order.
func findCollisions(byGIAddr map[netip.Addr]*giaddrGroup) []stampCollision {
	var out []stampCollision
	for ga, g := range byGIAddr {
		for cid, states := range g.byCircuit {
			for i, s := range states {
				if sameStampBefore(states[:i], s) {
					continue // listed with the first of its pair
				}
				names := []string{s.name}
				for _, o := range states[i+1:] {
					if bytes.Equal(o.remoteID, s.remoteID) {
						names = append(names, o.name)
					}
				}
				if len(names) > 1 {
					out = append(out, stampCollision{giaddr: ga, circuitID: cid, names: names})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b stampCollision) int { return strings.Compare(a.key(), b.key()) })
	return out
}

// sameStampBefore reports whether one of states has s's remote-id.
func sameStampBefore(states []*ifState, s *ifState) bool {
	for _, o := range states {
		if bytes.Equal(o.remoteID, s.remoteID) {
			return true
		}
	}
	return false
}

// byStamp returns the interface of g that stamps circuit-id cid and
// remote-id rid. When several do, the client's address picks the one
// whose subnet holds it; ambiguous reports that none could be picked.
// It does not allocate.
func (g *giaddrGroup) byStamp(cid, rid []byte, msg wire.Packet) (st *ifState, ambiguous bool) {
	states := g.byCircuit[string(cid)]
	n := 0
	for _, s := range states {
		if bytes.Equal(s.remoteID, rid) {
			st = s
			n++
		}
	}
	if n <= 1 {
		return st, false
	}
	if st = pickBySubnet(states, rid, msg); st == nil {
		return nil, true
	}
	return st, false
}

// pickBySubnet returns the one interface of states (with remote-id rid,
// unless rid is nil) whose subnets hold the client's address: yiaddr,
// else ciaddr. It returns nil when an address is in several of the
// subnets (it never guesses), or when neither is in one.
func pickBySubnet(states []*ifState, rid []byte, msg wire.Packet) *ifState {
	for _, a := range [2]netip.Addr{msg.YIAddr(), msg.CIAddr()} {
		if !usableUnicast(a) {
			continue
		}
		var found *ifState
		for _, s := range states {
			if rid != nil && !bytes.Equal(s.remoteID, rid) {
				continue
			}
			if !onLink(s, a) {
				continue
			}
			if found != nil {
				return nil // two subnets hold it: never guess
			}
			found = s
		}
		if found != nil {
			return found
		}
	}
	return nil
}

// onLink reports whether a is in one of the subnets of s's link, the
// primary's or a secondary's.
func onLink(s *ifState, a netip.Addr) bool {
	for _, p := range s.link.Addrs {
		if p.Masked().Contains(a) {
			return true
		}
	}
	return false
}

// logCollisions logs, at error level and once, each collision of rt that
// old did not have.
func logCollisions(log *slog.Logger, old, rt *routes) {
	seen := make(map[string]bool)
	if old != nil {
		for _, c := range old.collisions {
			seen[c.key()] = true
		}
	}
	for _, c := range rt.collisions {
		if seen[c.key()] {
			continue
		}
		log.Error("interfaces share a giaddr and stamp the same option 82: their replies go by the client's subnet, else are dropped (circuit_id_collision); give each its own circuit-id, e.g. {ifname}",
			"interfaces", strings.Join(c.names, ", "), "giaddr", c.giaddr, "circuit_id", strconv.Quote(c.circuitID))
	}
}

package relay

import (
	"net/netip"

	"github.com/iphelper/iphelper/iface"
)

// routes is the reply path's view of the downstream interfaces, rebuilt on
// every change and swapped in atomically.
type routes struct {
	downstream map[int]bool                // the ifindexes of the served downstream interfaces
	ours       map[netip.Addr]bool         // every IPv4 address of every link: loop/spoof guard
	byGIAddr   map[netip.Addr]*giaddrGroup // relaying address → interfaces that use it
	collisions []stampCollision            // interfaces whose replies option 82 cannot tell apart
	bcast      map[netip.Addr]*ifState     // directed broadcast → the served interface whose subnet it is
	localBcast map[netip.Addr]bool         // the directed broadcast of every subnet of every link
}

// addBroadcasts indexes the directed broadcasts of the links' subnets,
// and which served interface each belongs to, for forwarded broadcasts.
func (rt *routes) addBroadcasts(states []*ifState, links map[string]iface.Link) {
	rt.bcast, rt.localBcast = make(map[netip.Addr]*ifState), make(map[netip.Addr]bool)
	for _, l := range links {
		for _, p := range l.Addrs {
			if b := subnetBroadcast(p); b.IsValid() {
				rt.localBcast[b] = true
			}
		}
	}
	for _, s := range sortedStates(states) {
		for _, p := range s.link.Addrs {
			if b := subnetBroadcast(p); b.IsValid() && rt.bcast[b] == nil {
				rt.bcast[b] = s
			}
		}
	}
}

// giaddrGroup is the set of interfaces that share one giaddr (more than one
// with source-interface or a common configured giaddr), in name order.
type giaddrGroup struct {
	states    []*ifState
	byCircuit map[string][]*ifState // circuit-id → the interfaces that stamp it, in name order
}

func (rt *routes) isOurs(a netip.Addr) bool { return rt != nil && rt.ours[a] }

// buildRoutes indexes states for the reply path. Its result does not
// depend on the order of states.
func buildRoutes(states []*ifState, ours map[netip.Addr]bool) *routes {
	rt := &routes{ours: ours, byGIAddr: make(map[netip.Addr]*giaddrGroup), downstream: make(map[int]bool)}
	for _, s := range sortedStates(states) {
		rt.downstream[s.link.Index] = true
		if !s.giaddr.IsValid() {
			continue
		}
		g := rt.byGIAddr[s.giaddr]
		if g == nil {
			g = &giaddrGroup{byCircuit: make(map[string][]*ifState)}
			rt.byGIAddr[s.giaddr] = g
		}
		g.states = append(g.states, s)
		g.byCircuit[string(s.circuitID)] = append(g.byCircuit[string(s.circuitID)], s)
	}
	rt.collisions = findCollisions(rt.byGIAddr)
	return rt
}

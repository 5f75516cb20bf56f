package relay

import (
	"net/netip"
	"sort"
	"time"

	"github.com/iphelper/iphelper/relay/fallback"
)

// InterfaceStatus is the state of one downstream interface, for `show
// interfaces`.
type InterfaceStatus struct {
	Name      string
	State     string       // AgentState.String(): "up", "waiting for link", …
	Index     int          // ifindex; 0 while the link does not exist
	VLAN      int          // 802.1Q id, 0 if none
	Address   netip.Prefix // primary IPv4 address; invalid when none
	GIAddr    netip.Addr   // what goes into giaddr; invalid when none yet
	Helpers   []netip.Addr // configured helpers
	Trusted   bool
	Option82  bool   // our option 82 is inserted
	Policy    string // keep / replace / drop
	CircuitID string // our circuit-id, as bytes in a string
	RemoteID  string
	// Polling says the interface's read loop polls its socket every
	// millisecond (its packet rate is above poll-above); Ring that its
	// packet socket receives into a TPACKET_V2 ring.
	Polling bool
	Ring    bool
	// Fallback says whether the interface has a fallback scope;
	// FallbackDisabled, when not empty, why that scope is not served (the
	// lease database cannot be opened, the scope does not fit the
	// interface's subnet): the relay goes on without it.
	Fallback         bool
	FallbackDisabled string
	Counters         InterfaceStats
}

// Status is a snapshot of the relay for the control socket: every
// downstream interface with a link or configured by exact name, and every
// helper's counters. It may be called concurrently with Run.
type Status struct {
	Interfaces []InterfaceStatus
	Helpers    []HelperStats
	// HelperSets is the health of each helper set in use, which decides
	// the fallback of the interfaces that use it.
	HelperSets []HelperSetStats
	Global     InterfaceStats
	// Scopes is the address use of each fallback scope, by interface.
	Scopes []ScopeStatus
}

// ScopeStatus is the address use of one interface's fallback scope.
type ScopeStatus struct {
	Interface string
	fallback.PoolStats
	// Outcomes counts the fallback server's decisions by name ("offer",
	// "ack", "pool_exhausted", "offers_capped", …); ones that never
	// happened are left out.
	Outcomes map[string]uint64
}

// Status returns a snapshot of the relay's interfaces and counters.
func (r *Relay) Status() Status {
	stats := r.counters.snapshot()
	byName := make(map[string]InterfaceStats, len(stats.Interfaces))
	for _, s := range stats.Interfaces {
		byName[s.Name] = s
	}
	var out Status
	seen := make(map[string]bool)
	inUse := make(map[string][]string) // helper set ID → the interfaces that use it
	if v := r.published.Load(); v != nil {
		for _, st := range *v {
			seen[st.name] = true
			if st.tracker != nil {
				id := helperSetID(st.cfg.Helpers)
				inUse[id] = append(inUse[id], st.name)
			}
			o := st.cfg.Option82
			is := InterfaceStatus{
				Name: st.name, State: AgentState(st.agent.status.Load()).String(),
				Index: st.link.Index, VLAN: st.link.VLANID, Address: st.addr, GIAddr: st.giaddr,
				Helpers: st.cfg.Helpers, Trusted: st.cfg.Trusted, Option82: o.Insert, Policy: o.Policy.String(),
				CircuitID: string(st.circuitID), RemoteID: string(st.remoteID), Counters: byName[st.name],
				Polling: st.agent.polling.Load(), Ring: st.agent.ringed.Load(),
				Fallback: st.cfg.Fallback != nil, FallbackDisabled: st.fbOff,
			}
			out.Interfaces = append(out.Interfaces, is)
		}
	}
	for _, ifc := range r.cfg.Load().Interfaces {
		if ifc.IsPattern() || seen[ifc.Name] {
			continue
		}
		out.Interfaces = append(out.Interfaces, InterfaceStatus{
			Name: ifc.Name, State: StateWaitingLink.String(), Helpers: ifc.Helpers, Trusted: ifc.Trusted,
			Option82: ifc.Option82.Insert, Policy: ifc.Option82.Policy.String(), Counters: byName[ifc.Name],
			Fallback: ifc.Fallback != nil,
		})
	}
	sort.Slice(out.Interfaces, func(i, j int) bool { return out.Interfaces[i].Name < out.Interfaces[j].Name })
	out.Helpers = stats.Helpers
	r.trackers.fill(out.Helpers, inUse)
	out.HelperSets = r.trackers.sets(inUse)
	if p := r.fbPub.Load(); p != nil {
		now := time.Now()
		for _, f := range *p {
			out.Scopes = append(out.Scopes, ScopeStatus{Interface: f.name, PoolStats: f.srv.PoolStats(now), Outcomes: f.outcomeCounts()})
		}
		sort.Slice(out.Scopes, func(i, j int) bool { return out.Scopes[i].Interface < out.Scopes[j].Interface })
	}
	out.Global = stats.Global
	return out
}

// ClearStats sets every counter back to zero (`clear statistics`): packet
// counters, and the helper sets' transaction counters and latencies; the
// helpers' health and last reply stay, they are state.
func (r *Relay) ClearStats() {
	r.counters.clear()
	r.trackers.clear()
}

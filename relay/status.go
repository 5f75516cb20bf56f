package relay

import (
	"sort"
	"time"

	"github.com/iphelper/iphelper/relay/status"
)

// Status returns a snapshot of the relay's interfaces and counters.
func (r *Relay) Status() status.Status {
	stats := r.counters.snapshot()
	byName := make(map[string]status.InterfaceStats, len(stats.Interfaces))
	for _, s := range stats.Interfaces {
		byName[s.Name] = s
	}
	var out status.Status
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
			state := AgentState(st.agent.status.Load())
			is := status.InterfaceStatus{
				Name: st.name, State: state.String(), Up: state == StateUp,
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
		out.Interfaces = append(out.Interfaces, status.InterfaceStatus{
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
			sc := status.ScopeStatus{Interface: f.name, PoolStats: f.srv.PoolStats(now), Outcomes: f.outcomeCounts(),
				NewClients: f.srv.NewClientStats(now)}
			if f.ddns != nil {
				d := f.ddns.Status()
				sc.DDNS = &d
			}
			out.Scopes = append(out.Scopes, sc)
		}
		sort.Slice(out.Scopes, func(i, j int) bool { return out.Scopes[i].Interface < out.Scopes[j].Interface })
	}
	out.Global = stats.Global
	out.LeaseStore = r.leaseStoreStatus()
	for _, reason := range Reasons() {
		out.DropReasons = append(out.DropReasons, reason.String())
	}
	return out
}

package control

import (
	"cmp"
	"slices"
	"time"

	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
	"github.com/iphelper/iphelper/relay/trace"
)

func countersOf(s status.InterfaceStats) Counters {
	c := Counters{
		RequestsReceived: s.RequestsIn, RequestsRelayed: s.RequestsRelayed,
		Option82Inserted: s.Opt82Inserted, Option82Omitted: s.Opt82Omitted,
		RepliesDelivered: s.RepliesOut, RepliesBroadcast: s.RepliesBcast, FallbackReplies: s.FallbackReplies,
		UDPForwarded: s.UDPForwarded, In: nonZero(s.In), Out: nonZero(s.Out),
		Drops: make(map[string]uint64, len(s.Drops)),
	}
	for _, p := range s.UDPPorts {
		c.UDPPorts = append(c.UDPPorts, PortCounters{Port: p.Port, Received: p.Received, Forwarded: p.Forwarded, Dropped: p.Dropped})
	}
	for k, v := range s.Drops {
		if v > 0 {
			c.Drops[k] = v
		}
	}
	return c
}

func interfacesOf(st status.Status) []Interface {
	out := make([]Interface, 0, len(st.Interfaces))
	for _, s := range st.Interfaces {
		out = append(out, Interface{
			Name: s.Name, State: s.State, Index: s.Index, VLAN: s.VLAN, Address: s.Address, GIAddr: s.GIAddr,
			Helpers: nonNil(s.Helpers), Trusted: s.Trusted, Option82: s.Option82, Policy: s.Policy,
			CircuitID: printableOrHex(s.CircuitID), RemoteID: printableOrHex(s.RemoteID),
			Polling: s.Polling, ReceiveRing: s.Ring,
			Fallback: fallbackState(s), FallbackReason: s.FallbackDisabled,
			Counters:                  countersOf(s.Counters),
			LeaseStoreQuorumLostSince: quorumLost(st.LeaseStore, s),
		})
	}
	return out
}

// quorumLost returns since when the shared lease store of an interface's
// fallback scope has had no quorum; nil when it has one, or the interface
// has no scope.
func quorumLost(ls status.LeaseStore, s status.InterfaceStatus) *time.Time {
	if !s.Fallback || ls.QuorumLostSince.IsZero() {
		return nil
	}
	t := ls.QuorumLostSince
	return &t
}

// fallbackState names the state of an interface's fallback scope.
func fallbackState(s status.InterfaceStatus) string {
	switch {
	case !s.Fallback:
		return ""
	case s.FallbackDisabled != "":
		return "disabled"
	}
	return "serving"
}

func helpersOf(st status.Status) []Helper {
	sets := make(map[string]HelperSet, len(st.HelperSets))
	for _, s := range st.HelperSets {
		sets[s.ID()] = HelperSet{
			Helpers: nonNil(s.Helpers), Interfaces: nonNil(s.Interfaces), Health: s.Health, Since: s.Since, Reason: s.Reason,
			Forwarded: s.Forwarded, Answered: s.Answered, TimedOut: s.TimedOut,
			LatencyP50Ms: ms(s.LatencyP50), LatencyP99Ms: ms(s.LatencyP99), LatencySamples: s.Latency.Count,
		}
	}
	out := make([]Helper, 0, len(st.Helpers))
	for _, h := range st.Helpers {
		v := Helper{
			Addr: h.Addr, Sent: h.Sent, SendErrors: h.SendErrors, Replies: h.Replies, LastReply: h.LastReply,
			Health: h.Health, Since: h.Since, Reason: h.Reason,
			Forwarded: h.Forwarded, Answered: h.Answered, TimedOut: h.TimedOut,
			LatencyP50Ms: ms(h.LatencyP50), LatencyP99Ms: ms(h.LatencyP99), LatencySamples: h.Latency.Count,
			Sets: []HelperSet{},
		}
		for _, id := range h.Sets {
			if s, ok := sets[id]; ok {
				v.Sets = append(v.Sets, s)
			}
		}
		out = append(out, v)
	}
	return out
}

func statisticsOf(st status.Status) Statistics {
	s := Statistics{Interfaces: make([]InterfaceCounters, 0, len(st.Interfaces)), Helpers: helpersOf(st), Global: countersOf(st.Global)}
	scopes := make(map[string]*NewClients, len(st.Scopes))
	for _, sc := range st.Scopes {
		n := sc.NewClients
		scopes[sc.Interface] = &NewClients{Offered: n.Offered, Earned: n.Earned, Taken: n.Taken, Abandoned: n.Abandoned, Capped: n.Capped,
			Outstanding: n.Outstanding, Cap: n.Cap, EarnedCap: n.EarnedCap, CapState: n.CapState}
	}
	for _, i := range st.Interfaces {
		s.Interfaces = append(s.Interfaces, InterfaceCounters{Name: i.Name, State: i.State, Counters: countersOf(i.Counters), NewClients: scopes[i.Name]})
	}
	return s
}

func bindingsOf(bs []bindings.Binding) []Binding {
	out := make([]Binding, 0, len(bs))
	for _, b := range bs {
		out = append(out, Binding{
			Addr: b.Addr, MAC: Hex(b.MAC), ClientID: Hex(b.ClientID), Interface: b.Interface,
			VLAN: b.VLAN, Hostname: b.Hostname, Expiry: b.Expiry,
		})
	}
	return out
}

// leasesOf converts lease records, ordered by interface and address.
func leasesOf(ls []leasestore.Lease) []Lease {
	out := make([]Lease, 0, len(ls))
	for _, l := range ls {
		out = append(out, Lease{
			Addr: l.Addr, MAC: Hex(l.MAC), ClientID: Hex(l.ClientID), Hostname: l.Hostname,
			Interface: l.Interface, Expiry: l.Expiry, State: l.State.String(),
		})
	}
	slices.SortFunc(out, func(a, b Lease) int {
		return cmp.Or(cmp.Compare(a.Interface, b.Interface), a.Addr.Compare(b.Addr))
	})
	return out
}

var actionNames = map[trace.Action]string{
	trace.Relayed: "relayed", trace.Delivered: "delivered", trace.Dropped: "dropped", trace.Fallback: "fallback", trace.Silent: "fallback_silent",
}

// traceEventOf converts e for the wire, with its formatted line.
func traceEventOf(e trace.Event) *TraceEvent {
	te := &TraceEvent{
		Time: e.Time, Interface: e.Interface, Direction: e.Dir.String(), Type: trace.TypeName(e.Op, e.Type),
		XID: e.XID, CHAddr: Hex(append([]byte(nil), e.CHAddr[:min(int(e.HLen), len(e.CHAddr))]...)), GIAddr: e.GIAddr,
		Action: actionNames[e.Action], From: e.From, FromFallback: e.FromFallback, To: e.To, Broadcast: e.Broadcast, Reason: e.Reason,
		Line: trace.Format(e),
	}
	if e.Action == trace.Relayed || e.Action == trace.Dropped {
		te.Helpers = e.Helpers
	}
	return te
}

// ms is d in milliseconds with microsecond resolution.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// nonZero copies the nonzero counts of m; nil when there are none.
func nonZero(m map[string]uint64) map[string]uint64 {
	var out map[string]uint64
	for k, v := range m {
		if v > 0 {
			if out == nil {
				out = make(map[string]uint64, len(m))
			}
			out[k] = v
		}
	}
	return out
}

// poolsOf is the address use of each fallback scope.
func poolsOf(st status.Status) []Pool {
	out := make([]Pool, 0, len(st.Scopes))
	for _, sc := range st.Scopes {
		p := Pool{Interface: sc.Interface, Size: sc.Size, Leased: sc.Bound, Offered: sc.Offered, Quarantined: sc.Quarantined, Free: sc.Free}
		if p.Size > 0 {
			p.Utilisation = float64(int(1000*float64(p.Size-p.Free)/float64(p.Size)+0.5)) / 10
		}
		out = append(out, p)
	}
	return out
}

// conflictsOf lists the quarantined addresses among lease records, by
// interface and address.
func conflictsOf(ls []leasestore.Lease) []Conflict {
	out := []Conflict{}
	for _, l := range ls {
		if l.State != leasestore.StateDeclined {
			continue
		}
		c := Conflict{Addr: l.Addr, Interface: l.Interface, Detection: "probe", Until: l.Expiry}
		if len(l.MAC) > 0 {
			c.Detection, c.MAC = "decline", Hex(l.MAC)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Conflict) int {
		return cmp.Or(cmp.Compare(a.Interface, b.Interface), a.Addr.Compare(b.Addr))
	})
	return out
}

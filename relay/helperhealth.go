package relay

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/status"
)

// A helper set decides the fallback: it is down when its transactions go
// unanswered by every helper. But an operator asks about one helper: is
// this server answering? So each helper of a set also has a tracker of its
// own (a member), fed with the transactions sent to that helper and the
// replies that helper sent, with the set's settings. A helper in several
// sets has one member per set; its health is the sum of them.

// member is one helper's tracker within one helper set.
type member struct {
	t *health.Tracker
}

// newMembers returns a member per helper, made with hc.
func newMembers(helpers []netip.Addr, hc health.Config) map[netip.Addr]*member {
	m := make(map[netip.Addr]*member, len(helpers))
	for _, h := range helpers {
		m[h] = &member{t: health.NewTracker(hc)}
	}
	return m
}

// members returns the helpers' trackers of the helper set of helpers, to
// be resolved once per interface state (the hot paths take no lock); nil
// when the set has no tracker yet.
func (ts *trackers) members(helpers []netip.Addr) map[netip.Addr]*health.Tracker {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	e, ok := ts.byID[helperSetID(helpers)]
	if !ok {
		return nil
	}
	out := make(map[netip.Addr]*health.Tracker, len(e.members))
	for h, m := range e.members {
		out[h] = m.t
	}
	return out
}

// sets returns the health of the helper sets that interfaces use now
// (inUse: set ID → interface names).
func (ts *trackers) sets(inUse map[string][]string) []status.HelperSetStats {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []status.HelperSetStats
	for id, e := range ts.byID {
		ifaces, ok := inUse[id]
		if !ok {
			continue
		}
		st, since, reason := e.t.State()
		hs := e.t.Stats()
		helpers := slices.Clone(e.helpers)
		slices.SortFunc(helpers, func(a, b netip.Addr) int { return a.Compare(b) })
		out = append(out, status.HelperSetStats{
			Helpers: helpers, Interfaces: slices.Sorted(slices.Values(ifaces)),
			Health: st.String(), Since: since, Reason: reason,
			Forwarded: hs.Forwarded, Answered: hs.Answered, TimedOut: hs.TimedOut,
			LatencyP50: hs.LatencyP50, LatencyP99: hs.LatencyP99, Latency: e.latency.snapshot(),
		})
	}
	slices.SortFunc(out, func(a, b status.HelperSetStats) int { return strings.Compare(a.ID(), b.ID()) })
	return out
}

// fill adds to each helper's stats its own health: the sum of its members
// in the helper sets in use (inUse). A helper is down when it is down in
// any of them (the reason then names the set, when it is in several), up
// otherwise; a helper that no interface uses now has no health.
func (ts *trackers) fill(stats []status.HelperStats, inUse map[string][]string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for i := range stats {
		h := &stats[i]
		for id, e := range ts.byID {
			if _, used := inUse[id]; used && e.members[h.Addr] != nil {
				h.Sets = append(h.Sets, id)
			}
		}
		slices.Sort(h.Sets)
		var samples int
		for _, id := range h.Sets {
			m := ts.byID[id].members[h.Addr]
			st, since, reason := m.t.State()
			hs := m.t.Stats()
			h.Forwarded += hs.Forwarded
			h.Answered += hs.Answered
			h.TimedOut += hs.TimedOut
			if hs.LatencySamples > samples {
				samples, h.LatencyP50, h.LatencyP99 = hs.LatencySamples, hs.LatencyP50, hs.LatencyP99
			}
			if len(h.Sets) > 1 {
				reason += " (in helper set " + id + ")"
			}
			if h.Health == "" || worse(st, since, h.Health, h.Since) {
				h.Health, h.Since, h.Reason = st.String(), since, reason
			}
		}
	}
}

// worse reports whether a member's state (st since since) should stand
// for the helper rather than the one chosen so far: down wins over up,
// and within one state the latest change.
func worse(st health.State, since time.Time, chosen string, chosenSince time.Time) bool {
	if (st == health.Down) != (chosen == health.Down.String()) {
		return st == health.Down
	}
	return since.After(chosenSince)
}

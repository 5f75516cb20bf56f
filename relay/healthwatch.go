package relay

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/health"
)

// expireEvery is how often forwarded transactions are checked for
// time-outs: well under the default transaction time-out of 2 s.
const expireEvery = 250 * time.Millisecond

// trackers owns one health tracker per helper set (the sorted helper
// addresses): interfaces that share their helpers share their health.
type trackers struct {
	mu   sync.Mutex
	byID map[string]*trackerEntry
}

type trackerEntry struct {
	t       *health.Tracker
	helpers []netip.Addr
	latency *latencyHist
	base    health.Stats // the tracker's counters at the last clear statistics
}

func newTrackers() *trackers { return &trackers{byID: make(map[string]*trackerEntry)} }

// helperSetID names a helper set.
func helperSetID(helpers []netip.Addr) string {
	hs := slices.Clone(helpers)
	slices.SortFunc(hs, func(a, b netip.Addr) int { return a.Compare(b) })
	var b strings.Builder
	for i, h := range hs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(h.String())
	}
	return b.String()
}

// fill adds each helper's set health to stats.
func (ts *trackers) fill(stats []HelperStats) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for i := range stats {
		h := &stats[i]
		for _, e := range ts.byID {
			if !slices.Contains(e.helpers, h.Addr) {
				continue
			}
			st, since, reason := e.t.State()
			hs := e.t.Stats()
			h.Health, h.Since, h.Reason = st.String(), since, reason
			h.Forwarded, h.Answered, h.TimedOut = hs.Forwarded-e.base.Forwarded, hs.Answered-e.base.Answered, hs.TimedOut-e.base.TimedOut
			h.LatencyP50, h.LatencyP99 = hs.LatencyP50, hs.LatencyP99
			h.Latency = e.latency.snapshot()
			break
		}
	}
}

// clear starts the sets' transaction counters and latency histograms over
// (clear statistics); their health, a state rather than a statistic, stays.
func (ts *trackers) clear() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, e := range ts.byID {
		e.base = e.t.Stats()
		e.latency.clear()
	}
}

// forHelpers returns the tracker and latency histogram of an interface's
// helper set, made on first use with the set's settings in cfg (see
// config.HealthSettings: the same for every interface of the set).
func (ts *trackers) forHelpers(cfg *config.Config, ifc *config.Interface) (*health.Tracker, *latencyHist) {
	id := helperSetID(ifc.Helpers)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if e, ok := ts.byID[id]; ok {
		return e.t, e.latency
	}
	downAfter, timeout := cfg.HealthSettings(ifc.Helpers)
	t := health.NewTracker(health.Config{DownAfter: downAfter, Timeout: timeout, Start: time.Now()})
	e := &trackerEntry{t: t, helpers: slices.Clone(ifc.Helpers), latency: new(latencyHist)}
	ts.byID[id] = e
	return e.t, e.latency
}

// sync brings the trackers in line with a reloaded configuration: a helper
// set still configured keeps its tracker (state, pending transactions,
// counters) with the set's new down-after and transaction time-out; the
// tracker of a set no configured interface sends to any more is removed.
func (ts *trackers) sync(cfg *config.Config) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	used := make(map[string]bool, len(cfg.Interfaces))
	for i := range cfg.Interfaces {
		used[helperSetID(cfg.Interfaces[i].Helpers)] = true
	}
	for id, e := range ts.byID {
		if !used[id] {
			delete(ts.byID, id)
			continue
		}
		e.t.Reconfigure(cfg.HealthSettings(e.helpers))
	}
}

// watchHealth expires transactions and logs every change of a helper
// set's health, with its reason, until ctx ends.
func (r *Relay) watchHealth(ctx context.Context) {
	tick := time.NewTicker(expireEvery)
	defer tick.Stop()
	changes := make([]health.Change, 0, 8)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			r.trackers.mu.Lock()
			for id, e := range r.trackers.byID {
				e.t.Expire(now)
				changes = e.t.Transitions(changes[:0])
				for _, c := range changes {
					lvl := r.log.Warn
					if c.To == health.Up {
						lvl = r.log.Info
					}
					lvl("upstream health changed", "helpers", id, "from", c.From.String(), "to", c.To.String(), "reason", c.Reason)
				}
			}
			r.trackers.mu.Unlock()
		}
	}
}

package relay

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/status"
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
	members map[netip.Addr]*member // each helper's own tracker in the set
	latency *latencyHist
}

func newTrackers() *trackers { return &trackers{byID: make(map[string]*trackerEntry)} }

// helperSetID names a helper set.
func helperSetID(helpers []netip.Addr) string { return status.HelperSetID(helpers) }

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
	hc := health.Config{DownAfter: downAfter, Timeout: timeout, Start: time.Now()}
	t := health.NewTracker(hc)
	e := &trackerEntry{t: t, helpers: slices.Clone(ifc.Helpers), members: newMembers(ifc.Helpers, hc), latency: new(latencyHist)}
	ts.byID[id] = e
	return e.t, e.latency
}

// sync brings the trackers in line with a reloaded configuration: a helper
// set still configured keeps its tracker and its helpers' trackers (state,
// pending transactions, counters) with the set's new down-after and
// transaction time-out; the trackers of a set no configured interface
// sends to any more are removed, its helpers' with it.
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
		downAfter, timeout := cfg.HealthSettings(e.helpers)
		e.t.Reconfigure(downAfter, timeout)
		for _, m := range e.members {
			m.t.Reconfigure(downAfter, timeout)
		}
	}
}

// expire expires the transactions of every set and of its helpers, and
// reports each change of their health to report (helper is invalid for a
// set's own change). changes is scratch space, returned for reuse.
func (ts *trackers) expire(now time.Time, changes []health.Change, report func(set string, helper netip.Addr, c health.Change)) []health.Change {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for id, e := range ts.byID {
		e.t.Expire(now)
		changes = e.t.Transitions(changes[:0])
		for _, c := range changes {
			report(id, netip.Addr{}, c)
		}
		for h, m := range e.members {
			m.t.Expire(now)
			changes = m.t.Transitions(changes[:0])
			for _, c := range changes {
				report(id, h, c)
			}
		}
	}
	return changes
}

// logHealthChange logs a change of a helper set's health (a warning when
// it goes down), or at info level of one helper's within a set.
func (r *Relay) logHealthChange(set string, helper netip.Addr, c health.Change) {
	if helper.IsValid() {
		r.log.Info("helper health changed", "helper", helper, "helpers", set, "from", c.From.String(), "to", c.To.String(), "reason", c.Reason)
		return
	}
	lvl := r.log.Warn
	if c.To == health.Up {
		lvl = r.log.Info
	}
	lvl("upstream health changed", "helpers", set, "from", c.From.String(), "to", c.To.String(), "reason", c.Reason)
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
			changes = r.trackers.expire(now, changes, r.logHealthChange)
			r.countOverflows()
		}
	}
}

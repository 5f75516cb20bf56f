package relay

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/health"
)

// TestReloadAppliesHealthSettings: a reload that changes down-after and
// transaction-timeout reaches the running tracker of the interface's
// helper set and those of its helpers (which keep their state and
// counters), and a reload that stops using a helper set removes its
// trackers.
func TestReloadAppliesHealthSettings(t *testing.T) {
	rig := startFallbackRig(t)
	r := rig.r
	rig.sendDiscover(t, 1)
	waitFor(t, rig.up.sent, "the relayed DISCOVER")
	type view struct {
		Sets      []string
		DownAfter int
		Timeout   time.Duration
		Forwarded uint64
		Members   []string // each helper's tracker: "helper down-after timeout"
	}
	get := func() view {
		r.trackers.mu.Lock()
		defer r.trackers.mu.Unlock()
		var v view
		for id, e := range r.trackers.byID {
			v.Sets = append(v.Sets, id)
			c := e.t.Config()
			v.DownAfter, v.Timeout, v.Forwarded = c.DownAfter, c.Timeout, e.t.Stats().Forwarded
			for h, m := range e.members {
				mc := m.t.Config()
				v.Members = append(v.Members, fmt.Sprintf("%s %d %v", h, mc.DownAfter, mc.Timeout))
			}
		}
		slices.Sort(v.Members)
		slices.Sort(v.Sets)
		return v
	}
	waitView := func(what string, want view) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for {
			got := get()
			diff := cmp.Diff(want, got)
			if diff == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s (-want +got):\n%s", what, diff)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	member := func(h netip.Addr, downAfter int, timeout time.Duration) []string {
		return []string{fmt.Sprintf("%s %d %v", h, downAfter, timeout)}
	}
	waitView("at start", view{Sets: []string{helperAddr.String()}, DownAfter: config.DefaultDownAfter, Timeout: config.DefaultTransactionTimeout, Forwarded: 1,
		Members: member(helperAddr, config.DefaultDownAfter, config.DefaultTransactionTimeout)})

	delay := "200ms"
	cfg := testConfig(t, config.Flags{FallbackPools: []string{"eth1=203.0.113.100-203.0.113.110"}, OfferDelay: &delay})
	fc := *cfg.Interfaces[0].Fallback
	fc.ProbeCount, fc.DownAfter, fc.TransactionTimeout = 0, 1, 500*time.Millisecond
	cfg.Interfaces[0].Fallback = &fc
	r.Reload(cfg)
	waitView("after a reload with new settings", view{Sets: []string{helperAddr.String()}, DownAfter: 1, Timeout: 500 * time.Millisecond, Forwarded: 1,
		Members: member(helperAddr, 1, 500*time.Millisecond)})

	other := netip.MustParseAddr("198.51.100.77")
	cfg2, err := config.ParseWithFlags(nil, config.Flags{Interfaces: []string{"eth1"}, HelperAddresses: []string{other.String()}})
	if err != nil {
		t.Fatal(err)
	}
	r.Reload(cfg2)
	waitView("after a reload with other helpers", view{Sets: []string{other.String()}, DownAfter: health.DefaultDownAfter, Timeout: health.DefaultTimeout,
		Members: member(other, health.DefaultDownAfter, health.DefaultTimeout)})
}

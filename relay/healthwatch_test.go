package relay

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/status"
)

// TestClearStatsKeepsHealth: clear statistics zeroes a helper set's
// transaction counters and latency histogram, and its helpers' own
// counters, but not their health.
func TestClearStatsKeepsHealth(t *testing.T) {
	ts := newTrackers()
	tr, lat := ts.forHelpers(&config.Config{}, &config.Interface{Helpers: []netip.Addr{helperAddr}})
	now := time.Now()
	tr.Forwarded(health.Txn{XID: 1}, now)
	if d, ok := tr.Answered(health.Txn{XID: 1}, now.Add(time.Millisecond)); ok {
		lat.observe(d)
	}
	m := ts.members([]netip.Addr{helperAddr})[helperAddr]
	m.Forwarded(health.Txn{XID: 1}, now)
	m.Answered(health.Txn{XID: 1}, now.Add(time.Millisecond))
	type view struct {
		Health                       string
		Forwarded, Answered, Latency uint64
		HelperHealth                 string
		HelperForwarded              uint64
	}
	inUse := map[string][]string{helperAddr.String(): {"eth1"}}
	get := func() view {
		sets := ts.sets(inUse)
		hs := []status.HelperStats{{Addr: helperAddr}}
		ts.fill(hs, inUse)
		return view{sets[0].Health, sets[0].Forwarded, sets[0].Answered, sets[0].Latency.Count, hs[0].Health, hs[0].Forwarded}
	}
	if diff := cmp.Diff(view{"up", 1, 1, 1, "up", 1}, get()); diff != "" {
		t.Errorf("before clear (-want +got):\n%s", diff)
	}
	ts.clear()
	if diff := cmp.Diff(view{"up", 0, 0, 0, "up", 0}, get()); diff != "" {
		t.Errorf("after clear (-want +got):\n%s", diff)
	}
}

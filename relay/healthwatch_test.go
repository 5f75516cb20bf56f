package relay

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/health"
)

// TestClearStatsKeepsHealth: clear statistics zeroes a helper set's
// transaction counters and latency histogram but not its health.
func TestClearStatsKeepsHealth(t *testing.T) {
	ts := newTrackers()
	tr, lat := ts.forHelpers(&config.Config{}, &config.Interface{Helpers: []netip.Addr{helperAddr}})
	now := time.Now()
	tr.Forwarded(health.Txn{XID: 1}, now)
	if d, ok := tr.Answered(health.Txn{XID: 1}, now.Add(time.Millisecond)); ok {
		lat.observe(d)
	}
	type view struct {
		Health                       string
		Forwarded, Answered, Latency uint64
	}
	get := func() view {
		hs := []HelperStats{{Addr: helperAddr}}
		ts.fill(hs)
		return view{hs[0].Health, hs[0].Forwarded, hs[0].Answered, hs[0].Latency.Count}
	}
	if diff := cmp.Diff(view{"up", 1, 1, 1}, get()); diff != "" {
		t.Errorf("before clear (-want +got):\n%s", diff)
	}
	ts.clear()
	if diff := cmp.Diff(view{"up", 0, 0, 0}, get()); diff != "" {
		t.Errorf("after clear (-want +got):\n%s", diff)
	}
}

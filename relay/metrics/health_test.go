package metrics

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/iphelper/iphelper/relay/status"
)

// TestHelperHealth: a helper set's health, time-outs and latency histogram
// (cumulative buckets from the relay's per-bucket counts); a helper no
// interface uses has no health series.
func TestHelperHealth(t *testing.T) {
	st := testStatus()
	var lat status.LatencyHistogram
	lat.Buckets[0], lat.Buckets[2] = 3, 1                    // 3 within 1ms, 1 within 5ms
	lat.Count, lat.Sum = 5, 2*time.Second+6*time.Millisecond // and 1 beyond the last bound
	st.Helpers = []status.HelperStats{
		{Addr: netip.MustParseAddr("198.51.100.2"), Health: "up", TimedOut: 1, Latency: lat},
		{Addr: netip.MustParseAddr("198.51.100.3"), Health: "down", TimedOut: 7},
		{Addr: netip.MustParseAddr("198.51.100.4")}, // not used by any interface now
	}
	reg := newRegistry(t, NewCollector(st, Options{}))
	want := `
# HELP iphelper_helper_up 1 while the helper itself answers, 0 while its last transactions (in one of its helper sets) got no reply from it in time.
# TYPE iphelper_helper_up gauge
iphelper_helper_up{helper="198.51.100.2"} 1
iphelper_helper_up{helper="198.51.100.3"} 0
# HELP iphelper_helper_transactions_timed_out_total Transactions sent to the helper that it did not answer in time.
# TYPE iphelper_helper_transactions_timed_out_total counter
iphelper_helper_transactions_timed_out_total{helper="198.51.100.2"} 1
iphelper_helper_transactions_timed_out_total{helper="198.51.100.3"} 7
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "iphelper_helper_up", "iphelper_helper_transactions_timed_out_total"); err != nil {
		t.Error(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "iphelper_helper_transaction_latency_seconds" {
			continue
		}
		h := mf.GetMetric()[0].GetHistogram()
		if h.GetSampleCount() != 5 {
			t.Errorf("sample count %d, want 5", h.GetSampleCount())
		}
		got := map[float64]uint64{}
		for _, b := range h.GetBucket() {
			got[b.GetUpperBound()] = b.GetCumulativeCount()
		}
		if got[0.001] != 3 || got[0.002] != 3 || got[0.005] != 4 || got[2] != 4 {
			t.Errorf("cumulative buckets %v, want 3 at 1ms and 2ms, 4 from 5ms on", got)
		}
		return
	}
	t.Error("no iphelper_helper_transaction_latency_seconds")
}

// TestHelperAndSetHealth: a stopped helper in a set whose other helper
// answers is down, while its set, which decides the fallback, is up; each
// has its own series.
func TestHelperAndSetHealth(t *testing.T) {
	st := testStatus()
	two, three := netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("198.51.100.3")
	st.Helpers = []status.HelperStats{
		{Addr: two, Health: "up", Sets: []string{"198.51.100.2", "198.51.100.2,198.51.100.3"}},
		{Addr: three, Health: "down", TimedOut: 3, Sets: []string{"198.51.100.2,198.51.100.3"}},
	}
	st.HelperSets = []status.HelperSetStats{
		{Helpers: []netip.Addr{two}, Interfaces: []string{"eth2"}, Health: "up"},
		{Helpers: []netip.Addr{two, three}, Interfaces: []string{"eth1"}, Health: "up", TimedOut: 1},
	}
	reg := newRegistry(t, NewCollector(st, Options{}))
	want := `
# HELP iphelper_helper_up 1 while the helper itself answers, 0 while its last transactions (in one of its helper sets) got no reply from it in time.
# TYPE iphelper_helper_up gauge
iphelper_helper_up{helper="198.51.100.2"} 1
iphelper_helper_up{helper="198.51.100.3"} 0
# HELP iphelper_helper_set_up 1 while the helper set is up (one of its helpers answers), 0 while it is down: then the fallback of its interfaces answers at once.
# TYPE iphelper_helper_set_up gauge
iphelper_helper_set_up{helpers="198.51.100.2"} 1
iphelper_helper_set_up{helpers="198.51.100.2,198.51.100.3"} 1
# HELP iphelper_helper_set_transactions_timed_out_total Transactions sent to the helper set that no helper answered in time.
# TYPE iphelper_helper_set_transactions_timed_out_total counter
iphelper_helper_set_transactions_timed_out_total{helpers="198.51.100.2"} 0
iphelper_helper_set_transactions_timed_out_total{helpers="198.51.100.2,198.51.100.3"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "iphelper_helper_up", "iphelper_helper_set_up", "iphelper_helper_set_transactions_timed_out_total"); err != nil {
		t.Error(err)
	}
}

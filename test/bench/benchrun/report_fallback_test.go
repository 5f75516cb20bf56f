package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/test/bench/internal/dora"
)

// fakeFallbackCell is a good cell of a fallback-mode row.
func fakeFallbackCell(row string, rep int, maxRate, cpu float64, st stored) *cell {
	c := fakeCell(row, rep, maxRate, 100, cpu)
	c.Low.Load.Rate, c.High.Load.Rate = 1000, 4000
	c.Completed, c.Stored, c.LoadAvg = 20000, &st, "2.50 3.00 3.10"
	if row == rowKeaPerf {
		c.Low.Load = dora.Result{Rate: 1000}
		c.Low.Perfdhcp = &perfReport{Discover: perfExchange{AvgDelayUS: 1696}, Request: perfExchange{AvgDelayUS: 1247}}
	}
	return c
}

func TestFallbackReport(t *testing.T) {
	o := defaultOptions()
	o.fallback, o.reps, o.iphelper, o.perfdhcp, o.clients = true, 2, "iphelper", "perfdhcp", fallbackClients
	o.plan = fallbackPlan()
	rows := o.fallbackRows()
	r := newResults(o, rows)
	ip := stored{FileBytes: 128 << 10, Leases: 200}
	kea := stored{FileBytes: 2 << 20, Leases: 200, Records: 20000}
	r.Cells = []*cell{
		fakeFallbackCell(rowFallback, 1, 4000, 100, ip), fakeFallbackCell(rowKea, 1, 2000, 200, kea),
		fakeFallbackCell(rowKeaPerf, 1, 1600, 300, kea),
		fakeFallbackCell(rowFallback, 2, 4400, 120, ip), fakeFallbackCell(rowKea, 2, 2200, 220, kea),
		{Row: rowKeaPerf, Rep: 2, Failed: "perfdhcp at 1000/s failed\nmore"},
	}
	r.finish(rows)
	var out strings.Builder
	printReport(&out, r)
	for _, line := range []string{
		"2 repetitions interleaved (iphelper-fallback kea kea-perfdhcp), 200 emulated clients, iphelper's helper 198.51.100.9 (answers nothing)",
		"1-min load average at the cells' starts: 2.50–2.50",
		"| server | max leases/s (< 1 % loss) | server CPU µs/lease @1000/s | @4000/s | DISCOVER→OFFER / REQUEST→ACK µs @1000/s | peak RSS MiB | lease file KiB | leases on file |",
		"| iphelper fallback (loadgen through the relay) | 4200 (4000–4400) | 220.0 | 110.0 | p50 100 / 100 | 10.0 | 128 | 200 |",
		"| kea (loadgen) | 2100 (2000–2200) | 420.0 | 210.0 | p50 100 / 100 | 10.0 | 2048 | 200 |",
		"| kea (perfdhcp) | 1600 (1600–1600) | 600.0 | 300.0 | mean 1696 / 1247 | 10.0 | 2048 | 200 |",
		"  max leases/s: 2.00× (target ≥ 1.5×: met)",
		"  server CPU per lease @1000/s: 0.52×, @4000/s: 0.52× (lower is better)",
		"iphelper fallback (loadgen) / kea (perfdhcp, Kea's own tool): max leases/s 2.62×",
		"lease records in the CSV file per completed DORA: 1.00",
		"FAILED rep 2 of kea-perfdhcp: perfdhcp at 1000/s failed",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("report lacks %q:\n%s", line, out.String())
		}
	}
	kp, _ := r.row(rowKeaPerf)
	if diff := cmp.Diff([]int{1, 1}, []int{kp.Good, kp.Failed}); diff != "" {
		t.Errorf("kea-perfdhcp good/failed (-want +got):\n%s", diff)
	}
}

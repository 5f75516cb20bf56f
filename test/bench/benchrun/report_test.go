package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/test/bench/internal/dora"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{name: "none", want: 0},
		{name: "odd", in: []float64{5, 1, 3}, want: 3},
		{name: "even", in: []float64{4, 1, 3, 2}, want: 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, median(tt.in)); diff != "" {
				t.Errorf("median (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeCell is a good cell of row with the given max rate, p50 and CPU.
func fakeCell(row string, rep int, maxRate, p50, cpu float64) *cell {
	lo := &run{Load: dora.Result{Rate: 2000, OfferP50US: p50, AckP50US: p50, OfferP99US: 10 * p50, AckP99US: 10 * p50}, CPUPerDORAus: 2 * cpu}
	hi := &run{Load: dora.Result{Rate: 8000}, CPUPerDORAus: cpu, RelayUDPDrops: 1}
	return &cell{Row: row, Rep: rep, MaxRate: maxRate, Low: lo, High: hi, PeakRSSKiB: 10240}
}

func TestSummaryAndRatios(t *testing.T) {
	o := defaultOptions()
	o.reps = 3
	o.iphelper, o.dhcrelay = "iphelper", "dhcrelay"
	rows := o.rows()
	r := newResults(o, rows)
	r.Cells = []*cell{
		fakeCell("iphelper", 1, 20000, 100, 10), fakeCell("dhcrelay", 1, 5000, 200, 40), fakeCell("none", 1, 21000, 50, 0),
		fakeCell("iphelper", 2, 22000, 110, 12), fakeCell("dhcrelay", 2, 6000, 210, 44), fakeCell("none", 2, 22000, 50, 0),
		fakeCell("iphelper", 3, 18000, 90, 11), {Row: "dhcrelay", Rep: 3, Failed: "boom\nlog"}, fakeCell("none", 3, 23000, 50, 0),
	}
	r.finish(rows)
	ip, ok := r.row("iphelper")
	if !ok {
		t.Fatal("no iphelper row")
	}
	want := summary{
		Row: "iphelper", Title: "iphelper", Good: 3, MaxRate: 20000, MaxRateMin: 18000, MaxRateMax: 22000,
		OfferP50: 100, OfferP99: 1000, AckP50: 100, AckP99: 1000, CPULow: 22, CPUHigh: 11, PeakRSSMiB: 10, DropsHigh: 1,
	}
	if diff := cmp.Diff(want, ip); diff != "" {
		t.Errorf("iphelper summary (-want +got):\n%s", diff)
	}
	dr, _ := r.row("dhcrelay")
	if diff := cmp.Diff([]int{2, 1}, []int{dr.Good, dr.Failed}); diff != "" {
		t.Errorf("dhcrelay good/failed (-want +got):\n%s", diff)
	}
	var out strings.Builder
	printReport(&out, r)
	for _, line := range []string{
		"| iphelper | 20000 (18000–22000) | 100 / 1000 | 100 / 1000 | 22.0 | 11.0 | 10.0 | 1 |",
		"| no relay (lab ceiling) | 22000 (21000–23000) | 50 / 500 | 50 / 500 | — | — | — | — |",
		"relay CPU per DORA @8000/s: 0.26× (target ≤ 0.5×: met)",
		"max sustained DORA/s: 3.64× (target ≥ 1.8×, or the lab's ceiling; iphelper reaches 91 % of the ceiling: met)",
		"p50 @2000/s: DISCOVER→OFFER 0.49×, REQUEST→ACK 0.49× (target ≤ 1×: met)",
		"FAILED rep 3 of dhcrelay: boom",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("report lacks %q:\n%s", line, out.String())
		}
	}
}

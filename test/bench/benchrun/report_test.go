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
	hi := &run{Load: dora.Result{Rate: 8000, OfferP50US: 2 * p50, OfferP99US: 20 * p50}, CPUPerDORAus: cpu, RelayUDPDrops: 1}
	closed := &run{Load: dora.Result{PerSecond: maxRate * 1.5}}
	c := &cell{Row: row, Rep: rep, MaxRate: maxRate, Low: lo, High: hi, Closed: closed, PeakRSSKiB: 10240,
		Steps: []step{{Rate: maxRate, Pass: true, OfferP99US: 30 * p50}, {Rate: 2 * maxRate, OfferP99US: 1e6}}}
	c.WorstP99US = c.worstP99()
	return c
}

func TestSummaryAndRatios(t *testing.T) {
	o := defaultOptions()
	o.reps = 3
	o.iphelper, o.dhcrelay, o.dhcpHelper = "iphelper", "dhcrelay", "dhcp-helper"
	o.pin = pinOff
	rows := o.rows()
	r := newResults(o, rows)
	r.Cells = []*cell{
		fakeCell("iphelper", 1, 20000, 100, 10), fakeCell("dhcrelay", 1, 5000, 200, 40), fakeCell("dhcp-helper", 1, 9000, 60, 20), fakeCell("none", 1, 21000, 50, 0),
		fakeCell("iphelper", 2, 22000, 110, 12), fakeCell("dhcrelay", 2, 6000, 210, 44), fakeCell("dhcp-helper", 2, 9000, 60, 20), fakeCell("none", 2, 22000, 50, 0),
		fakeCell("iphelper", 3, 18000, 90, 11), {Row: "dhcrelay", Rep: 3, Failed: "boom\nlog"}, fakeCell("dhcp-helper", 3, 9000, 60, 20), fakeCell("none", 3, 23000, 50, 0),
	}
	r.finish(rows)
	ip, ok := r.row("iphelper")
	if !ok {
		t.Fatal("no iphelper row")
	}
	want := summary{
		Row: "iphelper", Title: "iphelper", Good: 3, MaxRate: 20000, MaxRateMin: 18000, MaxRateMax: 22000,
		OfferP50: 100, OfferP99: 1000, AckP50: 100, AckP99: 1000, OfferP50High: 200, OfferP99High: 2000,
		WorstP99: 3000, WorstP99Max: 3300, Closed: 30000, ClosedMin: 27000, ClosedMax: 33000,
		CPULow: 22, CPUHigh: 11, PeakRSSMiB: 10, DropsHigh: 1,
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
		"| iphelper | 20000 (18000–22000) | 30000 (27000–33000) | 100 / 1000 | 200 / 2000 | 3000 (max 3300) | 100 / 1000 | 22.0 | 11.0 | 10.0 | 1 |",
		"| no relay (lab ceiling) | 22000 (21000–23000) | 33000 (31500–34500) | 50 / 500 | 100 / 1000 | 1500 (max 1500) | 50 / 500 | — | — | — | — |",
		"iphelper on every CPU (same run, medians):",
		"max sustained DORA/s / the no-relay ceiling: 0.91× (target ≥ 0.9×: met)",
		"worst DISCOVER→OFFER p99 up to the max: 3000 µs (max over the repetitions 3300 µs) (target ≤ 2,000 µs: NOT MET)",
		"max sustained DORA/s / dhcp-helper's: 2.22× (target > 1×: met)",
		"closed-loop DORA/s / dhcp-helper's: 2.22× (target > 1×: met)",
		"relay CPU per DORA @8000/s / dhcp-helper's: 0.55× (target ≤ 0.8×: met)",
		"DISCOVER→OFFER p50 @8000/s / dhcp-helper's: 1.67× (target ≤ 1.5×: NOT MET)",
		"DISCOVER→OFFER p50 @2000/s / dhcp-helper's: 1.67× (target ≤ 1×: NOT MET)",
		"relay CPU per DORA @8000/s / dhcrelay -a's: 0.26× (target ≤ 0.5×: met)",
		"FAILED rep 3 of dhcrelay: boom",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("report lacks %q:\n%s", line, out.String())
		}
	}
}

func TestPinRows(t *testing.T) {
	o := defaultOptions()
	o.iphelper, o.dhcpHelper = "iphelper", "dhcp-helper"
	var got []string
	for _, r := range filterRows(o.rows(), []string{"iphelper", "none"}) {
		got = append(got, r.Name+": "+strings.Join(r.Args[:min(len(r.Args), 4)], " "))
	}
	want := []string{"iphelper: iphelper run --allow-root --interface", "iphelper-pinned: taskset -c 1 iphelper", "none: "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	o.pin = pinOnly
	if diff := cmp.Diff([]string{"iphelper-pinned", "dhcp-helper-pinned", "none"}, names(o.rows())); diff != "" {
		t.Errorf("-pin only rows (-want +got):\n%s", diff)
	}
}

func names(rs []row) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

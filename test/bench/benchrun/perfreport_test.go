package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/test/bench/internal/dora"
)

// The golden reports are perfdhcp 2.2.0's, captured in the lab: Kea serving
// 1,000 DORA/s from an empty lease file; Kea with its pool nearly exhausted
// by another set of clients; and no server at all (perfdhcp prints "avg
// delay:" twice and n/a).
func TestParsePerfReport(t *testing.T) {
	tests := []struct {
		name string
		file string
		want perfReport
	}{
		{
			name: "kea at 1000/s", file: "perfdhcp-kea-1000.txt",
			want: perfReport{
				Rate:     998.767,
				Discover: perfExchange{Sent: 2998, Received: 2998, Drops: 0, AvgDelayUS: 1696},
				Request:  perfExchange{Sent: 2998, Received: 2997, Drops: 1, AvgDelayUS: 1247},
			},
		},
		{
			name: "pool exhausted", file: "perfdhcp-pool-exhausted.txt",
			want: perfReport{
				Rate:     114.464,
				Discover: perfExchange{Sent: 2994, Received: 391, Drops: 2603, AvgDelayUS: 122532},
				Request:  perfExchange{Sent: 391, Received: 344, Drops: 47, AvgDelayUS: 81583},
			},
		},
		{
			name: "no server", file: "perfdhcp-no-server.txt",
			want: perfReport{Discover: perfExchange{Sent: 100, Drops: 100}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := parsePerfReport(string(b))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(approx)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// approx compares delays parsed from decimal milliseconds.
func approx(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }

func TestParsePerfReportErrors(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "perfdhcp-kea-1000.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: "perfdhcp report has no rate"},
		{name: "usage error", in: "ERROR: parsing command line options: value of test period\n",
			want: "perfdhcp report has no rate"},
		{name: "no request section", in: strings.Split(string(good), "***Statistics for: REQUEST-ACK***")[0],
			want: "perfdhcp report has no REQUEST-ACK sent packets"},
		{name: "bad counter", in: strings.Replace(string(good), "received packets: 2998", "received packets: -1", 1),
			want: `perfdhcp report: DISCOVER-OFFER: bad received packets "-1": strconv.ParseUint: parsing "-1": invalid syntax`},
		{name: "bad delay", in: strings.Replace(string(good), "avg delay: 1.696 ms", "avg delay: 1.696 s", 1),
			want: `perfdhcp report: DISCOVER-OFFER: bad avg delay "1.696 s"`},
		{name: "bad rate", in: strings.Replace(string(good), "Rate: 998.767", "Rate: fast", 1),
			want: `perfdhcp report: bad rate line "Rate: fast 4-way exchanges/second, expected rate: 1000": strconv.ParseFloat: parsing "fast": invalid syntax`},
		{name: "empty rate", in: "Rate: \n", want: "perfdhcp report has no rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePerfReport(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPerfResult(t *testing.T) {
	rep := perfReport{
		Rate:     114.464,
		Discover: perfExchange{Sent: 2994, Received: 391, Drops: 2603},
		Request:  perfExchange{Sent: 391, Received: 344, Drops: 47},
	}
	got := perfResult(rep, 1000, 3000, 200, 500*time.Millisecond)
	want := dora.Result{
		Interface: "eth0", Mode: "open", Rate: 1000, Clients: 200, Outstanding: 200, TimeoutMS: 500, Seconds: 3,
		Scheduled: 3000, Attempted: 2994, Skipped: 6, Offers: 391, Completed: 344, LostOffer: 2603, LostAck: 47,
		PerSecond: 344.0 / 3, LossPct: 100 * 2656.0 / 3000,
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(approx)); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

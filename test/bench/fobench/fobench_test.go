package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name, in string
		want     uint64
		wantErr  string
	}{
		{"name with spaces and parens", "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 17 5 0 0 20 0 3 0", 22, ""},
		{"no name", "42 a S", 0, `malformed stat line "42 a S"`},
		{"short", "42 (x) S 1 2", 0, "stat line has 3 fields after the name, want ≥ 13"},
		{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u 5", 0, `malformed utime "u" or stime "5"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestSpreadOf(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want spread
	}{
		{"odd", []float64{3, 1, 2}, spread{Median: 2, Min: 1, Max: 3, N: 3}},
		{"even", []float64{4, 1, 2, 3}, spread{Median: 2.5, Min: 1, Max: 4, N: 4}},
		{"never happened is left out", []float64{-1, 5}, spread{Median: 5, Min: 5, Max: 5, N: 1}},
		{"none", []float64{-1}, spread{Median: -1, Min: -1, Max: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, spreadOf(tt.in)); diff != "" {
				t.Errorf("spread (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogTimes(t *testing.T) {
	log := `time=2026-01-02T03:04:05.100Z level=INFO msg="failover state changed" from=STARTUP to=COMMUNICATIONS-INTERRUPTED
time=2026-01-02T03:04:09.250Z level=WARN msg="failover state changed" from=NORMAL to=COMMUNICATIONS-INTERRUPTED
`
	mark := len(log) / 2
	got, ok := slogTimeAfter(log, mark, stateInterrup)
	if want := time.Date(2026, 1, 2, 3, 4, 9, 250e6, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("iphelper: got %v, %v; want %v (the line after the mark)", got, ok, want)
	}
	kea := "2026-01-02 03:04:05.000 WARN  [kea-dhcp4.ha-hooks] HA_COMMUNICATION_INTERRUPTED early\n" +
		"2026-01-02 03:04:08.500 WARN  [kea-dhcp4.ha-hooks] HA_COMMUNICATION_INTERRUPTED later\n"
	since := time.Date(2026, 1, 2, 3, 4, 7, 0, time.Local)
	got, ok = keaTimeAfter(kea, since, "HA_COMMUNICATION_INTERRUPTED")
	if want := time.Date(2026, 1, 2, 3, 4, 8, 500e6, time.Local); !ok || !got.Equal(want) {
		t.Errorf("kea: got %v, %v; want %v (the first line after since)", got, ok, want)
	}
}

func TestRatiosPairRepetitions(t *testing.T) {
	b := &bench{res: results{Rates: []rateResult{
		{Mode: modeSingle, Rep: 1, PerSecond: 100}, {Mode: modeHotStandby, Rep: 1, PerSecond: 50},
		{Mode: modeSingle, Rep: 2, PerSecond: 200}, {Mode: modeHotStandby, Rep: 2, PerSecond: 180},
		{Mode: modeSingle, Rep: 3, PerSecond: 400}, {Mode: modeHotStandby, Rep: 3, PerSecond: 280},
	}}}
	got := b.ratios(modeHotStandby, func(r rateResult) float64 { return r.PerSecond })
	if diff := cmp.Diff(spread{Median: 0.7, Min: 0.5, Max: 0.9, N: 3}, got); diff != "" {
		t.Errorf("ratios (-want +got):\n%s", diff)
	}
}

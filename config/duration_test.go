package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "10m", want: 10 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "1d", want: 24 * time.Hour},
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1d0s", want: 24 * time.Hour},
		{in: "d", wantErr: `time: invalid duration "d": days go first, as a whole number (1d12h)`},
		{in: "1.5d", wantErr: `time: invalid duration "1.5d": days go first, as a whole number (1d12h)`},
		{in: "12h1d", wantErr: `time: invalid duration "12h1d": days go first, as a whole number (1d12h)`},
		{in: "1d-1h", wantErr: `time: invalid duration "1d-1h": a negative part after the days`},
		{in: "1dx", wantErr: `time: invalid duration "x"`},
		{in: "200000d", wantErr: `time: invalid duration "200000d": too long`},
		{in: "", wantErr: `time: invalid duration ""`},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseDuration(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

// A duration key takes days: the lease time of a fallback scope in "1d".
func TestDurationKeyTakesDays(t *testing.T) {
	d, err := ruleLeaseTime.parse("1d")
	if err != nil || d != 24*time.Hour {
		t.Errorf("lease time 1d = %v, %v, want 24h", d, err)
	}
}

package dora

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		in      Config
		want    Config
		wantErr string
	}{
		{
			name: "defaults",
			in:   Config{Interface: "eth0", Clients: 100, Duration: time.Second},
			want: Config{Interface: "eth0", Clients: 100, Outstanding: 100, Duration: time.Second, Timeout: 500 * time.Millisecond},
		},
		{
			name: "outstanding above clients is capped",
			in:   Config{Interface: "eth0", Clients: 10, Outstanding: 50, Rate: 10, Duration: time.Second, Timeout: time.Second},
			want: Config{Interface: "eth0", Clients: 10, Outstanding: 10, Rate: 10, Duration: time.Second, Timeout: time.Second},
		},
		{
			name:    "everything wrong",
			in:      Config{Clients: 70000, Rate: -1, Outstanding: -1, Count: -1, Timeout: -1},
			wantErr: "interface: required\nclients: 70000 is out of range 1..65536\nrate: -1 is negative\noutstanding: -1 is negative\ncount: -1 is negative\nduration: required, so the run stops by itself\ntimeout: -1ns is negative",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.withDefaults()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStateWord(t *testing.T) {
	w := word(0xdeadbeef, phaseAck)
	if diff := cmp.Diff([]any{uint32(0xdeadbeef), uint64(phaseAck)}, []any{xidOf(w), phaseOf(w)}); diff != "" {
		t.Errorf("unpacked (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([6]byte{0x02, 0x62, 0, 0, 0x12, 0x34}, clientMAC(0x1234)); diff != "" {
		t.Errorf("MAC (-want +got):\n%s", diff)
	}
}

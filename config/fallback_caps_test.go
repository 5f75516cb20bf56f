package config

import (
	"strings"
	"testing"
)

func TestFallbackStarvationCaps(t *testing.T) {
	base := "interfaces:\n  - name: eth1\n    helper-addresses: [198.51.100.2]\n    fallback:\n      pools: [203.0.113.100-203.0.113.150]\n"
	tests := []struct {
		name                 string
		extra                string
		wantOffers, wantRsrv int
		wantErr              string
	}{
		{name: "defaults", wantOffers: 0, wantRsrv: 0},
		{name: "set", extra: "      max-offers-outstanding: 12\n      reserve-for-known: 25\n", wantOffers: 12, wantRsrv: 25},
		{name: "off", extra: "      max-offers-outstanding: -1\n      reserve-for-known: -1\n", wantOffers: -1, wantRsrv: -1},
		{name: "cap out of range", extra: "      max-offers-outstanding: -2\n",
			wantErr: `interface "eth1": fallback.max-offers-outstanding: -2 is out of range -1..65536`},
		{name: "reserve out of range", extra: "      reserve-for-known: 101\n",
			wantErr: `interface "eth1": fallback.reserve-for-known: 101 is out of range -1..100`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(base + tt.extra))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f := cfg.Interfaces[0].Fallback
			if f.MaxOffers != tt.wantOffers || f.ReserveForKnown != tt.wantRsrv {
				t.Errorf("max-offers %d reserve %d, want %d and %d", f.MaxOffers, f.ReserveForKnown, tt.wantOffers, tt.wantRsrv)
			}
			out, err := cfg.Effective()
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(out)
			if err != nil {
				t.Fatalf("effective config does not parse: %v\n%s", err, out)
			}
			if g := again.Interfaces[0].Fallback; g.MaxOffers != f.MaxOffers || g.ReserveForKnown != f.ReserveForKnown {
				t.Errorf("round trip changed the caps: %+v", g)
			}
		})
	}
}

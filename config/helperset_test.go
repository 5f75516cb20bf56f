package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestHelperSetHealthSettings: interfaces that send to the same helpers
// share one upstream health, so their fallback scopes must agree on
// down-after and transaction-timeout (else the first interface's won,
// whichever started first); HealthSettings gives the set's values, and
// the defaults to a set without a fallback scope.
func TestHelperSetHealthSettings(t *testing.T) {
	type settings struct {
		DownAfter int
		Timeout   time.Duration
	}
	tests := []struct {
		name    string
		file    string
		want    map[string]settings // by helper set, "a,b"
		wantErr string
	}{
		{
			name: "shared set, same values; an interface without a scope shares them",
			file: `
interfaces:
  - {name: eth1, helper-addresses: [198.51.100.2, 198.51.100.3], fallback: {pools: [203.0.113.100-203.0.113.110], down-after: 5, transaction-timeout: 3s}}
  - {name: eth2, helper-addresses: [198.51.100.3, 198.51.100.2], fallback: {pools: [203.0.113.200-203.0.113.210], down-after: 5, transaction-timeout: 3s}}
  - {name: eth3, helper-addresses: [198.51.100.2, 198.51.100.3]}
  - {name: eth4, helper-addresses: [198.51.100.4]}
`,
			want: map[string]settings{"198.51.100.2,198.51.100.3": {5, 3 * time.Second}, "198.51.100.4": {DefaultDownAfter, DefaultTransactionTimeout}},
		},
		{
			name: "other helpers may differ",
			file: `
interfaces:
  - {name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.100-203.0.113.110], down-after: 5}}
  - {name: eth2, helper-addresses: [198.51.100.3], fallback: {pools: [203.0.113.200-203.0.113.210], down-after: 2}}
`,
			want: map[string]settings{"198.51.100.2": {5, DefaultTransactionTimeout}, "198.51.100.3": {2, DefaultTransactionTimeout}},
		},
		{
			name: "shared set, different values",
			file: `
interfaces:
  - {name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.100-203.0.113.110], down-after: 5}}
  - {name: "eth0.*", helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.200-203.0.113.210], transaction-timeout: 1s}}
`,
			wantErr: `interface "eth0.*": fallback: down-after 3 and transaction-timeout 1s differ from interface "eth1"'s (5, 2s), which sends to the same helpers: one health decides for both, so give them the same values`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.file, Flags{})
			if tt.wantErr != "" {
				got := ""
				if err != nil {
					got = err.Error()
				}
				if diff := cmp.Diff(tt.wantErr, got); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]settings{}
			for set := range tt.want {
				var hs []netip.Addr
				for _, s := range strings.Split(set, ",") {
					hs = append(hs, netip.MustParseAddr(s))
				}
				d, to := cfg.HealthSettings(hs)
				got[set] = settings{d, to}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("HealthSettings (-want +got):\n%s", diff)
			}
		})
	}
}

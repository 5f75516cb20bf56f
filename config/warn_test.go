package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWarnings(t *testing.T) {
	const head = "hostname: r1\ninterfaces:\n  - name: eth1\n    helper-addresses: [198.51.100.2]\n"
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  []string
	}{
		{
			name: "pool wholly excluded by two ranges",
			data: head + "    fallback:\n      pools: [203.0.113.10-203.0.113.20, 203.0.113.30-203.0.113.40]\n" +
				"      exclude: [203.0.113.15-203.0.113.25, 203.0.113.5-203.0.113.14]\n",
			want: []string{`6:15: interface "eth1": fallback.pools[0]: every address of 203.0.113.10-203.0.113.20 is excluded: the pool leases nothing`},
		},
		{
			name: "one address left is no warning",
			data: head + "    fallback: {pools: [203.0.113.10-203.0.113.20], exclude: [203.0.113.10-203.0.113.19]}\n",
		},
		{
			name:  "interface twice on the command line",
			data:  "hostname: r1\n",
			flags: Flags{Interfaces: []string{"eth1", "eth2", "eth1"}, HelperAddresses: []string{"198.51.100.2"}},
			want:  []string{`--interface "eth1" is given twice`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseWithFlags([]byte(tt.data), tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cfg.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

package main

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/config"
)

// TestPatternReport: check-config lists what each pattern serves on this
// machine, and what it leaves alone and why.
func TestPatternReport(t *testing.T) {
	links := []machineLink{
		{Name: "lo", Index: 1, Loopback: true},
		{Name: "eth0", Index: 2},
		{Name: "eth1", Index: 3},
		{Name: "eth1.12", Index: 5},
		{Name: "eth1.10", Index: 4},
		{Name: "eth1.30", Index: 6},
	}
	routed := map[int]netip.Addr{2: netip.MustParseAddr("198.51.100.2")}
	tests := []struct {
		name       string
		interfaces string
		want       string
	}{
		{
			name:       "star",
			interfaces: "  - name: '*'\n",
			want: `# what each pattern serves on this machine:
#   "*": eth1, eth1.10, eth1.12, eth1.30
#     not eth0: it holds the route to helper 198.51.100.2 (name it exactly to serve it)
#     not lo: it is loopback (name it exactly to serve it)
`,
		},
		{
			name:       "a range, an exact name and a pattern that serves nothing",
			interfaces: "  - name: 'eth1.{10-20}'\n  - name: eth1.12\n  - name: 'wlan*'\n",
			want: `# what each pattern serves on this machine:
#   "eth1.{10-20}": eth1.10
#   "wlan*": no interface
`,
		},
		{
			name:       "no pattern",
			interfaces: "  - name: eth1\n",
			want:       "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte("hostname: r\ndefaults: {helper-addresses: [198.51.100.2]}\ninterfaces:\n" + tt.interfaces))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, patternReport(cfg, links, routed)); diff != "" {
				t.Errorf("patternReport (-want +got):\n%s", diff)
			}
		})
	}
}

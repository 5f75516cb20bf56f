package config

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMatchLink: a pattern never takes loopback or a link that holds the
// route to a helper; an exact name does.
func TestMatchLink(t *testing.T) {
	cfg, err := parseTest(`
defaults: {helper-addresses: [198.51.100.2]}
interfaces:
  - name: "*"
  - name: eth9
`, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	helper := netip.MustParseAddr("198.51.100.2")
	tests := []struct {
		name         string
		link         string
		up           Upstream
		want         string
		wantExcluded string
		why          string
	}{
		{name: "downstream link", link: "eth1", want: "*", why: "it is downstream"},
		{name: "loopback", link: "lo", up: Upstream{Loopback: true}, wantExcluded: "*", why: "it is loopback"},
		{name: "route to a helper", link: "eth0", up: Upstream{Helper: helper}, wantExcluded: "*", why: "it holds the route to helper 198.51.100.2"},
		{name: "exact name wins", link: "eth9", up: Upstream{Helper: helper}, want: "eth9", why: "it holds the route to helper 198.51.100.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, ok, excluded := cfg.MatchLink(tt.link, tt.up)
			got, gotExcluded := "", ""
			if in != nil {
				got = in.Name
			}
			if excluded != nil {
				gotExcluded = excluded.Name
			}
			if diff := cmp.Diff([]any{tt.want, tt.want != "", tt.wantExcluded, tt.why}, []any{got, ok, gotExcluded, tt.up.String()}); diff != "" {
				t.Errorf("MatchLink (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllHelpers(t *testing.T) {
	cfg, err := parseTest(`
defaults: {helper-addresses: [198.51.100.3, 198.51.100.2]}
interfaces:
  - name: eth1
  - {name: eth2, helper-addresses: [198.51.100.2, 198.51.100.9]}
`, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	want := addrs("198.51.100.2", "198.51.100.3", "198.51.100.9")
	if diff := cmp.Diff(want, cfg.AllHelpers(), cmpOpts()); diff != "" {
		t.Errorf("AllHelpers (-want +got):\n%s", diff)
	}
}

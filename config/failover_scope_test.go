package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// scopeYAML is an eth1 entry with a fallback scope whose block holds keys
// after its pool.
func scopeYAML(keys string) string {
	return "interfaces:\n  - name: eth1\n    helper-addresses: [198.51.100.2]\n" +
		"    fallback: {pools: [203.0.113.100-203.0.113.150]" + keys + "}\n"
}

func TestFailoverScopes(t *testing.T) {
	scope := func(edit func(*Fallback)) *Fallback {
		f := defaultFallback("203.0.113.100-203.0.113.150")
		edit(f)
		return f
	}
	secondary := "failover: {role: secondary, listen: 198.51.100.11, peer: 198.51.100.10, key-file: /k, secondary-delay: 2s}\n"
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  *Fallback
	}{
		{name: "none by default", data: scopeYAML(""), want: defaultFallback("203.0.113.100-203.0.113.150")},
		{
			name: "none ignores a failover-role from defaults",
			data: "defaults: {fallback: {failover-role: primary}}\n" + scopeYAML(""),
			want: defaultFallback("203.0.113.100-203.0.113.150"),
		},
		{
			name: "split without a block: the scope's own role",
			data: scopeYAML(", failover-mode: split, failover-role: primary, partner-pools: [203.0.113.151-203.0.113.200, 203.0.113.90]"),
			want: scope(func(f *Fallback) {
				f.FailoverMode, f.FailoverRole = FailoverSplit, FailoverPrimary
				f.PartnerPools = []Range{mustRange("203.0.113.151-203.0.113.200"), mustRange("203.0.113.90")}
			}),
		},
		{
			name: "split secondary without a block: the default secondary-delay",
			data: "defaults: {fallback: {failover-mode: split, failover-role: secondary}}\n" + scopeYAML(", partner-pools: [203.0.113.151-203.0.113.200]"),
			want: scope(func(f *Fallback) {
				f.FailoverMode, f.FailoverRole, f.SecondaryDelay = FailoverSplit, FailoverSecondary, time.Second
				f.PartnerPools = []Range{mustRange("203.0.113.151-203.0.113.200")}
			}),
		},
		{
			name: "split with a block: its role and secondary-delay",
			data: secondary + scopeYAML(", failover-mode: split, partner-pools: [203.0.113.151-203.0.113.200]"),
			want: scope(func(f *Fallback) {
				f.FailoverMode, f.FailoverRole, f.SecondaryDelay = FailoverSplit, FailoverSecondary, 2*time.Second
				f.PartnerPools = []Range{mustRange("203.0.113.151-203.0.113.200")}
			}),
		},
		{
			name: "split with a block and the same role in the scope",
			data: secondary + scopeYAML(", failover-mode: split, failover-role: secondary, partner-pools: [203.0.113.151]"),
			want: scope(func(f *Fallback) {
				f.FailoverMode, f.FailoverRole, f.SecondaryDelay = FailoverSplit, FailoverSecondary, 2*time.Second
				f.PartnerPools = []Range{mustRange("203.0.113.151")}
			}),
		},
		{
			name: "hot-standby takes the block's role",
			data: secondary + scopeYAML(", failover-mode: hot-standby"),
			want: scope(func(f *Fallback) { f.FailoverMode, f.FailoverRole = FailoverHotStandby, FailoverSecondary }),
		},
		{
			name: "load-sharing from defaults",
			data: minimalFailoverYAML + "defaults: {fallback: {failover-mode: load-sharing}}\n" + scopeYAML(""),
			want: scope(func(f *Fallback) { f.FailoverMode, f.FailoverRole = FailoverLoadSharing, FailoverPrimary }),
		},
		{
			name:  "--failover-mode under the scope's own key",
			data:  minimalFailoverYAML + scopeYAML(", failover-mode: none"),
			flags: Flags{FailoverMode: ptrTo("hot-standby")},
			want:  defaultFallback("203.0.113.100-203.0.113.150"),
		},
		{
			name:  "--failover-mode over defaults",
			data:  minimalFailoverYAML + "defaults: {fallback: {failover-mode: none}}\n" + scopeYAML(""),
			flags: Flags{FailoverMode: ptrTo("hot-standby")},
			want:  scope(func(f *Fallback) { f.FailoverMode, f.FailoverRole = FailoverHotStandby, FailoverPrimary }),
		},
		{
			name: "the flags alone: a split secondary",
			flags: Flags{
				Interfaces:           []string{"eth1"},
				HelperAddresses:      []string{"198.51.100.2"},
				FallbackPools:        []string{"203.0.113.100-203.0.113.150"},
				FailoverPartnerPools: []string{"eth1=203.0.113.151-203.0.113.200", "203.0.113.90"},
				FailoverMode:         ptrTo("split"),
				FailoverRole:         ptrTo("secondary"),
				FailoverListen:       ptrTo("198.51.100.11"),
				FailoverPeer:         ptrTo("198.51.100.10"),
				FailoverKeyFile:      ptrTo("/k"),
			},
			want: scope(func(f *Fallback) {
				f.FailoverMode, f.FailoverRole, f.SecondaryDelay = FailoverSplit, FailoverSecondary, time.Second
				f.PartnerPools = []Range{mustRange("203.0.113.151-203.0.113.200")}
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.data, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cfg.Interfaces[0].Fallback, cmpOpts()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFailoverScopeErrors(t *testing.T) {
	const eth1 = `interface "eth1": `
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  string
	}{
		{name: "unknown mode", data: scopeYAML(", failover-mode: active"),
			want: eth1 + `fallback.failover-mode: unknown failover mode "active": want none, split, hot-standby or load-sharing`},
		{name: "unknown mode under defaults", data: "defaults: {fallback: {failover-mode: hot}}\n" + scopeYAML(""),
			want: `defaults: fallback.failover-mode: unknown failover mode "hot": want none, split, hot-standby or load-sharing`},
		{name: "--failover-mode unknown", data: scopeYAML(""), flags: Flags{FailoverMode: ptrTo("ha")},
			want: `--failover-mode: unknown failover mode "ha": want none, split, hot-standby or load-sharing`},
		{name: "unknown scope role", data: scopeYAML(", failover-mode: split, failover-role: main, partner-pools: [203.0.113.151]"),
			want: eth1 + `fallback.failover-role: unknown failover role "main": want primary or secondary` + "\n" +
				eth1 + "fallback.failover-role: missing: failover-mode split needs this node's role, primary or secondary (failover-role, or a failover: block)"},
		{name: "hot-standby without a block", data: scopeYAML(", failover-mode: hot-standby"),
			want: eth1 + "fallback.failover-mode: hot-standby needs a failover: block (role, listen, peer and authentication) or the --failover flags"},
		{name: "load-sharing without a block", data: scopeYAML(", failover-mode: load-sharing"),
			want: eth1 + "fallback.failover-mode: load-sharing needs a failover: block (role, listen, peer and authentication) or the --failover flags"},
		{name: "split without a role", data: scopeYAML(", failover-mode: split, partner-pools: [203.0.113.151]"),
			want: eth1 + "fallback.failover-role: missing: failover-mode split needs this node's role, primary or secondary (failover-role, or a failover: block)"},
		{name: "scope role contradicts the block", data: minimalFailoverYAML + scopeYAML(", failover-mode: hot-standby, failover-role: secondary"),
			want: eth1 + "fallback.failover-role: secondary contradicts the failover: block's role primary"},
		{name: "split without partner-pools", data: minimalFailoverYAML + scopeYAML(", failover-mode: split"),
			want: eth1 + "fallback.partner-pools: missing: failover-mode split needs the partner's ranges"},
		{name: "partner-pools overlap the pools", data: minimalFailoverYAML + scopeYAML(", failover-mode: split, partner-pools: [203.0.113.151-203.0.113.160, 203.0.113.140-203.0.113.145]"),
			want: eth1 + "fallback.partner-pools[1]: 203.0.113.140-203.0.113.145 overlaps pools[0] 203.0.113.100-203.0.113.150: each node of a split scope leases from its own ranges"},
		{name: "partner-pools overlap each other", data: minimalFailoverYAML + scopeYAML(", failover-mode: split, partner-pools: [203.0.113.151-203.0.113.160, 203.0.113.155]"),
			want: eth1 + "fallback.partner-pools[1]: 203.0.113.155 overlaps partner-pools[0] 203.0.113.151-203.0.113.160"},
		{name: "a bad partner pool is not also missing", data: minimalFailoverYAML + scopeYAML(", failover-mode: split, partner-pools: [x]"),
			want: eth1 + `fallback.partner-pools[0]: "x": "x" is not an IPv4 address: it is a name, not an address (give the IPv4 address a.b.c.d)`},
		{name: "partner-pools without split", data: minimalFailoverYAML + scopeYAML(", failover-mode: hot-standby, partner-pools: [203.0.113.151]"),
			want: eth1 + "fallback.partner-pools: only for failover-mode split (this scope's is hot-standby)"},
		{name: "partner-pools under defaults", data: "defaults: {fallback: {partner-pools: [203.0.113.151]}}\n" + scopeYAML(""),
			want: "defaults: fallback.partner-pools: not allowed under defaults: pools belong to one interface"},
		{name: "--failover-partner-pool overlaps", data: minimalFailoverYAML + scopeYAML(", failover-mode: split"),
			flags: Flags{FailoverPartnerPools: []string{"eth1=203.0.113.151-203.0.113.160", "eth1=203.0.113.160"}},
			want:  `--failover-partner-pool "eth1=203.0.113.160": 203.0.113.160 overlaps 203.0.113.151-203.0.113.160, given before`},
		{name: "--failover-partner-pool without NAME= or --interface", data: scopeYAML(""),
			flags: Flags{FailoverPartnerPools: []string{"203.0.113.160"}},
			want:  `--failover-partner-pool "203.0.113.160": without NAME= it applies to every --interface, and none is given`},
		{name: "the secondary's offer leaves too late",
			data: "failover: {role: secondary, listen: 198.51.100.11, peer: 198.51.100.10, key-file: /k, secondary-delay: 2500ms}\n" +
				scopeYAML(", failover-mode: split, partner-pools: [203.0.113.151], offer-delay: 1s, probe-count: 2, probe-timeout: 250ms"),
			want: eth1 + "fallback: offer-delay 1s plus the secondary's secondary-delay 2.5s plus probe-count 2 × probe-timeout 250ms is 4s: an offer must leave before the client retransmits, after about 4s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTest(tt.data, tt.flags)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

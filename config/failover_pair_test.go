package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pairYAML is one node of a good pair: block is its failover: block,
// then an eth1 scope in hot-standby, and a split scope on eth2 (vlan20 on
// the other node) with pools and partner-pools.
func pairYAML(block, eth1, eth2 string) string {
	return block + `
interfaces:
  - name: eth1
    helper-addresses: [198.51.100.2]
    fallback: {` + eth1 + `}
  - name: eth2
    helper-addresses: [198.51.100.2]
    fallback: {` + eth2 + `}
`
}

const (
	pairBlockA = "failover: {role: primary, listen: 198.51.100.10, peer: 198.51.100.11, key-file: /k}\n"
	pairBlockB = "failover: {role: secondary, listen: 198.51.100.11, peer: 198.51.100.10, key-file: /k}\n"
	pairEth1   = "failover-mode: hot-standby, pools: [203.0.113.10-203.0.113.50], exclude: [203.0.113.20]"
	pairSplitA = "failover-mode: split, pools: [203.0.113.130-203.0.113.160], partner-pools: [203.0.113.161-203.0.113.190]"
	pairSplitB = "failover-mode: split, pools: [203.0.113.161-203.0.113.190], partner-pools: [203.0.113.130-203.0.113.160]"
)

func TestCheckPair(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want string // "" for a good pair
	}{
		{name: "good pair", a: pairYAML(pairBlockA, pairEth1, pairSplitA), b: pairYAML(pairBlockB, pairEth1, pairSplitB)},
		{
			name: "good pair: ranges cut and ordered differently, names differ",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b: strings.ReplaceAll(pairYAML(pairBlockB,
				"failover-mode: hot-standby, pools: [203.0.113.31-203.0.113.50, 203.0.113.10-203.0.113.30], exclude: [203.0.113.20]",
				pairSplitB), "eth", "vlan"),
		},
		{
			name: "good pair: split scopes only, no blocks, roles per scope",
			a:    pairYAML("", "pools: [203.0.113.10-203.0.113.50]", pairSplitA+", failover-role: primary"),
			b:    pairYAML("", "pools: [203.0.113.10-203.0.113.50]", pairSplitB+", failover-role: secondary"),
		},
		{
			name: "one block only",
			a:    pairYAML(pairBlockA, "pools: [203.0.113.10-203.0.113.50]", pairSplitA),
			b:    pairYAML("", "pools: [203.0.113.10-203.0.113.50]", pairSplitB+", failover-role: secondary"),
			want: "failover: a.yaml has a failover: block, b.yaml has none: both nodes need one, or neither (split scopes only)",
		},
		{
			name: "same role",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML(strings.Replace(pairBlockB, "secondary", "primary", 1), pairEth1, pairSplitB),
			want: "failover.role: a.yaml has primary, b.yaml has primary: one node is primary, the other secondary",
		},
		{
			name: "listen and peer crossed wrong",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML("failover: {role: secondary, listen: 198.51.100.12, peer: 198.51.100.10:648, key-file: /k}\n", pairEth1, pairSplitB),
			want: "failover.listen / failover.peer: a.yaml has listen 198.51.100.10:647, b.yaml has peer 198.51.100.10:648: each node's peer is where the other listens\n" +
				"failover.peer / failover.listen: a.yaml has peer 198.51.100.11:647, b.yaml has listen 198.51.100.12:647: each node's peer is where the other listens",
		},
		{
			name: "authentication differs",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML(strings.Replace(pairBlockB, "key-file: /k", "tls-cert: /c, tls-key: /k, tls-ca: /a", 1), pairEth1, pairSplitB),
			want: "failover authentication: a.yaml has key-file, b.yaml has tls-cert, tls-key and tls-ca: both nodes authenticate alike",
		},
		{
			name: "mclt, split and standby-share differ",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML(strings.Replace(pairBlockB, "}", ", mclt: 1h, split: 60, standby-share: 20}", 1), pairEth1, pairSplitB),
			want: "failover.mclt: a.yaml has 5m0s, b.yaml has 1h0m0s: the lease rules need one MCLT\n" +
				"failover.split: a.yaml has 50, b.yaml has 60: both nodes must compute the same owners\n" +
				"failover.standby-share: a.yaml has 10, b.yaml has 20: both nodes must compute the same owners",
		},
		{
			name: "mode differs",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML(pairBlockB, strings.Replace(pairEth1, "hot-standby", "load-sharing", 1), pairSplitB),
			want: `interface "eth1" (a.yaml) and interface "eth1" (b.yaml): fallback.failover-mode: a.yaml has hot-standby, b.yaml has load-sharing: both nodes serve a scope in one mode`,
		},
		{
			name: "in failover on one node only",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML(pairBlockB, strings.Replace(pairEth1, "hot-standby", "none", 1), pairSplitB),
			want: `interface "eth1" (a.yaml) and interface "eth1" (b.yaml): fallback.failover-mode: a.yaml has hot-standby, b.yaml has none: both nodes serve a scope in one mode`,
		},
		{
			name: "in failover on the second node only",
			a:    pairYAML(pairBlockA, strings.Replace(pairEth1, "hot-standby", "none", 1), pairSplitA),
			b:    pairYAML(pairBlockB, pairEth1, pairSplitB),
			want: `interface "eth1" (a.yaml) and interface "eth1" (b.yaml): fallback.failover-mode: a.yaml has none, b.yaml has hot-standby: both nodes serve a scope in one mode`,
		},
		{
			name: "pools and exclusions differ",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML(pairBlockB, "failover-mode: hot-standby, pools: [203.0.113.10-203.0.113.60], exclude: [203.0.113.21]", pairSplitB),
			want: `interface "eth1" (a.yaml) and interface "eth1" (b.yaml): fallback.pools: a.yaml has [203.0.113.10-203.0.113.50], b.yaml has [203.0.113.10-203.0.113.60]: both nodes lease the same addresses` + "\n" +
				`interface "eth1" (a.yaml) and interface "eth1" (b.yaml): fallback.exclude: a.yaml has [203.0.113.20], b.yaml has [203.0.113.21]: both nodes lease the same addresses`,
		},
		{
			name: "split ranges do not mirror",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML(pairBlockB, pairEth1, "failover-mode: split, pools: [203.0.113.161-203.0.113.180], partner-pools: [203.0.113.130-203.0.113.150]"),
			want: `interface "eth2" (a.yaml) and interface "eth2" (b.yaml): fallback.partner-pools / pools: a.yaml has partner-pools [203.0.113.161-203.0.113.190], b.yaml has pools [203.0.113.161-203.0.113.180]: each node's partner-pools are the other's pools` + "\n" +
				`interface "eth2" (a.yaml) and interface "eth2" (b.yaml): fallback.pools / partner-pools: a.yaml has pools [203.0.113.130-203.0.113.160], b.yaml has partner-pools [203.0.113.130-203.0.113.150]: each node's partner-pools are the other's pools`,
		},
		{
			name: "split roles alike without blocks",
			a:    pairYAML("", "pools: [203.0.113.10-203.0.113.50]", pairSplitA+", failover-role: secondary"),
			b:    pairYAML("", "pools: [203.0.113.10-203.0.113.50]", pairSplitB+", failover-role: secondary"),
			want: `interface "eth2" (a.yaml) and interface "eth2" (b.yaml): fallback.failover-role: a.yaml has secondary, b.yaml has secondary: one node is primary, the other secondary`,
		},
		{
			name: "no matching scope on either side",
			a:    pairYAML(pairBlockA, pairEth1, pairSplitA),
			b:    pairYAML(pairBlockB, "failover-mode: hot-standby, pools: [203.0.113.60-203.0.113.70]", "pools: [203.0.113.200-203.0.113.210]"),
			want: `interface "eth1" (a.yaml): fallback scope in failover-mode hot-standby: b.yaml has no scope that shares an address with its pools or partner-pools (scopes are matched by their addresses)` + "\n" +
				`interface "eth2" (a.yaml): fallback scope in failover-mode split: b.yaml has no scope that shares an address with its pools or partner-pools (scopes are matched by their addresses)` + "\n" +
				`interface "eth1" (b.yaml): fallback scope in failover-mode hot-standby: a.yaml has no scope that shares an address with its pools or partner-pools (scopes are matched by their addresses)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseTest(tt.a, Flags{})
			if err != nil {
				t.Fatalf("a: %v", err)
			}
			b, err := parseTest(tt.b, Flags{})
			if err != nil {
				t.Fatalf("b: %v", err)
			}
			got := ""
			if err := CheckPair(a, b, "a.yaml", "b.yaml"); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

package config

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that no config bytes panic the parser, and that every
// config it accepts survives Effective and a second parse unchanged.
func FuzzParse(f *testing.F) {
	if ref, err := os.ReadFile("../deploy/iphelper.yaml"); err == nil {
		f.Add(ref)
	}
	for _, s := range []string{
		"interfaces: [{name: eth1, helper-addresses: [198.51.100.2]}]",
		"defaults: {helper-addresses: [198.51.100.2], information-option: {circuit-id: 'hex:00{vlan16}'}}\ninterfaces: [{name: 'eth0.*'}]",
		"interfaces: [{name: eth1, giaddr: 203.0.113.1, source-interface: lo}]",
		"max-hops: 99\n---\n",
		"a: &a [*a]",
		"interfaces: [{name: '[', helper-addresses: ['::1']}]",
		fullFallbackYAML,
		"interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.5-203.0.113.1, 203.0.113.9], t1: 4m, reservations: [{client-id: 'hex:0', address: 203.0.113.7}]}}]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseTest(string(data), Flags{})
		if err != nil {
			return
		}
		if diff := cmp.Diff(cfg, effectiveRoundTrip(t, cfg), cmpOpts()); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

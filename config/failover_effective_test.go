package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEffectiveFailover(t *testing.T) {
	cfg, err := parseTest(minimalFailoverYAML+scopeYAML(", failover-mode: hot-standby"), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.Effective()
	if err != nil {
		t.Fatal(err)
	}
	const wantBlock = `failover:
  role: primary
  listen: 198.51.100.10:647
  peer: 198.51.100.11:647
  key-file: /etc/iphelper/failover.key
  mclt: 5m0s
  heartbeat: 1s
  max-response-delay: 3s
  startup-delay: 5s
  max-ack-delay: 1s
  auto-partner-down: 0s
  unanswered-clients: 3
  secs-threshold: 3s
  max-pending-updates: 4096
  split: 50
  standby-share: 10
  secondary-delay: 1s
interfaces:
`
	const wantScope = `      secs-threshold: 0s
      failover-mode: hot-standby
`
	if _, after, ok := strings.Cut(string(got), "  format: text\n"); !ok || !strings.HasPrefix(after, wantBlock) {
		t.Errorf("no failover block after log:, want\n%s\ngot\n%s", wantBlock, got)
	}
	if !strings.HasSuffix(string(got), wantScope) {
		t.Errorf("the scope does not end with its mode, want\n%s\ngot\n%s", wantScope, got)
	}
}

func TestEffectiveFailoverRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		flags Flags
	}{
		{name: "every key, certificates", data: fullFailoverYAML + scopeYAML(", failover-mode: split, partner-pools: [203.0.113.151-203.0.113.200]")},
		{name: "split without a block", data: scopeYAML(", failover-mode: split, failover-role: secondary, partner-pools: [203.0.113.151]")},
		{name: "load-sharing, IPv6 peer", data: "failover: {role: primary, listen: '[2001:db8::1]:647', peer: '2001:db8::2', key-file: /k}\n" + scopeYAML(", failover-mode: load-sharing")},
		{
			name: "flags",
			flags: Flags{
				Interfaces:           []string{"eth1"},
				HelperAddresses:      []string{"198.51.100.2"},
				FallbackPools:        []string{"203.0.113.100-203.0.113.150"},
				FailoverPartnerPools: []string{"203.0.113.151-203.0.113.200"},
				FailoverMode:         ptrTo("split"),
				FailoverRole:         ptrTo("secondary"),
				FailoverListen:       ptrTo("198.51.100.11"),
				FailoverPeer:         ptrTo("198.51.100.10:7000"),
				FailoverKeyFile:      ptrTo("/k"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := parseTest(tt.data, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, effectiveRoundTrip(t, want), cmpOpts()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

package config

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEffectiveMinimal(t *testing.T) {
	cfg, err := parseTest("interfaces: [{name: eth1, helper-addresses: [198.51.100.2, 198.51.100.3], giaddr: 203.0.113.1}]", Flags{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.Effective()
	if err != nil {
		t.Fatal(err)
	}
	const want = `max-hops: 4
max-packet-size: 1472
hostname: relay1
lease-db: /var/lib/iphelper/leases.db
lease-store: bolt
helper-rate-limit: "off"
poll-above: 8000/s
log:
  level: info
  format: text
interfaces:
  - name: eth1
    helper-addresses: [198.51.100.2, 198.51.100.3]
    giaddr: 203.0.113.1
    trusted: false
    information-option:
      insert: true
      policy: replace
      check: true
      circuit-id: '{ifname}'
      remote-id: '{hostname}'
      subscriber-id: ""
      link-selection: false
      server-id-override: false
    rate-limit:
      interface: 2000/s
      interface-burst: 4000
      client: 10/s
      client-burst: 20
      max-clients: 65536
    verify-chaddr: true
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEffectiveRoundTrip checks that the effective config parses back to
// the same Config.
func TestEffectiveRoundTrip(t *testing.T) {
	reference, err := os.ReadFile("../deploy/iphelper.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		data  string
		flags Flags
	}{
		{name: "reference", data: string(reference)},
		{
			name: "flags",
			flags: Flags{
				Interfaces:      []string{"eth1", "eth0.*"},
				HelperAddresses: []string{"198.51.100.2", "eth1=198.51.100.3"},
				SourceInterface: ptrTo("lo"),
				CircuitIDs:      []string{"eth0.*={{{vlan}}}", "hex:{ifindex32}"},
				SubscriberIDs:   []string{"a: b # c"},
				RemoteID:        ptrTo("'\"{mac}\n"),
				MaxHops:         ptrTo(16),
				LogFormat:       ptrTo("json"),
			},
		},
		{
			name: "rate limits from the file and flags",
			data: "helper-rate-limit: 90/m\nhelper-rate-limit-burst: 7\n" +
				"interfaces: [{name: eth1, helper-addresses: [198.51.100.2], rate-limit: {interface: 1/h, client: 0.5/s, max-clients: 1}}]",
			flags: Flags{
				Interfaces:      []string{"eth2"},
				HelperAddresses: []string{"eth2=198.51.100.9"},
				ClientRate:      ptrTo("off"),
				VerifyCHAddr:    ptrTo(false),
			},
		},
		{
			name: "fallback from the file and flags",
			data: fullFallbackYAML + "lease-db: /srv/iphelper/leases.db\n",
			flags: Flags{
				Interfaces:        []string{"eth3"},
				HelperAddresses:   []string{"eth3=198.51.100.9"},
				FallbackPools:     []string{"203.0.113.200-203.0.113.210", "eth3=203.0.113.220"},
				FallbackRouter:    ptrTo("203.0.113.129"),
				FallbackDNS:       []string{"198.51.100.53", "198.51.100.54"},
				FallbackDomain:    ptrTo("x.example"),
				FallbackLeaseTime: ptrTo("90m"),
				OfferDelay:        ptrTo("0s"),
				Failback:          ptrTo("keep"),
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

package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFallbackErrors(t *testing.T) {
	// block returns an eth1 entry whose fallback block holds keys, after a
	// valid pool.
	block := func(keys string) string {
		return "interfaces:\n  - name: eth1\n    helper-addresses: [198.51.100.2]\n" +
			"    fallback: {pools: [203.0.113.100-203.0.113.150]" + keys + "}\n"
	}
	const eth1 = `interface "eth1": `
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  string
	}{
		// Decoding.
		{
			name: "unknown key",
			data: block(", lease: 10m"),
			want: "4:54: interfaces[0].fallback: unknown key \"lease\" (did you mean \"lease-time\"?)",
		},
		{
			name: "unknown reservation key",
			data: block(", reservations: [{hw: x}]"),
			want: "4:70: interfaces[0].fallback.reservations[0]: unknown key \"hw\": valid keys here are address, client-id, mac",
		},

		// Pools and exclusions.
		{
			name: "no pools",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {lease-time: 5m}}]",
			want: eth1 + "fallback.pools: missing: a fallback scope needs at least one pool (pools: or --fallback-pool)",
		},
		{
			name: "empty pools",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: []}}]",
			want: eth1 + "fallback.pools: missing: a fallback scope needs at least one pool (pools: or --fallback-pool)",
		},
		{
			name: "pools under defaults",
			data: "defaults: {fallback: {pools: [203.0.113.5]}}\n" + block(""),
			want: "defaults: fallback.pools: not allowed under defaults: pools belong to one interface",
		},
		{
			name: "start after end",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.150-203.0.113.100]}}]",
			want: eth1 + `fallback.pools[0]: "203.0.113.150-203.0.113.100": start 203.0.113.150 is after end 203.0.113.100`,
		},
		{
			name: "not an address",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.1-x]}}]",
			want: eth1 + `fallback.pools[0]: "203.0.113.1-x": "x" is not an IPv4 address: it is a name, not an address (give the IPv4 address a.b.c.d)`,
		},
		{
			name: "a prefix is no range",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.0/25]}}]",
			want: eth1 + `fallback.pools[0]: "203.0.113.0/25": "203.0.113.0/25" is not an IPv4 address: a prefix length is not allowed here, give the address alone`,
		},
		{
			name: "IPv6",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: ['2001:db8::1-2001:db8::9']}}]",
			want: eth1 + `fallback.pools[0]: "2001:db8::1-2001:db8::9": "2001:db8::1" is not an IPv4 address`,
		},
		{
			name: "loopback",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [127.0.0.2-127.0.0.9]}}]",
			want: eth1 + `fallback.pools[0]: "127.0.0.2-127.0.0.9": "127.0.0.2" is a loopback address`,
		},
		{
			name: "multicast",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [224.0.0.1]}}]",
			want: eth1 + `fallback.pools[0]: "224.0.0.1": "224.0.0.1" is not an IPv4 unicast address`,
		},
		{
			name: "overlapping pools",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.100-203.0.113.150, 203.0.113.160, 203.0.113.150-203.0.113.155]}}]",
			want: eth1 + `fallback.pools[2]: 203.0.113.150-203.0.113.155 overlaps pools[0] 203.0.113.100-203.0.113.150`,
		},
		{
			name: "bad exclusion",
			data: block(", exclude: [203.0.113.120-]"),
			want: eth1 + `fallback.exclude[0]: "203.0.113.120-": "" is not an IPv4 address: it is empty`,
		},

		// Reservations.
		{
			name: "reservation with both keys",
			data: block(`, reservations: [{mac: "02:00:00:00:00:99", client-id: "hex:0102", address: 203.0.113.160}]`),
			want: eth1 + "fallback.reservations[0]: give exactly one of mac and client-id",
		},
		{
			name: "reservation with no key",
			data: block(`, reservations: [{address: 203.0.113.160}]`),
			want: eth1 + "fallback.reservations[0]: give exactly one of mac and client-id",
		},
		{
			name: "reservation without address",
			data: block(`, reservations: [{mac: "02:00:00:00:00:99"}]`),
			want: eth1 + "fallback.reservations[0]: address: missing",
		},
		{
			name: "reservation bad address",
			data: block(`, reservations: [{mac: "02:00:00:00:00:99", address: 0.0.0.0}]`),
			want: eth1 + `fallback.reservations[0]: address: "0.0.0.0" is not an IPv4 unicast address`,
		},
		{
			name: "reservation bad MAC",
			data: block(`, reservations: [{mac: "02:00:00:00:99", address: 203.0.113.160}]`),
			want: eth1 + `fallback.reservations[0]: mac: "02:00:00:00:99" is not a MAC address: write six hex bytes such as 02:00:5e:10:00:42`,
		},
		{
			name: "reservation MAC too long for chaddr",
			data: block(`, reservations: [{mac: "00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01", address: 203.0.113.160}]`),
			want: eth1 + `fallback.reservations[0]: mac: "00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01" is longer than the 16 bytes of chaddr`,
		},
		{
			name: "reservation client-id odd hex",
			data: block(`, reservations: [{client-id: "hex:01:0", address: 203.0.113.160}]`),
			want: eth1 + `fallback.reservations[0]: client-id: "hex:01:0": bad hex digits: write pairs of 0-9 and a-f after the hex prefix`,
		},
		{
			name: "reservation client-id too short",
			data: block(`, reservations: [{client-id: "x", address: 203.0.113.160}]`),
			want: eth1 + `fallback.reservations[0]: client-id: "x" is 1 bytes, want 2..255 (RFC 2132 §9.14)`,
		},
		{
			name: "reservation client-id too long",
			data: block(`, reservations: [{client-id: "` + strings.Repeat("x", 256) + `", address: 203.0.113.160}]`),
			want: eth1 + `fallback.reservations[0]: client-id: "` + strings.Repeat("x", 256) + `" is 256 bytes, want 2..255 (RFC 2132 §9.14)`,
		},
		{
			name: "two reservations for one address",
			data: block(`, reservations: [{mac: "02:00:00:00:00:99", address: 203.0.113.160}, {client-id: "ab", address: 203.0.113.160}]`),
			want: eth1 + "fallback.reservations[1]: address 203.0.113.160 is also in reservations[0]",
		},
		{
			name: "two reservations for one MAC",
			data: block(`, reservations: [{mac: "02:00:00:00:00:99", address: 203.0.113.160}, {mac: "02-00-00-00-00-99", address: 203.0.113.161}]`),
			want: eth1 + "fallback.reservations[1]: mac 02:00:00:00:00:99 is also in reservations[0]",
		},
		{
			name: "two reservations for one client-id",
			data: block(`, reservations: [{client-id: "hex:6162", address: 203.0.113.160}, {client-id: "ab", address: 203.0.113.161}]`),
			want: eth1 + "fallback.reservations[1]: client-id hex:61:62 is also in reservations[0]",
		},

		// Options.
		{
			name: "router not an address",
			data: block(", router: [gw]"),
			want: eth1 + `fallback.router[0]: "gw" is not an IPv4 address: it is a name, not an address (give the IPv4 address a.b.c.d)`,
		},
		{
			name: "dns twice",
			data: block(", dns: [198.51.100.53, 198.51.100.53]"),
			want: eth1 + "fallback.dns[1]: 198.51.100.53 is given twice",
		},
		{
			name: "too many dns servers",
			data: block(", dns: [" + strings.Repeat("198.51.100.53,", 64) + "]"),
			want: eth1 + "fallback.dns: 64 addresses, more than the 63 that fit in one option",
		},
		{
			name: "domain with a space",
			data: block(", domain: 'example net'"),
			want: eth1 + `fallback.domain: "example net" is not a domain name: it holds ' '`,
		},
		{
			name: "domain with an empty label",
			data: block(", domain: 'example..net'"),
			want: eth1 + `fallback.domain: "example..net" is not a domain name: labels are 1..63 bytes`,
		},
		{
			name: "domain too long",
			data: block(", domain: " + strings.Repeat("a.", 127) + "ab"),
			want: eth1 + `fallback.domain: "` + strings.Repeat("a.", 127) + `ab" is not a domain name: want 1..253 bytes`,
		},

		// Durations and counts.
		{
			name: "lease-time not a duration",
			data: block(", lease-time: 10"),
			want: eth1 + `fallback.lease-time: "10" is not a duration: write a number and a unit, e.g. 90s, 5m or 1h30m`,
		},
		{
			name: "lease-time short",
			data: block(", lease-time: 59s"),
			want: eth1 + "fallback.lease-time: 59s is out of range [1m0s, 1193046h28m14s]",
		},
		{
			name: "lease-time fraction",
			data: block(", lease-time: 90.5s"),
			want: eth1 + "fallback.lease-time: 1m30.5s is not a whole number of seconds",
		},
		{
			name: "negative t1",
			data: block(", t1: -1s"),
			want: eth1 + "fallback.t1: -1s is out of range [0s, 1193046h28m14s]",
		},
		{
			name: "offer-delay 4s",
			data: block(", offer-delay: 4s"),
			want: eth1 + "fallback.offer-delay: 4s is out of range [0s, 4s)",
		},
		{
			name: "transaction-timeout",
			data: block(", transaction-timeout: 50ms"),
			want: eth1 + "fallback.transaction-timeout: 50ms is out of range [100ms, 30s]",
		},
		{
			name: "probe-timeout",
			data: block(", probe-timeout: 3s"),
			want: eth1 + "fallback.probe-timeout: 3s is out of range [10ms, 2s]",
		},
		{
			name: "decline-quarantine",
			data: block(", decline-quarantine: 0s"),
			want: eth1 + "fallback.decline-quarantine: 0s is out of range [1s, 720h0m0s]",
		},
		{
			name: "offer-hold",
			data: block(", offer-hold: 11m"),
			want: eth1 + "fallback.offer-hold: 11m0s is out of range [1s, 10m0s]",
		},
		{
			name: "secs-threshold",
			data: block(", secs-threshold: 65536s"),
			want: eth1 + "fallback.secs-threshold: 18h12m16s is out of range [0s, 18h12m15s]",
		},
		{
			name: "down-after",
			data: block(", down-after: 0"),
			want: eth1 + "fallback.down-after: 0 is out of range 1..100",
		},
		{
			name: "probe-count",
			data: block(", probe-count: 6"),
			want: eth1 + "fallback.probe-count: 6 is out of range 0..5",
		},
		{
			name: "failback",
			data: block(", failback: release"),
			want: eth1 + `fallback.failback: unknown failback mode "release": want nak or keep`,
		},
		{
			name: "bad key under defaults",
			data: "defaults: {fallback: {offer-delay: 5s}}\n" + block(""),
			want: "defaults: fallback.offer-delay: 5s is out of range [0s, 4s)",
		},

		// Keys checked together.
		{
			name: "t1 not below t2",
			data: block(", t1: 9m, t2: 9m"),
			want: eth1 + "fallback.t1: 9m0s must be less than t2 (9m0s)",
		},
		{
			name: "t1 not below the default t2",
			data: block(", t1: 9m"),
			want: eth1 + "fallback.t1: 9m0s must be less than t2 (8m45s, 87.5% of lease-time)",
		},
		{
			name: "t2 not above the default t1",
			data: block(", t2: 5m"),
			want: eth1 + "fallback.t2: 5m0s must be more than t1 (5m0s, 50% of lease-time)",
		},
		{
			name: "t2 not below lease-time",
			data: block(", t1: 1m, t2: 10m"),
			want: eth1 + "fallback.t2: 10m0s must be less than lease-time (10m0s)",
		},
		{
			name: "t2 from defaults against the block's lease-time",
			data: "defaults: {fallback: {t2: 20m}}\n" + block(""),
			want: eth1 + "fallback.t2: 20m0s must be less than lease-time (10m0s)",
		},
		{
			name: "offer too late",
			data: block(", offer-delay: 3s, probe-count: 5, probe-timeout: 200ms"),
			want: eth1 + "fallback: offer-delay 3s plus probe-count 5 × probe-timeout 200ms is 4s: an offer must leave before the client retransmits, after about 4s",
		},

		// Daemon-wide.
		{
			name: "lease-db relative",
			data: block("") + "lease-db: leases.db\n",
			want: `lease-db: "leases.db" is not an absolute path`,
		},
		{
			name: "lease-db empty",
			data: block("") + "lease-db: ''\n",
			want: `lease-db: must not be empty`,
		},

		// Flags.
		{
			name:  "flag pool without --interface",
			data:  block(""),
			flags: Flags{FallbackPools: []string{"203.0.113.5-203.0.113.9"}},
			want:  `--fallback-pool "203.0.113.5-203.0.113.9": without NAME= it applies to every --interface, and none is given`,
		},
		{
			name:  "flag pool for an unknown interface",
			data:  block(""),
			flags: Flags{FallbackPools: []string{"eth2=203.0.113.5-203.0.113.9"}},
			want:  `--fallback-pool "eth2=203.0.113.5-203.0.113.9": interface "eth2" is not configured (give --interface eth2 or an interfaces: entry)`,
		},
		{
			name:  "flag pool bad name",
			data:  block(""),
			flags: Flags{FallbackPools: []string{"eth 1=203.0.113.5"}},
			want:  `--fallback-pool "eth 1=203.0.113.5": interface name "eth 1" holds ' ', which no interface name may`,
		},
		{
			name:  "flag pool bad range, reported once",
			flags: Flags{Interfaces: []string{"eth1"}, HelperAddresses: []string{"198.51.100.2"}, FallbackPools: []string{"eth1=203.0.113.9-203.0.113.5"}},
			want:  `--fallback-pool "eth1=203.0.113.9-203.0.113.5": start 203.0.113.9 is after end 203.0.113.5`,
		},
		{
			name: "flag pools overlap",
			flags: Flags{
				Interfaces: []string{"eth1"}, HelperAddresses: []string{"198.51.100.2"},
				FallbackPools: []string{"203.0.113.5-203.0.113.9", "203.0.113.9"},
			},
			want: `--fallback-pool "203.0.113.9": 203.0.113.9 overlaps 203.0.113.5-203.0.113.9, given before`,
		},
		{
			name:  "flag router",
			data:  block(""),
			flags: Flags{FallbackRouter: ptrTo("203.0.113.1,203.0.113.2")},
			want:  `--fallback-router: "203.0.113.1,203.0.113.2" is not an IPv4 address: give one address per list entry ([a, b] for several)`,
		},
		{
			name:  "flag dns twice",
			data:  block(""),
			flags: Flags{FallbackDNS: []string{"198.51.100.53", "198.51.100.53"}},
			want:  `--fallback-dns "198.51.100.53": 198.51.100.53 is given twice`,
		},
		{
			name:  "flag domain",
			data:  block(""),
			flags: Flags{FallbackDomain: ptrTo("-/-")},
			want:  `--fallback-domain: "-/-" is not a domain name: it holds '/'`,
		},
		{
			name:  "flag lease time",
			data:  block(""),
			flags: Flags{FallbackLeaseTime: ptrTo("10 minutes")},
			want:  `--fallback-lease-time: "10 minutes" is not a duration: write a number and a unit, e.g. 90s, 5m or 1h30m`,
		},
		{
			name:  "flag offer delay",
			data:  block(""),
			flags: Flags{OfferDelay: ptrTo("-1s")},
			want:  `--offer-delay: -1s is out of range [0s, 4s)`,
		},
		{
			name:  "flag failback",
			data:  block(""),
			flags: Flags{Failback: ptrTo("NAK")},
			want:  `--failback: unknown failback mode "NAK": want nak or keep`,
		},
		{
			name:  "flag lease-db",
			data:  block(""),
			flags: Flags{LeaseDB: ptrTo("./l.db")},
			want:  `--lease-db: "./l.db" is not an absolute path`,
		},
		{
			name:  "flag lease time against the file's t2",
			data:  "interfaces: [{name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.5], t2: 5m}}]",
			flags: Flags{Interfaces: []string{"eth1"}, FallbackLeaseTime: ptrTo("5m")},
			want:  eth1 + "fallback.t2: 5m0s must be less than lease-time (5m0s)",
		},
		{
			name: "interface name with a percent sign",
			data: "interfaces: [{name: 'e%d', helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.5], t1: 9m}}]",
			want: `interface "e%d": fallback.t1: 9m0s must be less than t2 (8m45s, 87.5% of lease-time)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.data, tt.flags)
			if err == nil {
				t.Fatalf("no error, config %+v", cfg)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuildErrors(t *testing.T) {
	// eth1 is a valid entry that cases add their own keys to.
	const eth1 = "interfaces:\n  - name: eth1\n    helper-addresses: [198.51.100.2]\n"
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  string
	}{
		// The YAML decode.
		{
			name: "unknown top-level key",
			data: eth1 + "helpers: [198.51.100.2]\n",
			want: "4:1: unknown key \"helpers\": valid keys here are defaults, etcd, failover, helper-rate-limit, helper-rate-limit-burst, hostname, interfaces, lease-db, lease-store, log, max-hops, max-packet-size, poll-above",
		},
		{
			name: "unknown nested key",
			data: eth1 + "    information-option: {circuitid: x}\n",
			want: "4:26: interfaces[0].information-option: unknown key \"circuitid\" (did you mean \"circuit-id\"?)",
		},
		{
			name: "name under defaults",
			data: eth1 + "defaults: {name: eth2}\n",
			want: "4:12: defaults: unknown key \"name\" here: it belongs under defaults.fallback.options[] or failover or interfaces[] or interfaces[].fallback.options[] (check its indentation)",
		},
		{
			name: "wrong type",
			data: eth1 + "max-hops: many\n",
			want: "4:11: max-hops: \"many\" is not a whole number",
		},
		{
			name: "mapping instead of list",
			data: "interfaces: {name: eth1}\n",
			want: "1:13: interfaces: want a list ([a, b] or lines starting with -), got a mapping",
		},
		{
			name: "scalar instead of mapping",
			data: eth1 + "defaults: 5\n",
			want: "4:11: defaults: want a mapping (key: value), got \"5\"",
		},
		{
			name: "repeated key",
			data: eth1 + "max-hops: 2\nmax-hops: 3\n",
			want: "5:1: key \"max-hops\" is given twice (also line 4)",
		},
		{
			name: "two documents",
			data: eth1 + "---\nmax-hops: 3\n",
			want: "4:1: a second YAML document: the config file is one document (remove the --- line)",
		},
		{
			name: "syntax",
			data: "interfaces: [\n",
			want: "1:1: YAML syntax: did not find expected node content (check this line's indentation against the lines above it, and its quotes and brackets)",
		},

		// Daemon-wide keys.
		{name: "max-hops 0", data: eth1 + "max-hops: 0\n", want: "max-hops: 0 is out of range 1..16"},
		{name: "max-hops 17", data: eth1 + "max-hops: 17\n", want: "max-hops: 17 is out of range 1..16"},
		{name: "max-packet-size small", data: eth1 + "max-packet-size: 575\n", want: "max-packet-size: 575 is out of range 576..65507"},
		{name: "max-packet-size big", data: eth1 + "max-packet-size: 65508\n", want: "max-packet-size: 65508 is out of range 576..65507"},
		{name: "log level", data: eth1 + "log: {level: verbose}\n", want: `log: level: unknown value "verbose": want one of [debug info warn error]`},
		{name: "log format", data: eth1 + "log: {format: xml}\n", want: `log: format: unknown value "xml": want one of [text json]`},

		// Interface names.
		{name: "no interfaces", data: "", want: "no downstream interfaces: give --interface or interfaces: in the config file"},
		{name: "empty interfaces", data: "interfaces: []\n", want: "no downstream interfaces: give --interface or interfaces: in the config file"},
		{name: "name missing", data: "interfaces: [{helper-addresses: [198.51.100.2]}]\n", want: "interfaces[0]: name: missing"},
		{name: "name empty", data: "interfaces: [{name: ''}]\n", want: "interfaces[0]: name: empty interface name"},
		{name: "name too long", data: "interfaces: [{name: eth0.1234567890ab}]\n", want: `interfaces[0]: name: interface name "eth0.1234567890ab" is longer than 15 bytes`},
		{name: "name with slash", data: "interfaces: [{name: eth/1}]\n", want: `interfaces[0]: name: interface name "eth/1" holds '/', which no interface name may`},
		{name: "name dot", data: "interfaces: [{name: '..'}]\n", want: `interfaces[0]: name: ".." is not a valid interface name`},
		{name: "pattern with space", data: "interfaces: [{name: 'eth0 *'}]\n", want: `interfaces[0]: name: interface name "eth0 *" holds ' ', which no interface name may`},
		{name: "bad pattern", data: "interfaces: [{name: 'eth0.[1-'}]\n", want: `interfaces[0]: name: bad interface pattern "eth0.[1-": syntax error in pattern`},
		{
			name: "duplicate interface",
			data: eth1 + "  - name: eth1\n",
			want: `interfaces[1]: interface "eth1" is given twice (also interfaces[0])`,
		},

		// Helpers.
		{
			name: "helper not an address",
			data: "interfaces: [{name: eth1, helper-addresses: [dhcp1]}]\n",
			want: `interface "eth1": helper-addresses[0]: "dhcp1" is not an IPv4 address: it is a name, not an address (give the IPv4 address a.b.c.d)`,
		},
		{
			name: "helper IPv6",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2, '2001:db8::1']}]\n",
			want: `interface "eth1": helper-addresses[1]: "2001:db8::1" is not an IPv4 address`,
		},
		{
			name: "helper IPv4-mapped",
			data: "interfaces: [{name: eth1, helper-addresses: ['::ffff:198.51.100.2']}]\n",
			want: `interface "eth1": helper-addresses[0]: "::ffff:198.51.100.2" is not an IPv4 address`,
		},
		{
			name: "helper broadcast",
			data: "interfaces: [{name: eth0.10, helper-addresses: [198.51.100.2, 255.255.255.255]}]\n",
			want: `interface "eth0.10": helper-addresses[1]: "255.255.255.255" is not an IPv4 unicast address`,
		},
		{
			name: "helper unspecified",
			data: "interfaces: [{name: eth1, helper-addresses: [0.0.0.0]}]\n",
			want: `interface "eth1": helper-addresses[0]: "0.0.0.0" is not an IPv4 unicast address`,
		},
		{
			name: "helper multicast",
			data: "interfaces: [{name: eth1, helper-addresses: [224.0.0.1]}]\n",
			want: `interface "eth1": helper-addresses[0]: "224.0.0.1" is not an IPv4 unicast address`,
		},
		{
			name: "helper reserved",
			data: "interfaces: [{name: eth1, helper-addresses: [240.0.0.1]}]\n",
			want: `interface "eth1": helper-addresses[0]: "240.0.0.1" is not an IPv4 unicast address`,
		},
		{
			name: "helper twice",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.2, 198.51.100.2]}]\n",
			want: `interface "eth1": helper-addresses[1]: "198.51.100.2" is given twice`,
		},
		{
			name: "helper in defaults",
			data: eth1 + "defaults: {helper-addresses: [x]}\n",
			want: `defaults: helper-addresses[0]: "x" is not an IPv4 address: it is a name, not an address (give the IPv4 address a.b.c.d)`,
		},
		{
			name: "no helpers",
			data: "interfaces: [{name: eth1}]\n",
			want: `interface "eth1": no helper-addresses: give helper-addresses: in the config file or --helper-address`,
		},
		{
			name: "empty helper list",
			data: "defaults: {helper-addresses: [198.51.100.2]}\ninterfaces: [{name: eth1, helper-addresses: []}]\n",
			want: `interface "eth1": no helper-addresses: give helper-addresses: in the config file or --helper-address`,
		},

		// giaddr and source-interface.
		{
			name: "giaddr and source-interface",
			data: eth1 + "    giaddr: 203.0.113.1\n    source-interface: lo\n",
			want: `interface "eth1": giaddr and source-interface are mutually exclusive`,
		},
		{
			name: "giaddr loopback",
			data: eth1 + "    giaddr: 127.0.0.1\n",
			want: `interface "eth1": giaddr: "127.0.0.1" is a loopback address, which servers cannot reply to`,
		},
		{
			name: "giaddr broadcast",
			data: eth1 + "    giaddr: 255.255.255.255\n",
			want: `interface "eth1": giaddr: "255.255.255.255" is not an IPv4 unicast address`,
		},
		{
			name: "source-interface bad",
			data: eth1 + "    source-interface: 'lo 0'\n",
			want: `interface "eth1": source-interface: interface name "lo 0" holds ' ', which no interface name may`,
		},

		// Option 82.
		{
			name: "policy",
			data: eth1 + "    information-option: {policy: strip}\n",
			want: `interface "eth1": information-option: policy: unknown policy "strip": want keep, replace or drop`,
		},
		{
			name: "empty circuit-id",
			data: eth1 + "    information-option: {circuit-id: ''}\n",
			want: `interface "eth1": information-option: circuit-id: must not be empty`,
		},
		{
			name: "empty remote-id in defaults",
			data: eth1 + "defaults: {information-option: {remote-id: ''}}\n",
			want: `defaults: information-option: remote-id: must not be empty`,
		},
		{
			name: "bad template",
			data: eth1 + "    information-option: {subscriber-id: '{port}'}\n",
			want: `interface "eth1": information-option: subscriber-id: template "{port}": unknown variable {port}`,
		},

		// Flags.
		{
			name:  "flag helper not an address",
			flags: Flags{Interfaces: []string{"eth1"}, HelperAddresses: []string{"dhcp1"}},
			want:  `--helper-address "dhcp1": "dhcp1" is not an IPv4 address: it is a name, not an address (give the IPv4 address a.b.c.d)`,
		},
		{
			name:  "flag helper empty name",
			flags: Flags{Interfaces: []string{"eth1"}, HelperAddresses: []string{"=198.51.100.2"}},
			want:  `--helper-address "=198.51.100.2": "=198.51.100.2" is not an IPv4 address: "=198" is not a decimal number`,
		},
		{
			name:  "flag helper bad name",
			flags: Flags{Interfaces: []string{"eth1"}, HelperAddresses: []string{"198.51.100.2", "a:b=198.51.100.2"}},
			want:  `--helper-address "a:b=198.51.100.2": interface name "a:b" holds ':', which no interface name may`,
		},
		{
			name:  "flag helper twice",
			flags: Flags{Interfaces: []string{"eth1"}, HelperAddresses: []string{"198.51.100.2", "198.51.100.2"}},
			want:  `--helper-address "198.51.100.2": 198.51.100.2 is given twice`,
		},
		{
			name:  "flag helper for unknown interface",
			data:  eth1,
			flags: Flags{HelperAddresses: []string{"eth2=198.51.100.3"}},
			want:  `--helper-address "eth2=198.51.100.3": interface "eth2" is not configured (give --interface eth2 or an interfaces: entry)`,
		},
		{
			name:  "flag helper for a pattern's member",
			data:  "interfaces: [{name: 'eth0.*', helper-addresses: [198.51.100.2]}]\n",
			flags: Flags{HelperAddresses: []string{"eth0.10=198.51.100.3"}},
			want:  `--helper-address "eth0.10=198.51.100.3": interface "eth0.10" is not configured (give --interface eth0.10 or an interfaces: entry)`,
		},
		{
			name:  "flag interface bad",
			data:  eth1,
			flags: Flags{Interfaces: []string{"eth1", "eth 2"}},
			want:  `--interface "eth 2": interface name "eth 2" holds ' ', which no interface name may`,
		},
		{
			name:  "flag trusted unknown interface",
			data:  eth1,
			flags: Flags{TrustedInterfaces: []string{"eth3"}},
			want:  `--trusted-interface "eth3": interface "eth3" is not configured (give --interface eth3 or an interfaces: entry)`,
		},
		{
			name:  "flag policy",
			data:  eth1,
			flags: Flags{InformationPolicy: ptrTo("encapsulate")},
			want:  `--information-policy: unknown policy "encapsulate": want keep, replace or drop`,
		},
		{
			name:  "flag two global circuit-ids",
			data:  eth1,
			flags: Flags{CircuitIDs: []string{"{ifname}", "vlan{vlan}"}},
			want:  `--circuit-id "vlan{vlan}": only one --circuit-id without NAME= may be given`,
		},
		{
			name:  "flag two circuit-ids for one interface",
			data:  eth1,
			flags: Flags{CircuitIDs: []string{"eth1=a", "eth1=b"}},
			want:  `--circuit-id "eth1=b": only one --circuit-id for interface "eth1" may be given`,
		},
		{
			name:  "flag empty circuit-id",
			data:  eth1,
			flags: Flags{CircuitIDs: []string{"eth1="}},
			want:  `--circuit-id "eth1=": must not be empty`,
		},
		{
			name:  "flag bad subscriber-id",
			data:  eth1,
			flags: Flags{SubscriberIDs: []string{"hex:0"}},
			want:  `--subscriber-id "hex:0": template "hex:0": odd number of hex digits "0" before offset 5`,
		},
		{
			name:  "flag empty remote-id",
			data:  eth1,
			flags: Flags{RemoteID: ptrTo("")},
			want:  `--remote-id: must not be empty`,
		},
		{
			name:  "flag giaddr and source-interface",
			data:  eth1,
			flags: Flags{GIAddr: ptrTo("203.0.113.1"), SourceInterface: ptrTo("lo")},
			want:  `--giaddr and --source-interface are mutually exclusive`,
		},
		{
			name:  "flag giaddr",
			data:  eth1,
			flags: Flags{GIAddr: ptrTo("203.0.113.0/25")},
			want:  `--giaddr: "203.0.113.0/25" is not an IPv4 address: a prefix length is not allowed here, give the address alone`,
		},
		{
			name:  "flag max-hops",
			data:  eth1,
			flags: Flags{MaxHops: ptrTo(17)},
			want:  `--max-hops: 17 is out of range 1..16`,
		},
		{
			name:  "flag log format",
			data:  eth1,
			flags: Flags{LogFormat: ptrTo("logfmt")},
			want:  `--log-format: unknown value "logfmt": want one of [text json]`,
		},
		{
			name:  "flag interface without helpers",
			flags: Flags{Interfaces: []string{"eth1"}},
			want:  `interface "eth1": no helper-addresses: give helper-addresses: in the config file or --helper-address`,
		},

		// Every problem is reported, in order.
		{
			name: "several",
			data: "max-hops: 99\ninterfaces:\n  - name: eth1\n    helper-addresses: [x]\n  - name: eth2\n",
			flags: Flags{
				HelperAddresses: []string{"eth9=198.51.100.2"},
			},
			want: "max-hops: 99 is out of range 1..16\n" +
				`interface "eth1": helper-addresses[0]: "x" is not an IPv4 address: it is a name, not an address (give the IPv4 address a.b.c.d)` + "\n" +
				`interface "eth2": no helper-addresses: give helper-addresses: in the config file or --helper-address` + "\n" +
				`--helper-address "eth9=198.51.100.2": interface "eth9" is not configured (give --interface eth9 or an interfaces: entry)`,
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

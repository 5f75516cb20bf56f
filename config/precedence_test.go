package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrecedence(t *testing.T) {
	// file has defaults, a plain entry with its own helpers and one without.
	const file = `
defaults:
  helper-addresses: [198.51.100.2]
  trusted: true
  information-option: {policy: keep, circuit-id: "d-{ifname}"}
interfaces:
  - name: eth1
    helper-addresses: [198.51.100.3]
    information-option: {circuit-id: "f-{ifname}"}
  - name: "eth0.*"
`
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  func(t *testing.T) []Interface
	}{
		{
			name: "cisco style, no file",
			flags: Flags{
				Interfaces:      []string{"eth1", "eth2"},
				HelperAddresses: []string{"198.51.100.2", "198.51.100.3"},
			},
			want: func(t *testing.T) []Interface {
				return []Interface{
					defaultInterface(t, "eth1", "198.51.100.2", "198.51.100.3"),
					defaultInterface(t, "eth2", "198.51.100.2", "198.51.100.3"),
				}
			},
		},
		{
			name: "file only: defaults fill, blocks override key by key",
			data: file,
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.3")
				eth1.Trusted = true
				eth1.Option82.Policy = PolicyKeep
				eth1.Option82.CircuitID = mustTemplate(t, "f-{ifname}")
				vlans := defaultInterface(t, "eth0.*", "198.51.100.2")
				vlans.Trusted = true
				vlans.Option82.Policy = PolicyKeep
				vlans.Option82.CircuitID = mustTemplate(t, "d-{ifname}")
				return []Interface{eth1, vlans}
			},
		},
		{
			name: "global flags override the file's defaults, not its blocks",
			data: file,
			flags: Flags{
				HelperAddresses:   []string{"198.51.100.9"},
				CircuitIDs:        []string{"g-{ifname}"},
				InformationPolicy: ptrTo("drop"),
				InformationOption: ptrTo(false),
			},
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.3")
				eth1.Trusted = true
				eth1.Option82.Insert = false
				eth1.Option82.Policy = PolicyDrop
				eth1.Option82.CircuitID = mustTemplate(t, "f-{ifname}")
				vlans := defaultInterface(t, "eth0.*", "198.51.100.9")
				vlans.Trusted = true
				vlans.Option82.Insert = false
				vlans.Option82.Policy = PolicyDrop
				vlans.Option82.CircuitID = mustTemplate(t, "g-{ifname}")
				return []Interface{eth1, vlans}
			},
		},
		{
			name: "global flags win for an --interface that is in the file",
			data: file,
			flags: Flags{
				Interfaces:      []string{"eth1"},
				HelperAddresses: []string{"198.51.100.9"},
				CircuitIDs:      []string{"g-{ifname}"},
			},
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.9")
				eth1.Trusted = true
				eth1.Option82.Policy = PolicyKeep
				eth1.Option82.CircuitID = mustTemplate(t, "g-{ifname}")
				vlans := defaultInterface(t, "eth0.*", "198.51.100.9")
				vlans.Trusted = true
				vlans.Option82.Policy = PolicyKeep
				vlans.Option82.CircuitID = mustTemplate(t, "g-{ifname}")
				return []Interface{eth1, vlans}
			},
		},
		{
			name: "--interface not in the file is added after it, with the file's defaults",
			data: file,
			flags: Flags{
				Interfaces: []string{"eth3"},
			},
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.3")
				eth1.Trusted = true
				eth1.Option82.Policy = PolicyKeep
				eth1.Option82.CircuitID = mustTemplate(t, "f-{ifname}")
				vlans := defaultInterface(t, "eth0.*", "198.51.100.2")
				vlans.Trusted = true
				vlans.Option82.Policy = PolicyKeep
				vlans.Option82.CircuitID = mustTemplate(t, "d-{ifname}")
				eth3 := defaultInterface(t, "eth3", "198.51.100.2")
				eth3.Trusted = true
				eth3.Option82.Policy = PolicyKeep
				eth3.Option82.CircuitID = mustTemplate(t, "d-{ifname}")
				return []Interface{eth1, vlans, eth3}
			},
		},
		{
			name: "per-interface flags win over everything",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.3], information-option: {circuit-id: f}}]\n",
			flags: Flags{
				Interfaces:        []string{"eth1", "eth2"},
				HelperAddresses:   []string{"198.51.100.2", "eth1=198.51.100.7", "eth1=198.51.100.8"},
				CircuitIDs:        []string{"g", "eth1=n-{vlan}"},
				SubscriberIDs:     []string{"eth2=sub"},
				TrustedInterfaces: []string{"eth2"},
			},
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.7", "198.51.100.8")
				eth1.Option82.CircuitID = mustTemplate(t, "n-{vlan}")
				eth2 := defaultInterface(t, "eth2", "198.51.100.2")
				eth2.Trusted = true
				eth2.Option82.CircuitID = mustTemplate(t, "g")
				eth2.Option82.SubscriberID = mustTemplate(t, "sub")
				return []Interface{eth1, eth2}
			},
		},
		{
			name: "per-interface flag on a pattern entry",
			data: "interfaces: [{name: 'eth0.*', helper-addresses: [198.51.100.3]}]\n",
			flags: Flags{
				CircuitIDs: []string{"eth0.*=hex:00:04{vlan16}01:01", "{ifname}=x"},
			},
			want: func(t *testing.T) []Interface {
				vlans := defaultInterface(t, "eth0.*", "198.51.100.3")
				vlans.Option82.CircuitID = mustTemplate(t, "hex:00:04{vlan16}01:01")
				return []Interface{vlans}
			},
		},
		{
			name: "global hex template is not a NAME=",
			flags: Flags{
				Interfaces:      []string{"eth1"},
				HelperAddresses: []string{"198.51.100.2"},
				CircuitIDs:      []string{"hex:01:02"},
				RemoteID:        ptrTo("{hostname}={addr}"),
			},
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.2")
				eth1.Option82.CircuitID = mustTemplate(t, "hex:01:02")
				eth1.Option82.RemoteID = mustTemplate(t, "{hostname}={addr}")
				return []Interface{eth1}
			},
		},
		{
			name: "trust-all and the other switches",
			data: "interfaces: [{name: eth1, helper-addresses: [198.51.100.3]}]\n",
			flags: Flags{
				TrustAll:         true,
				InformationCheck: ptrTo(false),
				LinkSelection:    ptrTo(true),
				ServerIDOverride: ptrTo(true),
				RemoteID:         ptrTo("r-{mac}"),
			},
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.3")
				eth1.Trusted = true
				eth1.Option82.Check = false
				eth1.Option82.LinkSelection = true
				eth1.Option82.ServerIDOverride = true
				eth1.Option82.RemoteID = mustTemplate(t, "r-{mac}")
				return []Interface{eth1}
			},
		},
		{
			name:  "file block trusted: false beats --trust-all",
			data:  "interfaces: [{name: eth1, helper-addresses: [198.51.100.3], trusted: false}]\n",
			flags: Flags{TrustAll: true},
			want: func(t *testing.T) []Interface {
				return []Interface{defaultInterface(t, "eth1", "198.51.100.3")}
			},
		},
		{
			name: "giaddr and source-interface are one key",
			data: `
defaults: {helper-addresses: [198.51.100.2], source-interface: lo}
interfaces:
  - {name: eth1, giaddr: 203.0.113.1}
  - {name: eth2}
  - {name: eth3, source-interface: ""}
  - {name: eth4, giaddr: "", source-interface: eth9}
`,
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.2")
				eth1.GIAddr = addrs("203.0.113.1")[0]
				eth2 := defaultInterface(t, "eth2", "198.51.100.2")
				eth2.SourceInterface = "lo"
				eth4 := defaultInterface(t, "eth4", "198.51.100.2")
				eth4.SourceInterface = "eth9"
				return []Interface{eth1, eth2, defaultInterface(t, "eth3", "198.51.100.2"), eth4}
			},
		},
		{
			name:  "--giaddr replaces a file default source-interface",
			data:  "defaults: {helper-addresses: [198.51.100.2], source-interface: lo}\ninterfaces: [{name: eth1}]\n",
			flags: Flags{GIAddr: ptrTo("198.51.100.1")},
			want: func(t *testing.T) []Interface {
				eth1 := defaultInterface(t, "eth1", "198.51.100.2")
				eth1.GIAddr = addrs("198.51.100.1")[0]
				return []Interface{eth1}
			},
		},
		{
			name: "repeated --interface is one entry; loopback helper",
			flags: Flags{
				Interfaces:      []string{"eth1", "eth1"},
				HelperAddresses: []string{"127.0.0.1"},
			},
			want: func(t *testing.T) []Interface {
				return []Interface{defaultInterface(t, "eth1", "127.0.0.1")}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTest(tt.data, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want(t), got.Interfaces, cmpOpts()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

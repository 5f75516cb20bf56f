package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStampCollisions: entries that share a giaddr and would stamp the same
// option 82 on every link are rejected, naming both; what depends on the
// link is left to the relay.
func TestStampCollisions(t *testing.T) {
	const head = "defaults: {helper-addresses: [198.51.100.2]}\ninterfaces:\n"
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  string // "" = valid
	}{
		{
			name: "literal circuit-id and one giaddr",
			data: head + "  - {name: eth1, giaddr: 198.51.100.1, information-option: {circuit-id: port1}}\n  - {name: eth2, giaddr: 198.51.100.1, information-option: {circuit-id: port1}}\n",
			want: `interfaces "eth1" and "eth2" share giaddr 198.51.100.1 and stamp the same circuit-id "port1" with remote-id "relay1", so their replies cannot be told apart: give each its own circuit-id, e.g. "{ifname}"`,
		},
		{
			name: "one source-interface, hex forms of the same bytes",
			data: head + "  - {name: eth1, source-interface: lo0, information-option: {circuit-id: \"hex:00:01\"}}\n  - {name: eth2, source-interface: lo0, information-option: {circuit-id: \"hex:0001\"}}\n",
			want: `interfaces "eth1" and "eth2" share source-interface lo0 and stamp the same circuit-id "\x00\x01" with remote-id "relay1", so their replies cannot be told apart: give each its own circuit-id, e.g. "{ifname}"`,
		},
		{
			name:  "--giaddr for every interface, --circuit-id {hostname}",
			flags: Flags{Interfaces: []string{"eth1", "eth2"}, GIAddr: ptr("198.51.100.1"), CircuitIDs: []string{"{hostname}"}},
			data:  "defaults: {helper-addresses: [198.51.100.2]}\n",
			want:  `interfaces "eth1" and "eth2" share giaddr 198.51.100.1 and stamp the same circuit-id "relay1" with remote-id "relay1", so their replies cannot be told apart: give each its own circuit-id, e.g. "{ifname}"`,
		},
		{
			name: "a pattern with a literal circuit-id and a giaddr",
			data: head + "  - {name: \"eth0.*\", giaddr: 198.51.100.1, information-option: {circuit-id: uplink}}\n",
			want: `interface "eth0.*": every link it matches shares giaddr 198.51.100.1 and stamps circuit-id "uplink" with remote-id "relay1", so their replies cannot be told apart: give a circuit-id that names the link, e.g. "{ifname}"`,
		},
		{
			name: "same circuit-id, other remote-ids",
			data: head + "  - {name: eth1, giaddr: 198.51.100.1, information-option: {circuit-id: port1, remote-id: a}}\n  - {name: eth2, giaddr: 198.51.100.1, information-option: {circuit-id: port1, remote-id: b}}\n",
		},
		{
			name: "same circuit-id, other giaddrs",
			data: head + "  - {name: eth1, giaddr: 198.51.100.1, information-option: {circuit-id: port1}}\n  - {name: eth2, giaddr: 198.51.100.3, information-option: {circuit-id: port1}}\n",
		},
		{
			name: "same circuit-id, each its own address",
			data: head + "  - {name: eth1, information-option: {circuit-id: port1}}\n  - {name: eth2, information-option: {circuit-id: port1}}\n",
		},
		{
			name: "the default {ifname}",
			data: head + "  - {name: eth1, giaddr: 198.51.100.1}\n  - {name: \"eth0.*\", giaddr: 198.51.100.1}\n",
		},
		{
			name: "{vlan} depends on the link: the relay checks it",
			data: head + "  - {name: \"eth0.*\", giaddr: 198.51.100.1, information-option: {circuit-id: \"vlan{vlan}\"}}\n",
		},
		{
			name: "no option 82 inserted",
			data: head + "  - {name: eth1, giaddr: 198.51.100.1, information-option: {circuit-id: port1, insert: false}}\n  - {name: eth2, giaddr: 198.51.100.1, information-option: {circuit-id: port1, insert: false}}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTest(tt.data, tt.flags)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

package config

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// forwardResult is the UDP forwarding part of one built interface.
type forwardResult struct {
	Ports       []uint16
	PortHelpers map[uint16][]netip.Addr
	Directed    bool
}

func TestForwardProtocol(t *testing.T) {
	const base = "interfaces:\n- name: eth1\n  helper-addresses: [198.51.100.2]\n"
	tests := []struct {
		name    string
		data    string
		flags   Flags
		want    map[string]forwardResult
		wantErr string
	}{
		{
			name: "nothing but DHCP by default",
			data: base,
			want: map[string]forwardResult{"eth1": {}},
		},
		{
			name: "ios-defaults",
			data: base + "  forward-protocol: [ios-defaults]\n",
			want: map[string]forwardResult{"eth1": {Ports: []uint16{37, 42, 49, 53, 69, 137, 138}}},
		},
		{
			name: "udp ports by number and name, and the no forms",
			data: base + "  forward-protocol: [ios-defaults, 'no udp:137', no-udp:netbios-dgm, 'udp:9', 'udp:tftp']\n",
			want: map[string]forwardResult{"eth1": {Ports: []uint16{9, 37, 42, 49, 53, 69}}},
		},
		{
			name: "an interface's list applies on top of defaults",
			data: "defaults:\n  forward-protocol: [ios-defaults]\n" + base + "  forward-protocol: ['no ios-defaults', 'udp:53']\n" +
				"- name: eth2\n  helper-addresses: [198.51.100.2]\n",
			want: map[string]forwardResult{
				"eth1": {Ports: []uint16{53}},
				"eth2": {Ports: []uint16{37, 42, 49, 53, 69, 137, 138}},
			},
		},
		{
			// Like every key: a global flag is below the file's interface
			// block, a NAME= flag above it.
			name:  "flags apply in the layers' order",
			data:  base + "  forward-protocol: ['udp:69', 'udp:53']\n",
			flags: Flags{ForwardProtocols: []string{"no udp:53", "udp:7", "eth1=no udp:69", "eth1=udp:137"}},
			want:  map[string]forwardResult{"eth1": {Ports: []uint16{7, 53, 137}}},
		},
		{
			name: "port-helpers forward their port to their own servers; directed-broadcast",
			data: base + "  directed-broadcast: true\n  port-helpers:\n    '9': [203.0.113.255]\n    tftp: [198.51.100.69]\n",
			want: map[string]forwardResult{"eth1": {
				Ports:       []uint16{9, 69},
				PortHelpers: map[uint16][]netip.Addr{9: {netip.MustParseAddr("203.0.113.255")}, 69: {netip.MustParseAddr("198.51.100.69")}},
				Directed:    true,
			}},
		},
		{
			name:  "--directed-broadcast",
			data:  base,
			flags: Flags{DirectedBroadcast: []string{"eth1"}},
			want:  map[string]forwardResult{"eth1": {Directed: true}},
		},
		{
			name:    "BOOTP is not a forward-protocol port",
			data:    base + "  forward-protocol: ['udp:67']\n",
			wantErr: `interface "eth1": forward-protocol[0]: "udp:67": port 67 is BOOTP/DHCP, which is always relayed`,
		},
		{
			name:    "unknown entry",
			data:    base + "  forward-protocol: [tftp]\n",
			wantErr: `interface "eth1": forward-protocol[0]: "tftp" is neither ios-defaults nor udp:PORT (with "no " to remove)`,
		},
		{
			name:    "bad port",
			data:    base + "  forward-protocol: ['udp:70000']\n",
			wantErr: `interface "eth1": forward-protocol[0]: "udp:70000": port "70000" is not a number from 1 to 65535 nor a known name`,
		},
		{
			name:    "port 0",
			data:    base + "  forward-protocol: ['udp:0']\n",
			wantErr: `interface "eth1": forward-protocol[0]: "udp:0": port 0 is not a port`,
		},
		{
			name:    "bad flag",
			data:    base,
			flags:   Flags{ForwardProtocols: []string{"udp:x"}},
			wantErr: `--forward-protocol "udp:x": "udp:x": port "x" is not a number from 1 to 65535 nor a known name`,
		},
		{
			name:    "port-helpers with no servers",
			data:    base + "  port-helpers: {'69': []}\n",
			wantErr: `interface "eth1": port-helpers: 69: no servers`,
		},
		{
			name:    "port-helpers with a bad server",
			data:    base + "  port-helpers: {'69': [224.0.0.1]}\n",
			wantErr: `interface "eth1": port-helpers: 69[0]: "224.0.0.1" is not an IPv4 unicast address`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseWithFlags([]byte(tt.data), tt.flags)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]forwardResult{}
			for _, in := range cfg.Interfaces {
				got[in.Name] = forwardResult{Ports: in.ForwardPorts, PortHelpers: in.PortHelpers, Directed: in.DirectedBroadcast}
			}
			if d := cmp.Diff(tt.want, got, cmpOpts()); d != "" {
				t.Errorf("forwarding (-want +got):\n%s", d)
			}
			// check-config prints the effective config: it must parse back.
			out, err := cfg.Effective()
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(out)
			if err != nil {
				t.Fatalf("effective config does not parse: %v\n%s", err, out)
			}
			for i, in := range back.Interfaces {
				want := cfg.Interfaces[i]
				if d := cmp.Diff(forwardResult{want.ForwardPorts, want.PortHelpers, want.DirectedBroadcast},
					forwardResult{in.ForwardPorts, in.PortHelpers, in.DirectedBroadcast}, cmpOpts()); d != "" {
					t.Errorf("effective config round trip (-want +got):\n%s", d)
				}
			}
		})
	}
}

func TestForwardHelpers(t *testing.T) {
	a, b := netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("198.51.100.69")
	in := Interface{Helpers: []netip.Addr{a}, PortHelpers: map[uint16][]netip.Addr{69: {b}}}
	if d := cmp.Diff([]netip.Addr{b}, in.ForwardHelpers(69), cmpOpts()); d != "" {
		t.Errorf("port 69 (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]netip.Addr{a}, in.ForwardHelpers(53), cmpOpts()); d != "" {
		t.Errorf("port 53 (-want +got):\n%s", d)
	}
}

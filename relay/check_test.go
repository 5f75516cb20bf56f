package relay

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

// TestCheckConfig: the check that check-config, the start and every reload
// share rejects what the relay would otherwise switch off by itself: a
// fallback scope outside the subnet of the link it is served on (also on a
// link a pattern matches), a scope the fallback server would refuse, and a
// link whose option 82 cannot be built; it checks the links reconcile
// serves, so a pattern's scope is not checked against loopback or the
// link of the route to a helper, which the pattern leaves alone.
func TestCheckConfig(t *testing.T) {
	vlan10 := iface.Link{Index: 7, Name: "eth0.10", MAC: testMAC, Up: true, VLANID: 10, Addrs: []netip.Prefix{netip.MustParsePrefix("198.51.100.129/25")}}
	bare := iface.Link{Index: 8, Name: "eth0.11", MAC: testMAC, Up: true, VLANID: 11}
	lo := iface.Link{Index: 1, Name: "lo", Up: true, Loopback: true, Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}}
	links := map[string]iface.Link{"eth1": testLink, "eth2": upstreamLnk, "eth0.10": vlan10, "eth0.11": bare, "lo": lo}
	viaEth2 := ifacetest.Routes{helperAddr: upstreamLnk.Index}
	router := "203.0.113.5"
	star := config.Flags{Interfaces: []string{"*"}, FallbackPools: []string{"*=203.0.113.100-203.0.113.110"}}
	tests := []struct {
		name     string
		flags    config.Flags
		routes   iface.RouteFinder
		hostname string
		want     string // "" = accepted
	}{
		{name: "fits", flags: config.Flags{FallbackPools: []string{"eth1=203.0.113.100-203.0.113.110"}}},
		{
			name:  "pool outside the interface's subnet",
			flags: config.Flags{FallbackPools: []string{"eth1=203.0.113.200-203.0.113.210"}},
			want:  `interface "eth1": address 203.0.113.1/25: fallback.pools[0]: 203.0.113.200-203.0.113.210 is not inside 203.0.113.0/25`,
		},
		{
			name:  "pool outside the subnet of a link a pattern matches; the link without an address is skipped",
			flags: config.Flags{Interfaces: []string{"eth0.*"}, FallbackPools: []string{"eth0.*=203.0.113.100-203.0.113.110"}},
			want:  `interface "eth0.10" (matched by "eth0.*"): address 198.51.100.129/25: fallback.pools[0]: 203.0.113.100-203.0.113.110 is not inside 198.51.100.128/25`,
		},
		{
			name:   "a pattern's scope is not checked on loopback or the link of the route to a helper",
			flags:  star,
			routes: viaEth2,
			want:   `interface "eth0.10" (matched by "*"): address 198.51.100.129/25: fallback.pools[0]: 203.0.113.100-203.0.113.110 is not inside 198.51.100.128/25`,
		},
		{
			name:  "without routes, only loopback is known to be upstream",
			flags: star,
			want: `interface "eth0.10" (matched by "*"): address 198.51.100.129/25: fallback.pools[0]: 203.0.113.100-203.0.113.110 is not inside 198.51.100.128/25` + "\n" +
				`interface "eth2" (matched by "*"): address 198.51.100.1/25: fallback.pools[0]: 203.0.113.100-203.0.113.110 is not inside 198.51.100.0/25`,
		},
		{
			name:  "a pool that the router takes whole: the fallback server would refuse the scope",
			flags: config.Flags{FallbackPools: []string{"eth1=203.0.113.5-203.0.113.5"}, FallbackRouter: &router},
			want:  `interface "eth1": address 203.0.113.1/25: invalid fallback scope on "eth1": no address to give: the ranges are empty or all excluded, and there are no reservations`,
		},
		{
			name:     "circuit-id too long for this link",
			flags:    config.Flags{CircuitIDs: []string{"eth1={hostname}{hostname}"}},
			hostname: strings.Repeat("h", 200),
			want:     `interface "eth1": circuit-id: template "{hostname}{hostname}" expands to 400 bytes for "eth1", more than 255`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, tt.flags)
			if tt.hostname != "" {
				cfg.Hostname = tt.hostname
			}
			err := CheckConfig(cfg, links, tt.routes)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckConfig (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckConfigDirectedBroadcast: a forwarded port's helper that is the
// directed broadcast of one of the machine's subnets is accepted only when
// that subnet's interface is served and allows directed broadcasts, and
// never when it is the interface the broadcast comes in on.
func TestCheckConfigDirectedBroadcast(t *testing.T) {
	links := map[string]iface.Link{"eth1": testLink, "eth2": upstreamLnk}
	fwd := func(helper string, more ...string) config.Flags {
		return config.Flags{ForwardProtocols: []string{"eth1=udp:9"}, HelperAddresses: []string{"eth1=" + helper}, Interfaces: more}
	}
	withDirected := fwd("198.51.100.127", "eth2")
	withDirected.DirectedBroadcast = []string{"eth2"}
	tests := []struct {
		name  string
		flags config.Flags
		want  string
	}{
		{name: "a unicast helper", flags: fwd("198.51.100.2")},
		{name: "a remote network's broadcast is routed, not checked", flags: fwd("198.51.100.255")},
		{name: "the served interface allows it", flags: withDirected},
		{
			name:  "the interface does not allow it",
			flags: fwd("198.51.100.127", "eth2"),
			want:  `interface "eth1": forward-protocol udp:9: helper 198.51.100.127 is the broadcast of 198.51.100.0/25 on "eth2", which does not allow it: give it directed-broadcast: true (IOS ip directed-broadcast)`,
		},
		{
			name:  "the interface is not served",
			flags: fwd("198.51.100.127"),
			want:  `interface "eth1": forward-protocol udp:9: helper 198.51.100.127 is the broadcast of 198.51.100.0/25 on "eth2", which is not a served interface: a broadcast leaves only on one with directed-broadcast: true`,
		},
		{
			name:  "the ingress interface's own broadcast",
			flags: fwd("203.0.113.127"),
			want:  `interface "eth1": forward-protocol udp:9: helper 203.0.113.127 is the broadcast of 203.0.113.0/25 on "eth1", the interface it came in on`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckConfig(testConfig(t, tt.flags), links, nil)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckConfig (-want +got):\n%s", diff)
			}
		})
	}
}

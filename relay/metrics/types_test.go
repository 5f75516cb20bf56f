package metrics

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/status"
)

func TestPacketsByType(t *testing.T) {
	st := testStatus()
	st.Interfaces[0].Counters.In = map[string]uint64{"discover": 4, "request": 3}
	st.Interfaces[0].Counters.Out = map[string]uint64{"offer": 4}
	st.Helpers = []status.HelperStats{{Addr: netip.MustParseAddr("198.51.100.2"),
		SentByType: map[string]uint64{"discover": 4}, RepliesByType: map[string]uint64{"offer": 4}}}
	reg := newRegistry(t, NewCollector(st, Options{}))
	want := `
# HELP iphelper_relay_packets_total Packets by direction (in: requests received; out: replies delivered) and DHCP message type; types never seen are left out.
# TYPE iphelper_relay_packets_total counter
iphelper_relay_packets_total{direction="in",interface="eth1",type="discover"} 4
iphelper_relay_packets_total{direction="in",interface="eth1",type="request"} 3
iphelper_relay_packets_total{direction="out",interface="eth1",type="offer"} 4
# HELP iphelper_helper_packets_total Packets by direction (out: requests sent to the helper; in: replies from it) and DHCP message type; types never seen are left out.
# TYPE iphelper_helper_packets_total counter
iphelper_helper_packets_total{direction="in",helper="198.51.100.2",type="offer"} 4
iphelper_helper_packets_total{direction="out",helper="198.51.100.2",type="discover"} 4
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "iphelper_relay_packets_total", "iphelper_helper_packets_total"); err != nil {
		t.Error(err)
	}
}

func TestFallbackAddresses(t *testing.T) {
	st := testStatus()
	st.Scopes = []status.ScopeStatus{{Interface: "eth1", PoolStats: fallback.PoolStats{Size: 21, Bound: 3, Offered: 1, Quarantined: 1, Free: 16},
		Outcomes: map[string]uint64{"offer": 4, "pool_exhausted": 2}}}
	reg := newRegistry(t, NewCollector(st, Options{}))
	want := `
# HELP iphelper_fallback_addresses Addresses of an interface's fallback scope by state: bound, offered, quarantined (declined or in conflict) and free.
# TYPE iphelper_fallback_addresses gauge
iphelper_fallback_addresses{interface="eth1",state="bound"} 3
iphelper_fallback_addresses{interface="eth1",state="free"} 16
iphelper_fallback_addresses{interface="eth1",state="offered"} 1
iphelper_fallback_addresses{interface="eth1",state="quarantined"} 1
# HELP iphelper_fallback_outcomes_total The fallback server's decisions by outcome (offer, ack, pool_exhausted, offers_capped, nak_failback, silent_not_ours, …).
# TYPE iphelper_fallback_outcomes_total counter
iphelper_fallback_outcomes_total{interface="eth1",outcome="offer"} 4
iphelper_fallback_outcomes_total{interface="eth1",outcome="pool_exhausted"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "iphelper_fallback_addresses", "iphelper_fallback_outcomes_total"); err != nil {
		t.Error(err)
	}
}

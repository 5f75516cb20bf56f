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

func TestFallbackNewClients(t *testing.T) {
	st := testStatus()
	st.Scopes = []status.ScopeStatus{{Interface: "eth1", NewClients: fallback.NewClientStats{
		Offered: 240, Earned: 192, Taken: 238, Abandoned: 2, Capped: 216, Outstanding: 1, Cap: 24, EarnedCap: 267, CapState: "reduced"}}}
	reg := newRegistry(t, NewCollector(st, Options{}))
	want := `
# HELP iphelper_fallback_new_client_cap The offer cap for new clients: base (max-offers-outstanding, what a flood that never retransmits may hold) and earned (base plus the credit, for new clients that came back); absent when there is no cap.
# TYPE iphelper_fallback_new_client_cap gauge
iphelper_fallback_new_client_cap{interface="eth1",limit="base"} 24
iphelper_fallback_new_client_cap{interface="eth1",limit="earned"} 267
# HELP iphelper_fallback_new_client_cap_state 1 for the state of the earned cap: open (the credit is whole), reduced (earned offers were abandoned), base (the credit is spent).
# TYPE iphelper_fallback_new_client_cap_state gauge
iphelper_fallback_new_client_cap_state{interface="eth1",state="base"} 0
iphelper_fallback_new_client_cap_state{interface="eth1",state="open"} 0
iphelper_fallback_new_client_cap_state{interface="eth1",state="reduced"} 1
# HELP iphelper_fallback_new_client_offers_outstanding OFFERs to new clients held now.
# TYPE iphelper_fallback_new_client_offers_outstanding gauge
iphelper_fallback_new_client_offers_outstanding{interface="eth1"} 1
# HELP iphelper_fallback_new_client_offers_total OFFERs to clients the fallback scope did not know, by event: offered (all of them), earned (past the base cap, to clients that came back), taken (REQUESTed and ACKed), abandoned (expired or withdrawn untaken), capped (DISCOVERs turned away). A storm of real clients takes its offers; a flood abandons them.
# TYPE iphelper_fallback_new_client_offers_total counter
iphelper_fallback_new_client_offers_total{event="abandoned",interface="eth1"} 2
iphelper_fallback_new_client_offers_total{event="capped",interface="eth1"} 216
iphelper_fallback_new_client_offers_total{event="earned",interface="eth1"} 192
iphelper_fallback_new_client_offers_total{event="offered",interface="eth1"} 240
iphelper_fallback_new_client_offers_total{event="taken",interface="eth1"} 238
`
	names := []string{"iphelper_fallback_new_client_cap", "iphelper_fallback_new_client_cap_state", "iphelper_fallback_new_client_offers_outstanding", "iphelper_fallback_new_client_offers_total"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

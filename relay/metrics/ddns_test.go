package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/iphelper/iphelper/relay/ddns"
	"github.com/iphelper/iphelper/relay/status"
)

// TestDDNSMetrics: the updates of two scopes sharing a zone add up per
// zone and result; pending is per interface; a scope without dynamic DNS
// exports nothing.
func TestDDNSMetrics(t *testing.T) {
	st := testStatus()
	st.Scopes = []status.ScopeStatus{
		{Interface: "eth1", DDNS: &ddns.Status{Pending: 2, Zones: map[string]*ddns.ZoneStatus{
			"example.test":           {Done: 3, Failed: map[string]uint64{"timeout": 1, "conflict": 1}},
			"113.0.203.in-addr.arpa": {Done: 2},
		}}},
		{Interface: "eth2", DDNS: &ddns.Status{Zones: map[string]*ddns.ZoneStatus{"example.test": {Done: 1, Failed: map[string]uint64{"timeout": 2}}}}},
		{Interface: "eth3"},
	}
	reg := newRegistry(t, NewCollector(st, Options{}))
	want := `
# HELP iphelper_ddns_pending Dynamic DNS updates queued, by interface.
# TYPE iphelper_ddns_pending gauge
iphelper_ddns_pending{interface="eth1"} 2
iphelper_ddns_pending{interface="eth2"} 0
# HELP iphelper_ddns_updates_total Dynamic DNS update steps sent by the fallback scopes, by zone and result: success, or the failure's reason (timeout, network, tsig, conflict, refused, notauth, …).
# TYPE iphelper_ddns_updates_total counter
iphelper_ddns_updates_total{result="conflict",zone="example.test"} 1
iphelper_ddns_updates_total{result="success",zone="113.0.203.in-addr.arpa"} 2
iphelper_ddns_updates_total{result="success",zone="example.test"} 4
iphelper_ddns_updates_total{result="timeout",zone="example.test"} 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "iphelper_ddns_pending", "iphelper_ddns_updates_total"); err != nil {
		t.Error(err)
	}
}

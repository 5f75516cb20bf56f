package control

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/ddns"
	"github.com/iphelper/iphelper/relay/status"
)

// TestShowDDNS: the scopes with dynamic DNS, their zones in name order,
// empty maps rather than null; a scope without it is left out.
func TestShowDDNS(t *testing.T) {
	st := testStatus()
	st.Scopes = []status.ScopeStatus{
		{Interface: "eth1", DDNS: &ddns.Status{Pending: 1, Registered: 4, Done: 5, Conflicts: 1, Failed: map[string]uint64{"timeout": 2, "conflict": 1},
			Zones: map[string]*ddns.ZoneStatus{"example.test": {Done: 6, Failed: map[string]uint64{"timeout": 2}}, "113.0.203.in-addr.arpa": {Done: 4}}}},
		{Interface: "eth2.20"},
	}
	path, _ := startServer(t, Sources{Status: &fakeStatus{st: st}}, Options{})
	got, err := dial(t, path).DDNS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []DDNSScope{{
		Interface: "eth1", Pending: 1, Registered: 4, Done: 5, Conflicts: 1, Failed: map[string]uint64{"timeout": 2, "conflict": 1},
		Zones: []DDNSZone{{Zone: "113.0.203.in-addr.arpa", Done: 4, Failed: map[string]uint64{}}, {Zone: "example.test", Done: 6, Failed: map[string]uint64{"timeout": 2}}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("show ddns (-want +got):\n%s", diff)
	}
}

package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/iphelper/iphelper/relay/status"
)

// TestFallbackEnabled: an interface whose fallback scope is disabled (its
// lease database cannot be opened) exports 0, one that serves its scope
// 1, and one without a scope nothing.
func TestFallbackEnabled(t *testing.T) {
	st := fakeStatus{Interfaces: []status.InterfaceStatus{
		{Name: "eth1", State: "up", Up: true, Fallback: true},
		{Name: "eth2", State: "up", Up: true, Fallback: true, FallbackDisabled: `lease database unavailable: failed to open lease database "/var/lib/iphelper/leases.db": invalid database`},
		{Name: "eth3", State: "up"},
	}}
	const want = `
# HELP iphelper_fallback_enabled 1 while the interface's fallback scope is served, 0 while it is disabled (the lease database cannot be opened, the scope does not fit the subnet: show interfaces says why); absent for interfaces without one.
# TYPE iphelper_fallback_enabled gauge
iphelper_fallback_enabled{interface="eth1"} 1
iphelper_fallback_enabled{interface="eth2"} 0
`
	reg := newRegistry(t, NewCollector(st, Options{}))
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "iphelper_fallback_enabled"); err != nil {
		t.Error(err)
	}
}

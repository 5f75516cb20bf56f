package fallback

import (
	"net/netip"
	"testing"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// TestClearConflicts: clear conflicts frees a declined address, or every
// one, in memory and in the store, so that a restart keeps it free.
func TestClearConflicts(t *testing.T) {
	ours := ip("203.0.113.1")
	tests := []struct {
		name      string
		addr      netip.Addr
		wantFreed []netip.Addr
		wantQuar  int // quarantined addresses left
	}{
		{"one", ip("203.0.113.100"), []netip.Addr{ip("203.0.113.100")}, 1},
		{"all", netip.Addr{}, []netip.Addr{ip("203.0.113.100"), ip("203.0.113.101")}, 0},
		{"not quarantined", ip("203.0.113.102"), nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testScope())
			for i, c := range []client{cl(1), cl(2)} {
				a := e.dora(t, c)
				if _, o := e.handle(c.decline(t, ours, a)); o != OutcomeDeclined {
					t.Fatalf("decline %d: %v", i, o)
				}
			}
			e.dora(t, cl(3)) // .102, bound
			freed := e.s.ClearConflicts(tt.addr)
			if d := diff(tt.wantFreed, freed); d != "" {
				t.Errorf("freed (-want +got):\n%s", d)
			}
			if got := e.s.PoolStats(e.clock.Now()).Quarantined; got != tt.wantQuar {
				t.Errorf("quarantined after the clear: %d, want %d", got, tt.wantQuar)
			}
			for _, a := range freed {
				if rec, ok := e.store.Snapshot(testIface, a); ok && rec.State == leasestore.StateDeclined {
					t.Errorf("the store still quarantines %s", a)
				}
			}
			e.restart(t, testScope())
			if got := e.s.PoolStats(e.clock.Now()).Quarantined; got != tt.wantQuar {
				t.Errorf("quarantined after a restart: %d, want %d", got, tt.wantQuar)
			}
		})
	}
}

package fallback

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSetProber: the prober set last decides: none offers without a
// probe, a new one is asked for the next DISCOVER.
func TestSetProber(t *testing.T) {
	e := newEnv(t, testScope())
	e.s.SetProber(nil)
	if _, o := e.offer(t, cl(1)); o != OutcomeOffer {
		t.Fatalf("DISCOVER without a prober: %s, want an offer", o)
	}
	if got := e.probe.Asked(); len(got) != 0 {
		t.Errorf("the removed prober was asked about %v", got)
	}
	p := &fakeProber{inUse: map[netip.Addr]bool{}}
	e.s.SetProber(p)
	a, o := e.offer(t, cl(2))
	if o != OutcomeOffer {
		t.Fatalf("DISCOVER with the new prober: %s, want an offer", o)
	}
	if diff := cmp.Diff([]netip.Addr{a}, p.Asked(), addrCmp); diff != "" {
		t.Errorf("the new prober's questions (-want +got):\n%s", diff)
	}
}

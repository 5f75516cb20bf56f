package fallback

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPoolStats: the scope of testScope has 9 dynamic addresses (.100-.109
// minus .105) and 2 reservations outside them.
func TestPoolStats(t *testing.T) {
	e := newEnv(t, testScope())
	sid := ip("203.0.113.1")
	if diff := cmp.Diff(PoolStats{Size: 11, Free: 11}, e.s.PoolStats(e.clock.Now())); diff != "" {
		t.Errorf("empty (-want +got):\n%s", diff)
	}
	// Client 1 bound, client 2 holding an offer, client 3 declined its lease.
	a, _ := e.handle(cl(1).discover(t))
	e.handle(cl(1).selecting(t, sid, yiaddr(a)))
	e.handle(cl(2).discover(t))
	c, _ := e.handle(cl(3).discover(t))
	e.handle(cl(3).selecting(t, sid, yiaddr(c)))
	e.handle(cl(3).decline(t, sid, yiaddr(c)))
	want := PoolStats{Size: 11, Bound: 1, Offered: 1, Quarantined: 1, Free: 8}
	if diff := cmp.Diff(want, e.s.PoolStats(e.clock.Now())); diff != "" {
		t.Errorf("in use (-want +got):\n%s", diff)
	}
	e.clock.Advance(testScope().DeclineQuarantine + testScope().LeaseTime) // everything lapses
	if diff := cmp.Diff(PoolStats{Size: 11, Free: 11}, e.s.PoolStats(e.clock.Now())); diff != "" {
		t.Errorf("after expiry (-want +got):\n%s", diff)
	}
}

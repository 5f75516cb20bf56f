package fallback

import (
	"errors"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

func TestSweep(t *testing.T) {
	e := newEnv(t, testScope())
	e.dora(t, cl(1))                         // lease, 10 min
	e.offer(t, cl(2))                        // offer, 30 s
	e.s.quarantine(ip("203.0.113.109"), nil) // quarantine, 10 min
	if n := e.s.Sweep(e.clock.Now()); n != 0 {
		t.Errorf("Sweep at once: %d reclaimed, want 0", n)
	}
	e.clock.Advance(time.Minute)
	if n := e.s.Sweep(e.clock.Now()); n != 1 {
		t.Errorf("Sweep after the offer hold: %d reclaimed, want 1", n)
	}
	e.clock.Advance(10 * time.Minute)
	if n := e.s.Sweep(e.clock.Now()); n != 2 {
		t.Errorf("Sweep after the lease: %d reclaimed, want 2", n)
	}
	if n := e.s.Sweep(e.clock.Now()); n != 0 {
		t.Errorf("second Sweep: %d reclaimed, want 0", n)
	}
	if got := e.s.Leases(); len(got) != 0 {
		t.Errorf("leases after expiry: %v", got)
	}
	// Expired leases and offers are remembered; the quarantine is gone.
	if n := len(e.s.tab.byAddr); n != 2 {
		t.Errorf("%d records remembered, want 2", n)
	}
}

func TestUpdateScope(t *testing.T) {
	e := newEnv(t, testScope())
	a1 := e.dora(t, cl(1))    // .100
	a2 := e.dora(t, cl(2))    // .101
	ar := e.dora(t, cl(0xa0)) // reservation .50
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.101"), ip("203.0.113.120")}}
	sc.Reservations = sc.Reservations[1:] // .50 no longer reserved
	if err := e.s.UpdateScope(sc); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{a1.String(): false, a2.String(): true, ar.String(): false}
	got := map[string]bool{}
	for _, a := range []string{a1.String(), a2.String(), ar.String()} {
		_, got[a] = e.bound()[ip(a)]
	}
	if d := diff(want, got); d != "" {
		t.Errorf("leases kept (-want +got):\n%s", d)
	}
	if _, o := e.handle(cl(2).renewing(t, a2)); o != OutcomeAck {
		t.Errorf("renewal of a kept lease: %v", o)
	}
	if _, o := e.handle(cl(1).renewing(t, a1)); o != OutcomeSilentNotOurs {
		t.Errorf("renewal of a lease now outside the pool: %v, want silent_not_ours", o)
	}
}

func TestUpdateScopeRejects(t *testing.T) {
	e := newEnv(t, testScope())
	a := e.dora(t, cl(1))
	bad := testScope()
	bad.Ranges = nil
	bad.Reservations = nil
	err := e.s.UpdateScope(bad)
	if !errors.Is(err, ErrInvalidScope) {
		t.Errorf("UpdateScope(invalid): %v, want ErrInvalidScope", err)
	}
	other := testScope()
	other.Interface = "eth2"
	err = e.s.UpdateScope(other)
	want := `invalid fallback scope on "eth1": cannot move the server to interface "eth2"`
	if err == nil || err.Error() != want {
		t.Errorf("UpdateScope(other interface): %v, want %q", err, want)
	}
	if _, ok := e.bound()[a]; !ok || !e.s.scope.Enabled {
		t.Error("a rejected update changed the server")
	}
}

func TestLeasesSnapshotIsACopy(t *testing.T) {
	e := newEnv(t, testScope())
	e.dora(t, client{mac: mac(1), id: []byte("\x00id")})
	ls := e.s.Leases()
	ls[0].MAC[0], ls[0].ClientID[0] = 0xff, 0xff
	again := e.s.Leases()
	if again[0].MAC[0] == 0xff || again[0].ClientID[0] == 0xff {
		t.Error("Leases shares memory with the server")
	}
	if again[0].State != leasestore.StateBound {
		t.Errorf("state %v, want bound", again[0].State)
	}
}

package fallback

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

func TestRestartServesSameLeases(t *testing.T) {
	stores := []struct {
		name string
		open func(t *testing.T, path string) leasestore.Store
	}{
		{"memory", nil},
		{"bbolt", func(t *testing.T, path string) leasestore.Store {
			st, err := leasestore.OpenBolt(path, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "leases.db")
			clk := newFakeClock()
			var store leasestore.Store = leasestore.NewMemStore()
			if st.open != nil {
				store = st.open(t, path)
			}
			s, err := NewServer(testScope(), store, nil, clk, nil)
			if err != nil {
				t.Fatal(err)
			}
			e := &env{s: s, clock: clk}
			a1 := e.dora(t, cl(1))
			a2 := e.dora(t, client{mac: mac(2), id: []byte("\x00two")})
			a3 := e.dora(t, cl(3))
			e.handle(cl(3).decline(t, ip("203.0.113.1"), a3))
			before := s.Leases()

			// The process dies; a new one opens the same database.
			if st.open != nil {
				if err := store.Close(); err != nil {
					t.Fatal(err)
				}
				store = st.open(t, path)
				defer store.Close()
			}
			clk.Advance(time.Minute)
			s, err = NewServer(testScope(), store, nil, clk, nil)
			if err != nil {
				t.Fatal(err)
			}
			e.s = s
			if d := diff(before, s.Leases()); d != "" {
				t.Errorf("leases after restart (-want +got):\n%s", d)
			}
			if _, o := e.handle(cl(1).renewing(t, a1)); o != OutcomeAck {
				t.Errorf("renewal after restart: %v, want ack", o)
			}
			if got := e.dora(t, client{mac: mac(9), id: []byte("\x00two")}); got != a2 {
				t.Errorf("client-id client after restart got %v, want %v", got, a2)
			}
			if _, o := e.handle(cl(4).initReboot(t, a1)); o != OutcomeNakTaken {
				t.Errorf("another client claiming a restored lease: %v, want nak_taken", o)
			}
			if got := e.dora(t, cl(4), withReqIP(a3)); got == a3 {
				t.Errorf("the quarantine of %v did not survive the restart", a3)
			}
		})
	}
}

func TestLoadSkipsRecordsThatDoNotFit(t *testing.T) {
	clk := newFakeClock()
	now := clk.Now()
	store := leasestore.NewMemStore()
	put := func(l leasestore.Lease) {
		l.Interface = testIface
		if err := store.Put(l); err != nil {
			t.Fatal(err)
		}
	}
	put(leasestore.Lease{Addr: ip("203.0.113.100"), MAC: mac(1), Expiry: now.Add(time.Minute), State: leasestore.StateBound})   // kept
	put(leasestore.Lease{Addr: ip("203.0.113.20"), MAC: mac(2), Expiry: now.Add(time.Minute), State: leasestore.StateBound})    // outside the pool
	put(leasestore.Lease{Addr: ip("203.0.113.50"), MAC: mac(3), Expiry: now.Add(time.Minute), State: leasestore.StateBound})    // reserved for another
	put(leasestore.Lease{Addr: ip("203.0.113.101"), MAC: mac(4), Expiry: now.Add(time.Minute), State: leasestore.StateOffered}) // offers are not restored
	put(leasestore.Lease{Addr: ip("203.0.113.102"), Expiry: now.Add(-time.Minute), State: leasestore.StateDeclined})            // quarantine over
	put(leasestore.Lease{Addr: ip("203.0.113.103"), MAC: mac(1), Expiry: now.Add(-time.Hour), State: leasestore.StateBound})    // older record of mac(1)
	put(leasestore.Lease{Addr: ip("203.0.113.104"), Expiry: now.Add(time.Minute), State: leasestore.StateDeclined})             // kept
	s, err := NewServer(testScope(), store, nil, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []leasestore.Lease{
		{Interface: testIface, Addr: ip("203.0.113.100"), MAC: mac(1), Expiry: now.Add(time.Minute), State: leasestore.StateBound},
		{Interface: testIface, Addr: ip("203.0.113.104"), Expiry: now.Add(time.Minute), State: leasestore.StateDeclined},
	}
	if d := diff(want, s.Leases()); d != "" {
		t.Errorf("leases loaded (-want +got):\n%s", d)
	}
	if n := len(s.tab.byAddr); n != 2 {
		t.Errorf("%d records in memory, want 2", n)
	}
}

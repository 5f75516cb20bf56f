package fallback

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/fallback/leasestore/etcdtest"
)

// sharedNode is one appliance of a site: its own connection to the
// shared store and its own server, which the test subscribes to the
// store's changes (Subscribe(s.Interface(), s.ApplyShared)).
func sharedNode(t *testing.T, ep string, clock Clock) (*Server, *leasestore.EtcdStore) {
	t.Helper()
	st, err := leasestore.OpenEtcd(leasestore.EtcdConfig{Endpoints: []string{ep}, OpTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := NewServer(testScope(), st, nil, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

// Two nodes offer the same address to two clients at once: the first
// REQUEST committed gets it, the second node's commit is refused for that
// address (no ACK), its table learns the first node's lease, and the
// client's next DISCOVER there gets another address. No address is ever
// stored for two clients.
func TestSharedStoreBindsOnce(t *testing.T) {
	ep, _ := etcdtest.Start(t)
	clock := newFakeClock()
	s1, st := sharedNode(t, ep, clock)
	s2, st2 := sharedNode(t, ep, clock)
	t.Cleanup(st.Subscribe(s1.Interface(), s1.ApplyShared))
	a1 := offerAll(t, s1, []byte{1})[1]
	a2 := offerAll(t, s2, []byte{2})[2]
	if a1 != a2 {
		t.Fatalf("the nodes offered %v and %v; the test needs them to pick the same address", a1, a2)
	}
	if got := stageAll(t, s1, []byte{1}, map[byte]netip.Addr{1: a1}); got[0] != OutcomeAck {
		t.Fatalf("node 1 REQUEST: %v, want ack", got[0])
	}
	if err := s1.Commit(); err != nil {
		t.Fatalf("node 1 commit: %v", err)
	}
	// Node 2 has not heard of node 1's lease yet (its feed starts below):
	// its table lets it ACK, the store must refuse.
	if got := stageAll(t, s2, []byte{2}, map[byte]netip.Addr{2: a2}); got[0] != OutcomeAck {
		t.Fatalf("node 2 REQUEST: %v, want ack (to be refused by the store)", got[0])
	}
	err := s2.Commit()
	var ce *StoreConflictError
	if !errors.As(err, &ce) || !ce.Addrs[a1] {
		t.Fatalf("node 2 commit: %v, want a conflict on %v", err, a1)
	}
	t.Cleanup(st2.Subscribe(s2.Interface(), s2.ApplyShared))
	waitUntil(t, func() bool { return leaseOf(s2, a1) == mac(1).String() })
	b2 := offerAll(t, s2, []byte{2})[2]
	if b2 == a1 {
		t.Fatalf("node 2 offered %v again, which node 1 bound", b2)
	}
	if got := stageAll(t, s2, []byte{2}, map[byte]netip.Addr{2: b2}); got[0] != OutcomeAck {
		t.Fatalf("node 2 second REQUEST: %v, want ack", got[0])
	}
	if err := s2.Commit(); err != nil {
		t.Fatalf("node 2 second commit: %v", err)
	}
	recs, err := st.Load(s1.Interface())
	if err != nil {
		t.Fatal(err)
	}
	want := map[netip.Addr]string{a1: mac(1).String(), b2: mac(2).String()}
	got := make(map[netip.Addr]string)
	for _, l := range recs {
		got[l.Addr] = l.MAC.String()
	}
	if d := diff(want, got); d != "" {
		t.Errorf("stored leases (-want +got):\n%s", d)
	}
	waitUntil(t, func() bool { return leaseOf(s1, b2) == mac(2).String() })
}

// leaseOf returns the MAC of the client bound to a in s's table, or "".
func leaseOf(s *Server, a netip.Addr) string {
	for _, l := range s.Leases() {
		if l.Addr == a && l.State == leasestore.StateBound {
			return l.MAC.String()
		}
	}
	return ""
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("condition not met in time")
}

package leasestore_test

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/fallback/leasestore/etcdtest"
)

func openEtcd(t *testing.T, ep string) *leasestore.EtcdStore {
	t.Helper()
	s, err := leasestore.OpenEtcd(leasestore.EtcdConfig{Endpoints: []string{ep}, OpTimeout: time.Second, Prefix: "/test/"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func etcdLease(addr string, mac byte) leasestore.Lease {
	return leasestore.Lease{Interface: "vlan10", Addr: netip.MustParseAddr(addr), MAC: net.HardwareAddr{2, 0, 0, 0, 0, mac},
		Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), State: leasestore.StateBound}
}

// withoutRev drops the revisions, which the test cannot know in advance.
func withoutRev(ls []leasestore.Lease) []leasestore.Lease {
	for i := range ls {
		ls[i].Rev = 0
	}
	return ls
}

func TestEtcdApplyLoad(t *testing.T) {
	ep, _ := etcdtest.Start(t)
	s := openEtcd(t, ep)
	a, b := etcdLease("203.0.113.20", 1), etcdLease("203.0.113.21", 2)
	rev, err := s.ApplyRev([]leasestore.Write{leasestore.PutWrite(b), leasestore.PutWrite(a)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("vlan10")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range got {
		if l.Rev != rev {
			t.Errorf("record %v has revision %d, want the transaction's %d", l.Addr, l.Rev, rev)
		}
	}
	if diff := ediff([]leasestore.Lease{a, b}, withoutRev(got)); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	// Replacing a record needs its revision: a write that expects none
	// conflicts, one that names it goes through.
	a2 := etcdLease("203.0.113.20", 3)
	var ce *leasestore.ConflictError
	if err := s.Apply([]leasestore.Write{leasestore.PutWrite(a2)}); !errors.As(err, &ce) {
		t.Fatalf("overwrite without the revision: err %v, want a ConflictError", err)
	}
	if err := s.Apply([]leasestore.Write{{Lease: a2, Expect: rev}}); err != nil {
		t.Fatalf("overwrite at the revision: %v", err)
	}
}

// Two nodes bind the same address: the second transaction fails as a
// whole, names the conflicting write, writes nothing, and hands the first
// node's record to the second node's subscriber.
func TestEtcdConflictBetweenNodes(t *testing.T) {
	ep, _ := etcdtest.Start(t)
	n1, n2 := openEtcd(t, ep), openEtcd(t, ep)
	var (
		mu  sync.Mutex
		got []leasestore.Lease
	)
	n2.Subscribe("vlan10", func(l leasestore.Lease) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, l)
	})
	if err := n1.Put(etcdLease("203.0.113.20", 1)); err != nil {
		t.Fatal(err)
	}
	err := n2.Apply([]leasestore.Write{leasestore.PutWrite(etcdLease("203.0.113.21", 3)), leasestore.PutWrite(etcdLease("203.0.113.20", 2))})
	var ce *leasestore.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, leasestore.ErrConflict) {
		t.Fatalf("err %v, want a ConflictError", err)
	}
	if diff := ediff([]int{1}, ce.Index); diff != "" {
		t.Errorf("conflicting writes (-want +got):\n%s", diff)
	}
	recs, err := n2.Load("vlan10")
	if err != nil {
		t.Fatal(err)
	}
	if diff := ediff([]leasestore.Lease{etcdLease("203.0.113.20", 1)}, withoutRev(recs)); diff != "" {
		t.Errorf("records after the conflict (-want +got):\n%s", diff)
	}
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	})
	mu.Lock()
	if diff := ediff(etcdLease("203.0.113.20", 1), withoutRev(got[:1])[0]); diff != "" {
		t.Errorf("record handed to the subscriber (-want +got):\n%s", diff)
	}
	mu.Unlock()
}

// A change another node makes reaches the subscriber with its revision,
// and so does a delete.
func TestEtcdSubscribeSeesOtherNode(t *testing.T) {
	ep, _ := etcdtest.Start(t)
	n1, n2 := openEtcd(t, ep), openEtcd(t, ep)
	ch := make(chan leasestore.Lease, 16)
	stop := n2.Subscribe("vlan10", func(l leasestore.Lease) { ch <- l })
	defer stop()
	rev, err := n1.ApplyRev([]leasestore.Write{leasestore.PutWrite(etcdLease("203.0.113.30", 1))})
	if err != nil {
		t.Fatal(err)
	}
	l := recv(t, ch)
	if l.Rev != rev || l.Addr != netip.MustParseAddr("203.0.113.30") || l.Deleted {
		t.Errorf("got %+v, want the record of 203.0.113.30 at revision %d", l, rev)
	}
	if err := n1.Delete("vlan10", netip.MustParseAddr("203.0.113.30")); err != nil {
		t.Fatal(err)
	}
	if l := recv(t, ch); !l.Deleted || l.Addr != netip.MustParseAddr("203.0.113.30") || l.Rev <= rev {
		t.Errorf("got %+v, want the delete of 203.0.113.30 after revision %d", l, rev)
	}
}

// A node whose cluster does not answer fails its writes in time, with
// ErrUnavailable, and says since when.
func TestEtcdQuorumLost(t *testing.T) {
	ep, stopEtcd := etcdtest.Start(t)
	s := openEtcd(t, ep)
	if err := s.Put(etcdLease("203.0.113.20", 1)); err != nil {
		t.Fatal(err)
	}
	if _, lost := s.QuorumLostSince(); lost {
		t.Fatal("quorum lost while the cluster answers")
	}
	stopEtcd()
	err := s.Put(etcdLease("203.0.113.21", 2))
	if !errors.Is(err, leasestore.ErrUnavailable) {
		t.Fatalf("err %v, want ErrUnavailable", err)
	}
	if _, lost := s.QuorumLostSince(); !lost {
		t.Error("quorum not reported lost after a write timed out")
	}
}

func recv(t *testing.T, ch <-chan leasestore.Lease) leasestore.Lease {
	t.Helper()
	select {
	case l := <-ch:
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no record reached the subscriber")
	}
	return leasestore.Lease{}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("condition not met in time")
}

func ediff(want, got any) string {
	return cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateEmpty())
}

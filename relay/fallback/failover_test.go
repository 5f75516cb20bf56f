package fallback

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// fakeFailover is a Failover whose answers the test sets.
type fakeFailover struct {
	serves   func(key []byte) bool
	owns     func(index int) bool // nil: every address
	reusable func(end, now time.Time) bool
	cap      time.Duration // >0: a lease not acknowledged runs at most cap
	needAck  bool
}

func (f *fakeFailover) Serves(key []byte, _ uint16, _ bool, _ time.Time) bool {
	return f.serves == nil || f.serves(key)
}

func (f *fakeFailover) MayAllocate(i, _ int, _ time.Time) bool { return f.owns == nil || f.owns(i) }

func (f *fakeFailover) Reusable(end, now time.Time) bool {
	return f.reusable == nil || f.reusable(end, now)
}

func (f *fakeFailover) Grant(_ bool, want, _, now time.Time) (time.Time, bool) {
	if f.cap > 0 && want.Sub(now) > f.cap {
		want = now.Add(f.cap)
	}
	return want, f.needAck
}

func newFailoverEnv(t *testing.T, f *fakeFailover) *env {
	t.Helper()
	e := newEnv(t, testScope())
	e.s.SetFailover(f)
	return e
}

// TestFailoverServes: a client the partner answers meets silence, except
// for a REQUEST naming us (it answers our OFFER) and its RELEASE.
func TestFailoverServes(t *testing.T) {
	f := &fakeFailover{}
	e := newFailoverEnv(t, f)
	a := e.dora(t, cl(1))
	f.serves = func([]byte) bool { return false }
	for _, tc := range []struct {
		name string
		msg  *dhcpv4.DHCPv4
		want Outcome
	}{
		{"DISCOVER", cl(2).discover(t), OutcomeSilentPartner},
		{"INFORM", cl(2).inform(t, ip("203.0.113.20")), OutcomeSilentPartner},
		{"REBINDING", cl(1).rebinding(t, a), OutcomeSilentPartner},
		{"SELECTING naming us", cl(1).selecting(t, ip("203.0.113.1"), a), OutcomeAck},
		{"RELEASE", cl(1).release(t, ip("203.0.113.1"), a), OutcomeReleased},
	} {
		if _, o := e.handle(tc.msg); o != tc.want {
			t.Errorf("%s: outcome %v, want %v", tc.name, o, tc.want)
		}
	}
}

// TestFailoverServesHashesTheClientIdentity: the pair's rule gets the
// client identifier, else the chaddr, as RFC 3074 hashes them, and nothing
// of the server's own keying.
func TestFailoverServesHashesTheClientIdentity(t *testing.T) {
	var got [][]byte
	f := &fakeFailover{serves: func(key []byte) bool { got = append(got, bytes.Clone(key)); return false }}
	e := newFailoverEnv(t, f)
	withID := client{mac: mac(2), id: []byte{1, 2, 3}}
	e.handle(cl(1).discover(t))
	e.handle(withID.discover(t))
	want := [][]byte{mac(1), {1, 2, 3}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("keys hashed (-want +got):\n%s", d)
	}
}

// TestFailoverOwnership: new clients get only addresses this node may
// allocate, and a REQUEST for another one is refused.
func TestFailoverOwnership(t *testing.T) {
	// The pool .100-.109 without .105: index 0..8. Own the odd indexes.
	f := &fakeFailover{owns: func(i int) bool { return i%2 == 1 }}
	e := newFailoverEnv(t, f)
	var got []netip.Addr
	for i := byte(1); i <= 5; i++ {
		a, o := e.offer(t, cl(i))
		if o != OutcomeOffer {
			if i == 5 && o == OutcomePoolExhausted {
				break
			}
			t.Fatalf("client %d: outcome %v", i, o)
		}
		got = append(got, a)
		if _, o := e.handle(cl(i).selecting(t, ip("203.0.113.1"), a)); o != OutcomeAck {
			t.Fatalf("client %d: REQUEST outcome %v", i, o)
		}
	}
	want := []netip.Addr{ip("203.0.113.101"), ip("203.0.113.103"), ip("203.0.113.106"), ip("203.0.113.108")}
	if d := diff(want, got); d != "" {
		t.Errorf("addresses offered (-want +got):\n%s", d)
	}
	// A requested address the node does not own is not offered.
	if a, _ := e.offer(t, cl(9), withReqIP(ip("203.0.113.100"))); a == ip("203.0.113.100") {
		t.Errorf("offered %v, which the partner owns", a)
	}
	// A new client asking for the partner's address is NAKed in SELECTING,
	// left alone otherwise.
	if _, o := e.handle(cl(10).selecting(t, ip("203.0.113.1"), ip("203.0.113.102"))); o != OutcomeNakNotOurs {
		t.Errorf("SELECTING for the partner's address: %v, want %v", o, OutcomeNakNotOurs)
	}
	if _, o := e.handle(cl(10).initReboot(t, ip("203.0.113.102"))); o != OutcomeSilentCannotGrant {
		t.Errorf("INIT-REBOOT for the partner's address: %v, want %v", o, OutcomeSilentCannotGrant)
	}
}

// TestFailoverReuse: the lease of another client that ended is reused only
// when the rules say so (rule 1), a client's own lease always.
func TestFailoverReuse(t *testing.T) {
	reusable := false
	f := &fakeFailover{owns: func(i int) bool { return i == 0 }, reusable: func(time.Time, time.Time) bool { return reusable }}
	e := newFailoverEnv(t, f)
	a := e.dora(t, cl(1))
	if a != ip("203.0.113.100") {
		t.Fatalf("first lease %v", a)
	}
	e.clock.Advance(11 * time.Minute) // the lease expired
	if _, o := e.offer(t, cl(2)); o != OutcomePoolExhausted {
		t.Errorf("while not reusable: outcome %v, want %v", o, OutcomePoolExhausted)
	}
	if _, o := e.handle(cl(2).selecting(t, ip("203.0.113.1"), a)); o != OutcomeNakTaken {
		t.Errorf("SELECTING for it while not reusable: %v, want %v", o, OutcomeNakTaken)
	}
	if got, o := e.offer(t, cl(1)); o != OutcomeOffer || got != a {
		t.Errorf("its own client: %v %v, want %v offer", got, o, a)
	}
	e.clock.Advance(time.Minute) // cl(1)'s new offer ends
	reusable = true
	if got, o := e.offer(t, cl(2)); o != OutcomeOffer || got != a {
		t.Errorf("once reusable: %v %v, want %v offer", got, o, a)
	}
}

// TestFailoverGrant: the ACK carries the lease the rules grant, with T1 and
// T2 in proportion, and the write is handed over as an Update that says
// whether the ACK waits for the partner.
func TestFailoverGrant(t *testing.T) {
	f := &fakeFailover{cap: 2 * time.Minute, needAck: true}
	e := newFailoverEnv(t, f)
	a, _ := e.offer(t, cl(1))
	rep, o := e.handle(cl(1).selecting(t, ip("203.0.113.1"), a))
	if o != OutcomeAck {
		t.Fatalf("outcome %v", o)
	}
	if got := rep.IPAddressLeaseTime(0); got != 2*time.Minute {
		t.Errorf("lease time %v, want 2m", got)
	}
	if t1, t2 := rep.IPAddressRenewalTime(0), rep.IPAddressRebindingTime(0); t1 != time.Minute || t2 != 105*time.Second {
		t.Errorf("T1 %v T2 %v, want 1m and 1m45s", t1, t2)
	}
	ups := e.s.TakeUpdates()
	if len(ups) != 1 || ups[0].Lease.Addr != a || !ups[0].NeedAck || !ups[0].Lease.Expiry.Equal(e.clock.Now().Add(2*time.Minute)) {
		t.Fatalf("updates %+v", ups)
	}
	if again := e.s.TakeUpdates(); len(again) != 0 {
		t.Errorf("TakeUpdates twice: %+v", again)
	}
	if got := e.s.Unsynced(false); len(got) != 1 {
		t.Errorf("unsynced before the ack: %d records, want 1", len(got))
	}
	e.s.Acked(a, ups[0].Lease.Expiry)
	if got := e.s.Unsynced(false); len(got) != 0 {
		t.Errorf("unsynced after the ack: %+v", got)
	}
	// A grant that leaves nothing is silence, not an ACK of zero seconds.
	f.cap = time.Nanosecond
	if _, o := e.handle(cl(1).renewing(t, a)); o != OutcomeSilentCannotGrant {
		t.Errorf("renewal with nothing to grant: %v, want %v", o, OutcomeSilentCannotGrant)
	}
}

// TestApplyPartner: the partner's records are merged and written, a
// conflicting one is refused, and the merged record says what the partner
// knows.
func TestApplyPartner(t *testing.T) {
	e := newFailoverEnv(t, &fakeFailover{})
	mine := e.dora(t, cl(1))
	now := e.clock.Now()
	rec := func(a netip.Addr, c client, st leasestore.State, exp time.Duration) leasestore.Lease {
		return leasestore.Lease{Interface: testIface, Addr: a, MAC: c.mac, State: st, Expiry: now.Add(exp)}
	}
	taken, err := e.s.ApplyPartner([]leasestore.Lease{
		rec(ip("203.0.113.107"), cl(2), leasestore.StateBound, 5*time.Minute), // new: taken
		rec(mine, cl(3), leasestore.StateBound, 5*time.Minute),                // ours, another client: refused
		rec(mine, cl(1), leasestore.StateBound, time.Minute),                  // ours, same client, shorter: ours kept
		rec(ip("203.0.113.20"), cl(4), leasestore.StateBound, time.Minute),    // not in the pool
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := diff([]bool{true, false, false, false}, taken); d != "" {
		t.Errorf("taken (-want +got):\n%s", d)
	}
	got, ok := e.store.Snapshot(testIface, ip("203.0.113.107"))
	if !ok || !got.PartnerExpiry.Equal(now.Add(5*time.Minute)) || got.State != leasestore.StateBound {
		t.Errorf("stored partner record %+v, %v", got, ok)
	}
	// The partner's client is held: no one else gets its address.
	if _, o := e.handle(cl(5).selecting(t, ip("203.0.113.1"), ip("203.0.113.107"))); o != OutcomeNakTaken {
		t.Errorf("SELECTING for the partner's lease: %v, want %v", o, OutcomeNakTaken)
	}
	// Our longer lease of cl(1) is still to be sent.
	if un := e.s.Unsynced(false); len(un) != 1 || un[0].Addr != mine {
		t.Errorf("unsynced %+v, want our lease of %v", un, mine)
	}
	// A failed write takes nothing.
	fs := &failStore{MemStore: leasestore.NewMemStore()}
	s, err := NewServer(testScope(), fs, nil, e.clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetFailover(&fakeFailover{})
	fs.setFail(true)
	taken, err = s.ApplyPartner([]leasestore.Lease{rec(ip("203.0.113.108"), cl(6), leasestore.StateBound, time.Minute)})
	if err == nil || taken[0] {
		t.Errorf("with a failing store: taken %v, err %v", taken, err)
	}
	if len(s.Leases()) != 0 {
		t.Errorf("a record stayed in memory after its write failed: %+v", s.Leases())
	}
}

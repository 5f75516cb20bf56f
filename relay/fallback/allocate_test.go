package fallback

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// dynamicAddrs are the testScope pool addresses in allocation order.
func dynamicAddrs() []netip.Addr {
	var out []netip.Addr
	for _, s := range []string{"100", "101", "102", "103", "104", "106", "107", "108", "109"} {
		out = append(out, ip("203.0.113."+s))
	}
	return out
}

func TestAllocatorFillsPoolOnceThenExhausts(t *testing.T) {
	e := newEnv(t, testScope())
	var got []netip.Addr
	for i := range 9 {
		got = append(got, e.dora(t, cl(byte(i+1))))
	}
	if d := diff(dynamicAddrs(), got); d != "" {
		t.Errorf("addresses given (-want +got):\n%s", d)
	}
	a, o := e.offer(t, cl(99))
	if d := diff([]any{netip.Addr{}, OutcomePoolExhausted}, []any{a, o}); d != "" {
		t.Errorf("DISCOVER on a full pool (-want +got):\n%s", d)
	}
	// The offers held the addresses, then the ACKs bound them: nothing is
	// held by anyone else, and the excluded .105 was never used.
	if _, ok := e.bound()[ip("203.0.113.105")]; ok {
		t.Error("the excluded address was leased")
	}
}

func TestAllocatorPicks(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, e *env)
		client  client
		reqIP   netip.Addr
		want    netip.Addr
		outcome Outcome
	}{
		{name: "first free", client: cl(1), want: ip("203.0.113.100"), outcome: OutcomeOffer},
		{name: "requested address honoured", client: cl(1), reqIP: ip("203.0.113.107"), want: ip("203.0.113.107"), outcome: OutcomeOffer},
		{name: "requested excluded address ignored", client: cl(1), reqIP: ip("203.0.113.105"), want: ip("203.0.113.100"), outcome: OutcomeOffer},
		{name: "requested address outside the pool ignored", client: cl(1), reqIP: ip("203.0.113.20"), want: ip("203.0.113.100"), outcome: OutcomeOffer},
		{name: "requested reserved address ignored", client: cl(1), reqIP: ip("203.0.113.50"), want: ip("203.0.113.100"), outcome: OutcomeOffer},
		{name: "requested address taken", setup: func(t *testing.T, e *env) {
			e.dora(t, cl(2), withReqIP(ip("203.0.113.107")))
		}, client: cl(1), reqIP: ip("203.0.113.107"), want: ip("203.0.113.100"), outcome: OutcomeOffer},
		{name: "requested address quarantined", setup: func(t *testing.T, e *env) {
			e.s.quarantine(ip("203.0.113.107"), nil)
		}, client: cl(1), reqIP: ip("203.0.113.107"), want: ip("203.0.113.100"), outcome: OutcomeOffer},
		{name: "reservation by MAC", client: cl(0xa0), reqIP: ip("203.0.113.107"), want: ip("203.0.113.50"), outcome: OutcomeOffer},
		{name: "reservation by client-id", client: client{mac: mac(7), id: []byte("\x00reserved")}, want: ip("203.0.113.51"), outcome: OutcomeOffer},
		{name: "reservation quarantined", setup: func(t *testing.T, e *env) {
			e.s.quarantine(ip("203.0.113.50"), nil)
		}, client: cl(0xa0), outcome: OutcomeReservationBusy},
		{name: "own lease before requested address", setup: func(t *testing.T, e *env) {
			e.dora(t, cl(1), withReqIP(ip("203.0.113.103")))
		}, client: cl(1), reqIP: ip("203.0.113.108"), want: ip("203.0.113.103"), outcome: OutcomeOffer},
		{name: "client-id names the client, not chaddr", setup: func(t *testing.T, e *env) {
			e.dora(t, client{mac: mac(1), id: []byte("\x01laptop")}, withReqIP(ip("203.0.113.103")))
		}, client: client{mac: mac(2), id: []byte("\x01laptop")}, want: ip("203.0.113.103"), outcome: OutcomeOffer},
		{name: "disabled scope", setup: func(t *testing.T, e *env) {
			sc := testScope()
			sc.Enabled = false
			if err := e.s.UpdateScope(sc); err != nil {
				t.Fatal(err)
			}
		}, client: cl(1), outcome: OutcomeSilentDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testScope())
			if tt.setup != nil {
				tt.setup(t, e)
			}
			var a netip.Addr
			var o Outcome
			if tt.reqIP.IsValid() {
				a, o = e.offer(t, tt.client, withReqIP(tt.reqIP))
			} else {
				a, o = e.offer(t, tt.client)
			}
			if d := diff([]any{tt.want, tt.outcome}, []any{a, o}); d != "" {
				t.Errorf("offer (-want +got):\n%s", d)
			}
		})
	}
}

func TestAllocatorSameClientSameAddress(t *testing.T) {
	tests := []struct {
		name  string
		after func(t *testing.T, e *env, c client, a netip.Addr)
	}{
		{"while bound", func(*testing.T, *env, client, netip.Addr) {}},
		{"after release", func(t *testing.T, e *env, c client, a netip.Addr) {
			if _, o := e.handle(c.release(t, ip("203.0.113.1"), a)); o != OutcomeReleased {
				t.Fatalf("RELEASE: %v", o)
			}
		}},
		{"after expiry and sweep", func(t *testing.T, e *env, c client, a netip.Addr) {
			e.clock.Advance(11 * time.Minute)
			if n := e.s.Sweep(e.clock.Now()); n != 3 {
				t.Errorf("Sweep reclaimed %d, want 3", n)
			}
		}},
		{"after expiry while others came", func(t *testing.T, e *env, c client, a netip.Addr) {
			e.clock.Advance(11 * time.Minute)
			for i := range 5 {
				e.dora(t, cl(byte(50+i)))
			}
		}},
		{"after a restart", func(t *testing.T, e *env, c client, a netip.Addr) {
			e.restart(t, testScope())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testScope())
			e.dora(t, cl(1))
			c := cl(2)
			a := e.dora(t, c)
			e.dora(t, cl(3))
			tt.after(t, e, c, a)
			if got := e.dora(t, c); got != a {
				t.Errorf("client got %v, want its previous %v", got, a)
			}
		})
	}
}

func TestAllocatorReusesLongestFreeLast(t *testing.T) {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.100"), ip("203.0.113.102")}}
	sc.Exclusions = nil
	e := newEnv(t, sc)
	for i := range 3 {
		e.dora(t, cl(byte(i+1))) // .100, .101, .102
	}
	// .101 is released first, then .100: a new client gets .101, the
	// address free for longest, and .100 stays for its last holder.
	for _, c := range []struct {
		c client
		a string
	}{{cl(2), "203.0.113.101"}, {cl(1), "203.0.113.100"}} {
		e.clock.Advance(time.Second)
		if _, o := e.handle(c.c.release(t, ip("203.0.113.1"), ip(c.a))); o != OutcomeReleased {
			t.Fatalf("RELEASE %s: %v", c.a, o)
		}
	}
	if got := e.dora(t, cl(9)); got != ip("203.0.113.101") {
		t.Errorf("new client got %v, want 203.0.113.101", got)
	}
	if got := e.dora(t, cl(1)); got != ip("203.0.113.100") {
		t.Errorf("returning client got %v, want 203.0.113.100", got)
	}
}

func TestOfferHold(t *testing.T) {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.100"), ip("203.0.113.100")}}
	sc.Exclusions = nil
	e := newEnv(t, sc)
	if a, o := e.offer(t, cl(1)); o != OutcomeOffer || a != ip("203.0.113.100") {
		t.Fatalf("first offer: %v %v", a, o)
	}
	e.clock.Advance(29 * time.Second)
	if _, o := e.offer(t, cl(2)); o != OutcomePoolExhausted {
		t.Errorf("during the hold: %v, want pool_exhausted", o)
	}
	if a, o := e.offer(t, cl(1)); o != OutcomeOffer || a != ip("203.0.113.100") {
		t.Errorf("same client during the hold: %v %v", a, o)
	}
	e.clock.Advance(31 * time.Second) // the second offer renewed the hold
	if a, o := e.offer(t, cl(2)); o != OutcomeOffer || a != ip("203.0.113.100") {
		t.Errorf("after the hold: %v %v, want an offer of .100", a, o)
	}
	// The first client's REQUEST now finds the address held by another.
	if _, o := e.handle(cl(1).selecting(t, ip("203.0.113.1"), ip("203.0.113.100"))); o != OutcomeNakTaken {
		t.Errorf("REQUEST after losing the hold: %v, want nak_taken", o)
	}
}

func TestProbeConflict(t *testing.T) {
	e := newEnv(t, testScope())
	e.probe.inUse[ip("203.0.113.100")] = true
	e.probe.inUse[ip("203.0.113.101")] = true
	a, o := e.offer(t, cl(1))
	if d := diff([]any{ip("203.0.113.102"), OutcomeOffer}, []any{a, o}); d != "" {
		t.Errorf("offer (-want +got):\n%s", d)
	}
	wantAsked := []netip.Addr{ip("203.0.113.100"), ip("203.0.113.101"), ip("203.0.113.102")}
	if d := diff(wantAsked, e.probe.Asked()); d != "" {
		t.Errorf("probed (-want +got):\n%s", d)
	}
	var quarantined []netip.Addr
	for _, l := range e.s.Leases() {
		if l.State == leasestore.StateDeclined {
			quarantined = append(quarantined, l.Addr)
		}
	}
	if d := diff(wantAsked[:2], quarantined); d != "" {
		t.Errorf("quarantined (-want +got):\n%s", d)
	}
	// A re-DISCOVER of the held offer is not probed again.
	e.offer(t, cl(1))
	if n := len(e.probe.Asked()); n != 3 {
		t.Errorf("probes after a re-DISCOVER: %d, want 3", n)
	}
	// After the quarantine the address can be offered again (and is
	// probed again).
	delete(e.probe.inUse, ip("203.0.113.100"))
	e.clock.Advance(10*time.Minute + time.Second)
	if a, _ := e.offer(t, cl(2), withReqIP(ip("203.0.113.100"))); a != ip("203.0.113.100") {
		t.Errorf("after the quarantine: offered %v, want 203.0.113.100", a)
	}
	if got := e.probe.Asked(); len(got) != 4 || got[3] != ip("203.0.113.100") {
		t.Errorf("probed %v, want .100 probed last", got)
	}
}

func TestProbeOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		prober  func(*fakeProber)
		ctx     func() (context.Context, context.CancelFunc)
		want    netip.Addr
		outcome Outcome
		probes  int
	}{
		{name: "every address answers", prober: func(p *fakeProber) {
			for _, a := range dynamicAddrs() {
				p.inUse[a] = true
			}
		}, outcome: OutcomeProbeConflicts, probes: maxProbeAttempts},
		{name: "probe error fails open", prober: func(p *fakeProber) { p.err = errors.New("no packet socket") },
			want: ip("203.0.113.100"), outcome: OutcomeOffer, probes: 1},
		{name: "context ends during the probe", prober: func(p *fakeProber) { p.block = true },
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 10*time.Millisecond)
			}, outcome: OutcomeCanceled, probes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testScope())
			tt.prober(e.probe)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			rep, o := e.s.Handle(ctx, cl(1).discover(t), false)
			var a netip.Addr
			if rep != nil {
				a = yiaddr(rep)
			}
			if d := diff([]any{tt.want, tt.outcome, tt.probes}, []any{a, o, len(e.probe.Asked())}); d != "" {
				t.Errorf("offer, outcome, probes (-want +got):\n%s", d)
			}
		})
	}
}

func TestNilProberSkipsProbes(t *testing.T) {
	s, err := NewServer(testScope(), leasestore.NewMemStore(), nil, newFakeClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, o := s.Handle(context.Background(), cl(1).discover(t), false)
	if o != OutcomeOffer || yiaddr(rep) != ip("203.0.113.100") {
		t.Errorf("offer without prober: %v %v", rep, o)
	}
}

func TestDeclineQuarantines(t *testing.T) {
	e := newEnv(t, testScope())
	c := cl(1)
	a := e.dora(t, c)
	if _, o := e.handle(c.decline(t, ip("203.0.113.1"), a)); o != OutcomeDeclined {
		t.Fatalf("DECLINE: %v", o)
	}
	rec, ok := e.store.Snapshot(testIface, a)
	if !ok || rec.State != leasestore.StateDeclined {
		t.Errorf("store record after DECLINE: %+v %v, want declined", rec, ok)
	}
	// The client that declined gets another address; so does everyone else
	// until the quarantine ends.
	if got := e.dora(t, c); got == a {
		t.Errorf("declining client got the declined %v again", a)
	}
	if got := e.dora(t, cl(2), withReqIP(a)); got == a {
		t.Errorf("another client got the quarantined %v", a)
	}
	e.clock.Advance(10*time.Minute + time.Second)
	if got := e.dora(t, cl(3), withReqIP(a)); got != a {
		t.Errorf("after the quarantine: %v, want %v", got, a)
	}
}

func TestConcurrentHandleNeverDoubleAllocates(t *testing.T) {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.100"), ip("203.0.113.199")}}
	sc.MaxOffersOutstanding, sc.ReserveForKnown = -1, -1 // the whole pool, in any order
	e := newEnv(t, sc)
	const clients = 150 // more than the 99 addresses
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[netip.Addr][]int{}
	)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client{mac: mac(byte(i)), id: []byte{0xff, byte(i)}}
			rep, o := e.handle(c.discover(t))
			if o != OutcomeOffer {
				return
			}
			rep, o = e.handle(c.selecting(t, ip("203.0.113.1"), yiaddr(rep)))
			if o != OutcomeAck {
				return
			}
			mu.Lock()
			got[yiaddr(rep)] = append(got[yiaddr(rep)], i)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(got) != 99 {
		t.Errorf("%d addresses bound, want all 99", len(got))
	}
	for a, cs := range got {
		if len(cs) != 1 || !e.s.scope.dynamic(a) {
			t.Errorf("address %v given to clients %v", a, cs)
		}
	}
}

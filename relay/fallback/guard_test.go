package fallback

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

// guardScope is testScope with a 20-address pool, .100-.119: by default
// at most 4 offers out (10% is 2, the floor is 4) and 2 addresses kept for
// known clients.
func guardScope() Scope {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.100"), ip("203.0.113.119")}}
	sc.Exclusions = nil
	return sc
}

// flooder is the i-th client of a starvation flood: a fresh chaddr each.
func flooder(i int) client {
	return client{mac: net.HardwareAddr{0x02, 0xee, 0, 0, byte(i >> 8), byte(i)}}
}

func TestGuardLimits(t *testing.T) {
	tests := []struct {
		name              string
		last              string // end of the range starting at .100
		offers, reserve   int
		wantCap, wantRsrv int
	}{
		{name: "defaults, small pool", last: "203.0.113.119", wantCap: 4, wantRsrv: 2},
		{name: "defaults, large pool", last: "203.0.113.249", wantCap: 15, wantRsrv: 15},
		{name: "tiny pool has no reserve", last: "203.0.113.104", wantCap: 4, wantRsrv: 0},
		{name: "explicit", last: "203.0.113.119", offers: 7, reserve: 25, wantCap: 7, wantRsrv: 5},
		{name: "off", last: "203.0.113.119", offers: -1, reserve: -1, wantCap: int(^uint(0) >> 1), wantRsrv: 0},
		{name: "all reserved", last: "203.0.113.119", reserve: 100, wantCap: 4, wantRsrv: 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := guardScope()
			sc.Ranges = []Range{{ip("203.0.113.100"), ip(tt.last)}}
			sc.MaxOffersOutstanding, sc.ReserveForKnown = tt.offers, tt.reserve
			c, err := compile(sc)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			if d := diff([2]int{tt.wantCap, tt.wantRsrv}, [2]int{c.offerCap, c.reserve}); d != "" {
				t.Errorf("offer cap, reserve (-want +got):\n%s", d)
			}
		})
	}
}

func TestGuardLimitsInvalid(t *testing.T) {
	sc := guardScope()
	sc.ReserveForKnown = 101
	_, err := compile(sc)
	want := `invalid fallback scope on "eth1": reserve-for-known: 101% is more than 100%`
	if err == nil || err.Error() != want || !errors.Is(err, ErrInvalidScope) {
		t.Fatalf("compile: %v, want %s", err, want)
	}
}

// TestFloodHoldsAtMostCap sends 1,000 DISCOVERs with distinct chaddrs, one
// every 100 ms (100 s: three OfferHolds), and checks the offers held never
// exceed the cap, that the cap frees itself after OfferHold, and that the
// flood never takes the reserve.
func TestFloodHoldsAtMostCap(t *testing.T) {
	tests := []struct {
		name        string
		offers      int
		wantMaxHeld int
	}{
		{name: "default cap", wantMaxHeld: 4},
		{name: "cap 10", offers: 10, wantMaxHeld: 10},
		{name: "no cap: the reserve still holds", offers: -1, wantMaxHeld: 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := guardScope()
			sc.MaxOffersOutstanding = tt.offers
			e := newEnv(t, sc)
			maxHeld := 0
			outcomes := map[Outcome]int{}
			for i := range 1000 {
				_, o := e.offer(t, flooder(i))
				outcomes[o]++
				ps := e.s.PoolStats(e.clock.Now())
				maxHeld = max(maxHeld, ps.Offered)
				if ps.Bound != 0 {
					t.Fatalf("after DISCOVER %d: %d bound", i, ps.Bound)
				}
				e.clock.Advance(100 * time.Millisecond)
			}
			if maxHeld != tt.wantMaxHeld {
				t.Errorf("most offers held at once: %d, want %d (outcomes %v)", maxHeld, tt.wantMaxHeld, outcomes)
			}
			if outcomes[OutcomeOffer]+outcomes[OutcomeOffersCapped]+outcomes[OutcomeReservedForKnown] != 1000 {
				t.Errorf("unexpected outcomes: %v", outcomes)
			}
			e.clock.Advance(sc.OfferHold)
			if got := e.s.PoolStats(e.clock.Now()).Offered; got != 0 {
				t.Errorf("after OfferHold: %d offers held, want 0", got)
			}
			if a := e.dora(t, cl(1)); !sc.Ranges[0].Contains(a) {
				t.Errorf("new client after the flood got %v", a)
			}
		})
	}
}

// TestLegitimateClientsDuringFlood runs a flood at 10 DISCOVERs a second
// and, in the middle of it, the exchanges of legitimate clients.
func TestLegitimateClientsDuringFlood(t *testing.T) {
	ours := ip("203.0.113.1")
	e := newEnv(t, guardScope())
	known, fresh := cl(1), cl(2)
	old := e.dora(t, known)
	if _, o := e.handle(known.release(t, ours, old)); o != OutcomeReleased {
		t.Fatalf("RELEASE: %v", o)
	}
	flood := func(from, n int) {
		for i := from; i < from+n; i++ {
			e.offer(t, flooder(i))
			e.clock.Advance(100 * time.Millisecond)
		}
	}
	flood(0, 500)
	// The cap is reached: a new client is refused, a known one is not.
	if _, o := e.offer(t, fresh); o != OutcomeOffersCapped {
		t.Errorf("new client's DISCOVER during the flood: %v, want %v", o, OutcomeOffersCapped)
	}
	if got := e.dora(t, known); got != old {
		t.Errorf("known client during the flood got %v, want its old %v", got, old)
	}
	// The flood's offers expire; the new client's retransmission comes
	// first, and its DORA completes; the flood cannot take its address.
	e.clock.Advance(guardScope().OfferHold)
	a := e.dora(t, fresh)
	flood(500, 500)
	want := map[netip.Addr]string{old: known.mac.String(), a: fresh.mac.String()}
	if d := diff(want, e.bound()); d != "" {
		t.Errorf("bound after the flood (-want +got):\n%s", d)
	}
	if got := e.s.PoolStats(e.clock.Now()).Offered; got > 4 {
		t.Errorf("%d offers held, more than the cap", got)
	}
}

// TestKnownClientsSkipTheCap fills the cap with a flood, then runs a
// DISCOVER from clients in several states.
func TestKnownClientsSkipTheCap(t *testing.T) {
	ours := ip("203.0.113.1")
	tests := []struct {
		name  string
		setup func(t *testing.T, e *env, c client) netip.Addr // the address c should be offered
		c     client
		want  Outcome
	}{
		{name: "released lease", c: cl(1), want: OutcomeOffer, setup: func(t *testing.T, e *env, c client) netip.Addr {
			a := e.dora(t, c)
			e.handle(c.release(t, ours, a))
			return a
		}},
		{name: "bound lease", c: cl(1), want: OutcomeOffer, setup: func(t *testing.T, e *env, c client) netip.Addr {
			return e.dora(t, c)
		}},
		{name: "expired lease", c: cl(1), want: OutcomeOffer, setup: func(t *testing.T, e *env, c client) netip.Addr {
			a := e.dora(t, c)
			e.clock.Advance(time.Hour)
			return a
		}},
		{name: "lease restored from the store", c: cl(1), want: OutcomeOffer, setup: func(t *testing.T, e *env, c client) netip.Addr {
			a := e.dora(t, c)
			e.restart(t, guardScope())
			return a
		}},
		{name: "reservation", c: cl(0xa0), want: OutcomeOffer, setup: func(*testing.T, *env, client) netip.Addr {
			return ip("203.0.113.50")
		}},
		{name: "retransmitted DISCOVER renews its offer", c: cl(1), want: OutcomeOffer, setup: func(t *testing.T, e *env, c client) netip.Addr {
			a, _ := e.offer(t, c)
			return a
		}},
		{name: "expired offer only: a new client", c: cl(1), want: OutcomeOffersCapped, setup: func(t *testing.T, e *env, c client) netip.Addr {
			e.offer(t, c)
			e.clock.Advance(time.Minute)
			return netip.Addr{}
		}},
		{name: "never seen", c: cl(1), want: OutcomeOffersCapped, setup: func(*testing.T, *env, client) netip.Addr {
			return netip.Addr{}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, guardScope())
			want := tt.setup(t, e, tt.c)
			for i := range 10 {
				e.offer(t, flooder(i))
			}
			if got := e.s.PoolStats(e.clock.Now()).Offered; got < 4 {
				t.Fatalf("flood holds %d offers, want the cap reached", got)
			}
			got, o := e.offer(t, tt.c)
			if d := diff([]any{want, tt.want}, []any{got, o}); d != "" {
				t.Errorf("DISCOVER with the cap reached (-want +got):\n%s", d)
			}
		})
	}
}

// TestReserveOnlyForKnown takes the pool with full exchanges of new
// clients (no offer cap) and checks the last 2 addresses stay for known
// clients.
func TestReserveOnlyForKnown(t *testing.T) {
	ours := ip("203.0.113.1")
	sc := guardScope()
	sc.MaxOffersOutstanding = -1
	e := newEnv(t, sc)
	k1, k2 := cl(1), cl(2)
	a1, a2 := e.dora(t, k1), e.dora(t, k2)
	e.handle(k1.release(t, ours, a1))
	e.handle(k2.release(t, ours, a2))
	for i := range 18 {
		c := flooder(i)
		if got := e.dora(t, c); got == a1 || got == a2 {
			t.Fatalf("new client %d took %v, remembered for a known client", i, got)
		}
	}
	late := flooder(100)
	tests := []struct {
		name string
		run  func() Outcome
		want Outcome
	}{
		{name: "new client DISCOVER", want: OutcomeReservedForKnown, run: func() Outcome {
			_, o := e.offer(t, late)
			return o
		}},
		{name: "new client REQUEST without an offer", want: OutcomeNakReservedForKnown, run: func() Outcome {
			rep, o := e.handle(late.selecting(t, ours, a1))
			checkReplyMatches(t, rep, o)
			return o
		}},
		{name: "new client with option 50", want: OutcomeReservedForKnown, run: func() Outcome {
			_, o := e.offer(t, late, withReqIP(a2))
			return o
		}},
		{name: "known client DISCOVER", want: OutcomeOffer, run: func() Outcome {
			_, o := e.offer(t, k1)
			return o
		}},
		{name: "known client REQUEST", want: OutcomeAck, run: func() Outcome {
			_, o := e.handle(k1.selecting(t, ours, a1))
			return o
		}},
		{name: "second known client", want: OutcomeAck, run: func() Outcome {
			_, o := e.handle(k2.selecting(t, ours, a2))
			return o
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.run(); got != tt.want {
				t.Errorf("outcome %v, want %v", got, tt.want)
			}
		})
	}
	if got := len(e.bound()); got != 20 {
		t.Errorf("%d bound, want the whole pool of 20", got)
	}
}

func TestOutcomesIncludeGuards(t *testing.T) {
	var got []string
	for _, o := range Outcomes() {
		switch o {
		case OutcomeOffersCapped, OutcomeReservedForKnown, OutcomeNakReservedForKnown:
			got = append(got, o.String())
		}
	}
	want := []string{"offers_capped", "reserved_for_known", "nak_reserved_for_known"}
	if d := diff(want, got); d != "" {
		t.Errorf("guard outcomes (-want +got):\n%s", d)
	}
}

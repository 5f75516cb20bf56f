package fallback

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

// stormScope is testScope with a pool of 245 addresses (.10-.254): a
// base cap of 24 offers (10 %) and a reserve of 24 for known clients, so
// that 221 new clients fit.
func stormScope() Scope {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.10"), ip("203.0.113.254")}}
	sc.Exclusions = nil
	sc.Reservations = nil
	return sc
}

// stormer is the i-th client of a storm of real new clients.
func stormer(i int) client {
	return client{mac: net.HardwareAddr{0x02, 0xb5, 0, 0, byte(i >> 8), byte(i)}}
}

// stormWave is one kind of new clients arriving in a test.
type stormWave struct {
	n          int              // clients
	mac        func(int) client // the i-th client
	retransmit bool             // turned away, it DISCOVERs again 4 s later
	request    bool             // it REQUESTs what it is offered
}

// runRound sends the DISCOVER of every client in due (all arriving before
// any OFFER is out: the conflict probe holds the OFFERs of a burst), then
// the REQUESTs of those offered that request, and returns the clients
// turned away that will retransmit.
func runRound(t *testing.T, e *env, due []stormClient) []stormClient {
	t.Helper()
	type offered struct {
		c    stormClient
		addr netip.Addr
	}
	var got []offered
	var again []stormClient
	for _, c := range due {
		a, o := e.offer(t, c.c)
		switch o {
		case OutcomeOffer:
			got = append(got, offered{c, a})
		case OutcomeOffersCapped:
			if c.wave.retransmit {
				again = append(again, c)
			}
		default:
			t.Fatalf("DISCOVER of %v: %v", c.c.mac, o)
		}
	}
	for _, g := range got {
		if !g.c.wave.request {
			continue
		}
		if _, o := e.handle(g.c.c.selecting(t, ip("203.0.113.1"), g.addr)); o != OutcomeAck {
			t.Fatalf("REQUEST of %v for %v: %v", g.c.c.mac, g.addr, o)
		}
	}
	return again
}

// stormClient is one client of a wave.
type stormClient struct {
	c    client
	wave stormWave
}

// TestStormVersusFlood: new clients arrive all at once (a site powering up
// with its WAN down, or a starvation flood, or both); those turned away by
// the cap retransmit 4 s later if they are real. A storm of real clients
// as large as the pool allows new clients (all but the reserve for known
// ones) is bound by its first retransmission; a flood that
// never retransmits holds at most the base cap; one that retransmits but
// never REQUESTs spends the credit, and the ledger tells them apart.
func TestStormVersusFlood(t *testing.T) {
	storm := stormWave{n: 221, mac: stormer, retransmit: true, request: true}
	flood := stormWave{n: 1000, mac: flooder}
	replay := stormWave{n: 200, mac: flooder, retransmit: true}
	// With a flood holding its 24 offers, 197 real clients fit.
	smaller := stormWave{n: 197, mac: stormer, retransmit: true, request: true}
	tests := []struct {
		name  string
		waves []stormWave
		// wantBound: clients bound after the first retransmission;
		// wantMaxFlood: most offers the flood's MACs held at once.
		wantBound, wantMaxFlood int
		want                    NewClientStats // after two OfferHolds
	}{
		{name: "storm as large as the pool minus the reserve", waves: []stormWave{storm}, wantBound: 221,
			want: NewClientStats{Offered: 221, Earned: 173, Taken: 221, Capped: 197, Cap: 24, EarnedCap: 269, CapState: "open"}},
		{name: "flood that never retransmits", waves: []stormWave{flood}, wantMaxFlood: 24,
			want: NewClientStats{Offered: 24, Abandoned: 24, Capped: 976, Cap: 24, EarnedCap: 269, CapState: "open"}},
		{name: "storm during a flood", waves: []stormWave{flood, smaller}, wantBound: 197, wantMaxFlood: 24,
			want: NewClientStats{Offered: 221, Earned: 197, Taken: 197, Abandoned: 24, Capped: 1173, Cap: 24, EarnedCap: 269, CapState: "open"}},
		{name: "flood that retransmits, never REQUESTs", waves: []stormWave{replay}, wantMaxFlood: 200,
			want: NewClientStats{Offered: 200, Earned: 176, Abandoned: 200, Capped: 176, Cap: 24, EarnedCap: 93, CapState: "reduced"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, stormScope())
			var due []stormClient
			for _, w := range tt.waves {
				for i := range w.n {
					due = append(due, stormClient{w.mac(i), w})
				}
			}
			again := runRound(t, e, due)
			maxFlood := e.s.PoolStats(e.clock.Now()).Offered
			e.clock.Advance(4 * time.Second)
			runRound(t, e, again)
			ps := e.s.PoolStats(e.clock.Now())
			maxFlood = max(maxFlood, ps.Offered)
			if ps.Bound != tt.wantBound {
				t.Errorf("bound after the first retransmission: %d, want %d", ps.Bound, tt.wantBound)
			}
			if maxFlood != tt.wantMaxFlood {
				t.Errorf("most offers held untaken: %d, want %d", maxFlood, tt.wantMaxFlood)
			}
			e.clock.Advance(2 * stormScope().OfferHold)
			if d := diff(tt.want, e.s.NewClientStats(e.clock.Now())); d != "" {
				t.Errorf("new clients (-want +got):\n%s", d)
			}
		})
	}
}

// TestCreditSpentThenEarned: a flood that retransmits but never REQUESTs
// spends the credit in waves until only the base cap is left; real clients
// that take their offers earn it back, one offer each.
func TestCreditSpentThenEarned(t *testing.T) {
	sc := stormScope()
	e := newEnv(t, sc)
	replay := stormWave{retransmit: true}
	next := 0
	wave := func(n int) int { // returns the offers the retransmissions got
		var due []stormClient
		for range n {
			due = append(due, stormClient{flooder(next), replay})
			next++
		}
		again := runRound(t, e, due)
		e.clock.Advance(4 * time.Second)
		before := e.s.NewClientStats(e.clock.Now()).Earned
		runRound(t, e, again)
		got := int(e.s.NewClientStats(e.clock.Now()).Earned - before)
		e.clock.Advance(sc.OfferHold)
		return got
	}
	var earned []int
	for range 3 {
		earned = append(earned, wave(200))
	}
	if d := diff([]int{176, 69, 0}, earned); d != "" {
		t.Errorf("earned offers per wave (-want +got):\n%s", d)
	}
	st := e.s.NewClientStats(e.clock.Now())
	if st.CapState != "base" || st.EarnedCap != st.Cap {
		t.Errorf("after the waves: cap state %q, earned cap %d, want base and %d", st.CapState, st.EarnedCap, st.Cap)
	}
	for i := range 10 {
		e.dora(t, stormer(i))
	}
	if st := e.s.NewClientStats(e.clock.Now()); st.EarnedCap != st.Cap+10 || st.CapState != "reduced" {
		t.Errorf("after 10 offers taken: earned cap %d (%s), want %d (reduced)", st.EarnedCap, st.CapState, st.Cap+10)
	}
}

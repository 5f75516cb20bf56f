package fallback

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestTurnedAwayCameBack(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		at   time.Duration
		key  clientKey
		want bool
	}{
		{0, "a", false},                      // first time: remembered
		{500 * time.Millisecond, "a", false}, // the same burst
		{4 * time.Second, "a", true},         // a retransmission: came back, forgotten
		{5 * time.Second, "a", false},        // remembered anew
		{5 * time.Second, "b", false},
		{3 * time.Minute, "b", false}, // too late: remembered anew
		{3*time.Minute + 8*time.Second, "b", true},
	}
	ta := newTurnedAway()
	for i, st := range steps {
		if got := ta.cameBack(st.key, t0.Add(st.at)); got != st.want {
			t.Errorf("step %d (%s at %v): cameBack = %v, want %v", i, st.key, st.at, got, st.want)
		}
	}
}

func TestTurnedAwayIsBounded(t *testing.T) {
	ta := newTurnedAway()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 * turnedAwayMax {
		ta.cameBack(clientKey(fmt.Sprint(i)), now)
		if i%7 == 0 { // some come back, leaving stale keys in the FIFO
			ta.cameBack(clientKey(fmt.Sprint(i)), now.Add(4*time.Second))
		}
	}
	if len(ta.at) > turnedAwayMax || len(ta.order) > 2*turnedAwayMax {
		t.Errorf("holds %d clients in a FIFO of %d, want at most %d and %d", len(ta.at), len(ta.order), turnedAwayMax, 2*turnedAwayMax)
	}
}

// TestCappedClientComesBack: with the offer cap reached by clients that
// never REQUEST and the credit spent (see newClients), a new client that
// retransmits its DISCOVER gets the place of the oldest such offer; one that does not retransmit stays capped; the
// client whose offer was withdrawn still gets its address if it REQUESTs.
func TestCappedClientComesBack(t *testing.T) {
	sc := testScope()
	sc.MaxOffersOutstanding = 2
	e := newEnv(t, sc)
	e.s.tab.nc.debt = e.s.scope.dynSize
	ctx := context.Background()
	offered := map[byte]string{}
	for _, c := range []byte{1, 2} {
		rep, o := e.s.Handle(ctx, cl(c).discover(t), false)
		if o != OutcomeOffer {
			t.Fatalf("client %d: %v, want offer", c, o)
		}
		offered[c] = yiaddr(rep).String()
	}
	for _, c := range []byte{3, 4} {
		if _, o := e.s.Handle(ctx, cl(c).discover(t), false); o != OutcomeOffersCapped {
			t.Fatalf("client %d: %v, want offers_capped", c, o)
		}
	}
	e.clock.Advance(4 * time.Second)
	rep, o := e.s.Handle(ctx, cl(3).discover(t), false)
	if o != OutcomeOffer {
		t.Fatalf("client 3 retransmits: %v, want offer", o)
	}
	if got := yiaddr(rep).String(); got == offered[2] {
		t.Errorf("client 3 offered %s, client 2's live offer", got)
	}
	if _, o := e.s.Handle(ctx, cl(5).discover(t), false); o != OutcomeOffersCapped {
		t.Errorf("a new client while the cap is reached: %v, want offers_capped", o)
	}
	if st := e.s.PoolStats(e.clock.Now()); st.Offered > sc.MaxOffersOutstanding {
		t.Errorf("%d offers outstanding, cap %d", st.Offered, sc.MaxOffersOutstanding)
	}
	// Client 1's offer was the one withdrawn; its REQUEST still gets the
	// address, which nobody took meanwhile.
	if rep, o := e.s.Handle(ctx, cl(1).selecting(t, ip("203.0.113.1"), ip(offered[1])), false); o != OutcomeAck || yiaddr(rep).String() != offered[1] {
		t.Errorf("client 1 REQUESTs its withdrawn offer: %v %v, want ack of %s", o, rep, offered[1])
	}
}

package fallback

import (
	"math"
	"time"
)

// earnedHold bounds how long an offer beyond the base cap holds its
// address: a real client REQUESTs its offer within milliseconds of it, so
// an earned offer that is not taken within two of a client's first
// back-offs was abandoned, and the address goes back to the pool soon.
const earnedHold = 10 * time.Second

// offerClass says under which limit an OFFER to a client the scope does
// not know was made, so that its end (taken or abandoned) is counted once.
type offerClass uint8

const (
	// offerSettled: an offer to a known client, or one already counted as
	// taken or abandoned.
	offerSettled offerClass = iota
	// offerFresh: a new client's offer within the base cap
	// (MaxOffersOutstanding), or in the place of a withdrawn one.
	offerFresh
	// offerEarned: beyond the base cap, to a new client that came back
	// after the cap turned it away, on the credit (see newClients).
	offerEarned
)

// newClients is the ledger of the offers to new clients and the credit
// that lets their retransmissions past the base cap. A storm of real
// clients (a site powering up) and a starvation flood look alike at their
// first DISCOVER; they differ in what they do next: a real client that was
// turned away retransmits with the same chaddr, and REQUESTs the offer it
// gets; a flood's random MACs do neither. So a client that comes back is
// offered beyond the base cap while the offers out to new clients are
// fewer than the base cap plus the credit. The credit is the dynamic pool
// minus the debt: every earned offer that ends untaken adds one to the
// debt, every new client's offer that is taken pays one back. A flood that
// never retransmits never reaches the credit; one that retransmits but
// never REQUESTs spends it and is back at the base cap. It is not safe for
// concurrent use (Server.mu guards it, through the table).
type newClients struct {
	debt int
	// The counters of NewClientStats.
	offered, earned, taken, abandoned, capped uint64
}

// settle counts the end of b's offer to a new client, taken or not, once.
func (n *newClients) settle(b *binding, taken bool) {
	switch {
	case b.class == offerSettled:
		return
	case taken:
		n.taken++
		n.debt = max(0, n.debt-1)
	default:
		n.abandoned++
		if b.class == offerEarned {
			n.debt++
		}
	}
	b.class = offerSettled
}

// credit is how many offers beyond the base cap new clients that came back
// may hold, in a pool of dynSize addresses.
func (n *newClients) credit(dynSize int) int {
	return max(0, dynSize-n.debt)
}

// earnedCap is the base cap plus the credit, saturated (no cap stays no cap).
func earnedCap(base, credit int) int {
	if base > math.MaxInt-credit {
		return math.MaxInt
	}
	return base + credit
}

// NewClientStats tells a storm of real new clients from a starvation
// flood (`show statistics`, metrics): a storm takes the offers it gets, a
// flood abandons them.
type NewClientStats struct {
	// Offered counts OFFERs to clients the scope did not know, Earned those
	// of them beyond the base cap (to clients that came back); Taken those
	// REQUESTed and ACKed, Abandoned those that expired or were withdrawn
	// untaken; Capped the DISCOVERs of new clients turned away.
	Offered, Earned, Taken, Abandoned, Capped uint64
	// Outstanding is the offers to new clients held now.
	Outstanding int
	// Cap is the base cap (MaxOffersOutstanding resolved; -1: none), and
	// EarnedCap the limit for new clients that came back: Cap plus the
	// credit (-1: none).
	Cap, EarnedCap int
	// CapState is "open" while the credit is whole, "reduced" once earned
	// offers were abandoned, "base" when the credit is spent: only the base
	// cap is left.
	CapState string
}

// newClientStats reports the ledger at now; mu is held.
func (s *Server) newClientStats(now time.Time) NewClientStats {
	c := s.scope
	n := &s.tab.nc
	s.tab.pruneOffers(now)
	st := NewClientStats{Offered: n.offered, Earned: n.earned, Taken: n.taken, Abandoned: n.abandoned, Capped: n.capped,
		Cap: c.offerCap, EarnedCap: earnedCap(c.offerCap, n.credit(c.dynSize)), CapState: "open"}
	for _, b := range s.tab.offers {
		if b.class != offerSettled {
			st.Outstanding++
		}
	}
	switch credit := n.credit(c.dynSize); {
	case credit == 0:
		st.CapState = "base"
	case credit < c.dynSize:
		st.CapState = "reduced"
	}
	if st.Cap == math.MaxInt {
		st.Cap = -1
	}
	if st.EarnedCap == math.MaxInt {
		st.EarnedCap = -1
	}
	return st
}

// NewClientStats reports the offers to new clients and the state of the
// cap at now. It never waits for a probe or a store write.
func (s *Server) NewClientStats(now time.Time) NewClientStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newClientStats(now)
}

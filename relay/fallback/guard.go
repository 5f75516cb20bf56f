package fallback

import (
	"math"
	"time"
)

// resolveGuards fills offerCap and reserve from the Scope's
// MaxOffersOutstanding and ReserveForKnown, now that dynSize is known.
func (c *compiled) resolveGuards() {
	switch {
	case c.MaxOffersOutstanding < 0:
		c.offerCap = math.MaxInt
	case c.MaxOffersOutstanding == 0:
		c.offerCap = max(MinOffersOutstanding, c.dynSize*DefaultOffersPercent/100)
	default:
		c.offerCap = c.MaxOffersOutstanding
	}
	pct := c.ReserveForKnown
	if pct == 0 {
		pct = DefaultReserveForKnown
	}
	c.reserve = max(0, c.dynSize*pct/100)
}

// exempt reports whether r is spared the offer cap and the reserve: the
// client has a reservation, is known (it held a lease that the table still
// remembers), or holds an address now (a retransmitted DISCOVER renews its
// offer and takes nothing new). A client whose only record is an expired
// offer is not known: a flood that repeats its MACs after OfferHold must
// not walk past the cap. mu is held.
func (s *Server) exempt(c *compiled, r request, now time.Time) bool {
	if _, ok := c.reservation(r.clientID, r.mac); ok {
		return true
	}
	b := s.tab.client(r.key)
	return b != nil && (b.leased || b.active(now))
}

// reserveReached reports whether no more than the reserve of the dynamic
// pool is free at now, so that a new client may not take an address. It
// costs a pass over the table; mu is held.
func (s *Server) reserveReached(c *compiled, now time.Time) bool {
	if c.reserve == 0 {
		return false
	}
	held := 0
	for a, b := range s.tab.byAddr {
		if b.active(now) && c.dynamic(a) {
			held++
		}
	}
	return c.dynSize-held <= c.reserve
}

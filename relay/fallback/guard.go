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
	c.reservePct = pct
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
	if s.fo != nil {
		return s.pairReserveReached(c, now)
	}
	held := 0
	for a, b := range s.tab.byAddr {
		if b.active(now) && c.dynamic(a) {
			held++
		}
	}
	return c.dynSize-held <= c.reserve
}

// pairReserveReached is reserveReached for a server in a failover pair:
// the reserve is a share of the addresses this node may allocate now, and
// only those count as free, so that a node with a small share (a hot
// standby's) keeps serving new clients until its own share runs low. It
// costs a pass over the pool; mu is held.
func (s *Server) pairReserveReached(c *compiled, now time.Time) bool {
	mine, free, i := 0, 0, 0
	for _, sp := range c.pool.spans {
		for v := uint64(sp.lo); v <= uint64(sp.hi); v++ {
			a := addrOf(uint32(v))
			if c.dynamic(a) && s.fo.MayAllocate(i, c.pool.size, now) {
				mine++
				if b := s.tab.at(a); b == nil || !b.active(now) {
					free++
				}
			}
			i++
		}
	}
	return free <= mine*c.reservePct/100
}

package fallback

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// maxProbeAttempts bounds the addresses one DISCOVER may probe: each
// conflict quarantines an address and costs a probe timeout.
const maxProbeAttempts = 8

// discover answers a DISCOVER with an OFFER (RFC 2131 §4.3.1). The address
// is, in order: the client's reservation; the address it holds or last held;
// the one it asks for (option 50) when free; the next free one. An address
// the client does not hold already is probed first; one that answers is
// quarantined and the next is tried.
func (s *Server) discover(ctx context.Context, r request) (*dhcpv4.DHCPv4, Outcome) {
	for range maxProbeAttempts {
		addr, probe, o := s.pickOffer(r)
		if o != OutcomeOffer {
			return nil, o
		}
		if !probe || s.prober == nil {
			return offerReply(r, s.scope, addr), OutcomeOffer
		}
		inUse, err := s.prober.InUse(ctx, addr)
		if ctx.Err() != nil {
			return nil, OutcomeCanceled
		}
		if err != nil {
			// Fail open: conflict detection is a safety net, and a broken
			// prober must not turn the fallback off.
			s.log.Warn("conflict probe failed; offering without it", "addr", addr, "err", err)
			return offerReply(r, s.scope, addr), OutcomeOffer
		}
		if !inUse {
			return offerReply(r, s.scope, addr), OutcomeOffer
		}
		s.log.Warn("address answered the conflict probe; quarantined", "addr", addr, "for", s.scope.DeclineQuarantine)
		s.quarantine(addr, nil)
	}
	return nil, OutcomeProbeConflicts
}

// pickOffer chooses the address to offer r and holds it for r: it returns
// the address, whether it must be probed first, and OutcomeOffer, or the
// outcome that says why there is nothing to offer.
func (s *Server) pickOffer(r request) (netip.Addr, bool, Outcome) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.scope
	if !c.Enabled {
		return netip.Addr{}, false, OutcomeSilentDisabled
	}
	known := s.exempt(c, r, now)
	if !known && !s.tab.offersBelow(c.offerCap, now) {
		return netip.Addr{}, false, OutcomeOffersCapped
	}
	addr, o := s.candidate(c, r, now, known)
	if o != OutcomeOffer {
		return netip.Addr{}, false, o
	}
	b := s.tab.at(addr)
	held := b != nil && b.heldBy(r.key, now)
	if !held || b.state == leasestore.StateOffered {
		// A new hold, or a renewed one; a bound lease stays bound.
		leased := b != nil && b.client == r.key && b.leased
		s.tab.set(&binding{addr: addr, state: leasestore.StateOffered, expiry: now.Add(c.OfferHold),
			client: r.key, clientID: slices.Clone(r.clientID), mac: slices.Clone(r.mac), hostname: r.hostname, leased: leased})
	}
	return addr, !held, OutcomeOffer
}

// candidate returns the address to offer r (see discover); known says r is
// spared the reserve (see exempt). mu is held.
func (s *Server) candidate(c *compiled, r request, now time.Time, known bool) (netip.Addr, Outcome) {
	if own, ok := c.reservation(r.clientID, r.mac); ok {
		if b := s.tab.at(own); b != nil && b.active(now) && b.client != r.key {
			return netip.Addr{}, OutcomeReservationBusy
		}
		return own, OutcomeOffer
	}
	if !known && s.reserveReached(c, now) {
		return netip.Addr{}, OutcomeReservedForKnown
	}
	if b := s.tab.client(r.key); b != nil && c.dynamic(b.addr) {
		return b.addr, OutcomeOffer
	}
	if a := r.reqIP; a.IsValid() && c.dynamic(a) && s.free(a, now) {
		return a, OutcomeOffer
	}
	if a, ok := s.nextFree(c, now); ok {
		return a, OutcomeOffer
	}
	return netip.Addr{}, OutcomePoolExhausted
}

// free reports whether nobody holds a at now. mu is held.
func (s *Server) free(a netip.Addr, now time.Time) bool {
	b := s.tab.at(a)
	return b == nil || !b.active(now)
}

// nextFree returns a free dynamic address: one never used since the start,
// searched from a rotating cursor, else a free one whose record ended
// longest ago, those of clients that never held a lease (expired offers,
// ended quarantines) first, so that remembered leases are reused last.
// mu is held. The cost is bounded by the pool size.
func (s *Server) nextFree(c *compiled, now time.Time) (netip.Addr, bool) {
	used := 0
	var oldest *binding
	for a, b := range s.tab.byAddr {
		if !c.dynamic(a) {
			continue
		}
		used++
		if b.active(now) {
			continue
		}
		if oldest == nil || reuseBefore(b, oldest) {
			oldest = b
		}
	}
	if used < c.dynSize {
		n := c.pool.size
		for i := range n {
			j := (s.cursor + i) % n
			if a := c.pool.at(j); s.tab.at(a) == nil && c.dynamic(a) {
				s.cursor = j + 1
				return a, true
			}
		}
	}
	if oldest == nil {
		return netip.Addr{}, false
	}
	return oldest.addr, true
}

// reuseBefore reports whether the free record a is reused before b: a
// record of a client that never held a lease before one that did, then the
// one that ended first, then the lower address.
func reuseBefore(a, b *binding) bool {
	if a.leased != b.leased {
		return !a.leased
	}
	if c := a.expiry.Compare(b.expiry); c != 0 {
		return c < 0
	}
	return a.addr.Less(b.addr)
}

// quarantine takes addr out of the pool for DeclineQuarantine. from, when
// not nil, is the binding of the client that declined it, kept for `show
// leases`. It returns the quarantine record.
func (s *Server) quarantine(addr netip.Addr, from *binding) *binding {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := &binding{addr: addr, state: leasestore.StateDeclined, expiry: now.Add(s.scope.DeclineQuarantine)}
	if from != nil {
		q.clientID, q.mac, q.hostname = from.clientID, from.mac, from.hostname
	}
	s.tab.set(q)
	return q
}

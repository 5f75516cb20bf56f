package fallback

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// maxProbeAttempts bounds the addresses one DISCOVER may probe: each
// conflict quarantines an address and costs a probe timeout.
const maxProbeAttempts = 8

// maxProbing bounds the DISCOVERs waiting for a Probe: more than that from
// new clients in one burst are answered by their retransmissions.
const maxProbing = 256

// pendingProbe is a DISCOVER waiting for the conflict probe of addr, the
// address held for it.
type pendingProbe struct {
	r    request
	addr netip.Addr
}

// discover answers a DISCOVER with an OFFER (RFC 2131 §4.3.1). The address
// is, in order: the client's reservation; the address it holds or last held;
// the one it asks for (option 50) when free; the next free one. An address
// the client does not hold already is probed first: the DISCOVER waits for
// the next Probe, with every other one of the burst (OutcomeProbing).
// handleMu is held.
func (s *Server) discover(r request) (*dhcpv4.DHCPv4, Outcome) {
	for i := range s.probing {
		if s.probing[i].r.key == r.key {
			s.probing[i].r = r // a retransmission: the probe answers this one
			return nil, OutcomeProbing
		}
	}
	if len(s.probing) >= maxProbing {
		return nil, OutcomeOffersCapped
	}
	addr, probe, o := s.pickOffer(r)
	if o != OutcomeOffer {
		return nil, o
	}
	if !probe || s.prober == nil {
		return offerReply(r, s.scope, addr), OutcomeOffer
	}
	s.probing = append(s.probing, pendingProbe{r: r, addr: addr})
	return nil, OutcomeProbing
}

// An Answer is the fallback server's reply to one request, nil for
// silence, and its outcome.
type Answer struct {
	Request *dhcpv4.DHCPv4 // the DISCOVER answered
	Reply   *dhcpv4.DHCPv4 // nil when the outcome sends nothing
	Outcome Outcome
}

// Probe runs the conflict probes of every DISCOVER Stage deferred
// (OutcomeProbing), all addresses in one round, and returns their answers.
// An address that answers is quarantined and the client's next one goes
// into the following round, up to maxProbeAttempts rounds. A prober error
// fails open: conflict detection is a safety net, and a broken prober must
// not turn the fallback off. It returns nothing when nothing waits.
func (s *Server) Probe(ctx context.Context) []Answer {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	return s.probeLocked(ctx)
}

// probeLocked is Probe with handleMu held.
func (s *Server) probeLocked(ctx context.Context) []Answer {
	pend := s.probing
	s.probing = nil
	var out []Answer
	offer := func(p pendingProbe) {
		out = append(out, Answer{p.r.msg, offerReply(p.r, s.scope, p.addr), OutcomeOffer})
	}
	for round := 0; len(pend) > 0; round++ {
		if round == maxProbeAttempts {
			for _, p := range pend {
				out = append(out, Answer{p.r.msg, nil, OutcomeProbeConflicts})
			}
			break
		}
		addrs := make([]netip.Addr, len(pend))
		for i, p := range pend {
			addrs[i] = p.addr
		}
		inUse, err := s.prober.InUse(ctx, addrs)
		if ctx.Err() != nil {
			for _, p := range pend {
				out = append(out, Answer{p.r.msg, nil, OutcomeCanceled})
			}
			break
		}
		if err == nil && len(inUse) != len(pend) {
			err = fmt.Errorf("prober answered for %d of %d addresses", len(inUse), len(pend))
		}
		if err != nil {
			s.log.Warn("conflict probe failed; offering without it", "addrs", len(addrs), "err", err)
			for _, p := range pend {
				offer(p)
			}
			break
		}
		next := pend[:0]
		for i, p := range pend {
			if !inUse[i] {
				offer(p)
				continue
			}
			s.log.Warn("address answered the conflict probe; quarantined", "addr", p.addr, "for", s.scope.DeclineQuarantine)
			s.quarantine(p.addr, nil)
			addr, probe, o := s.pickOffer(p.r)
			switch {
			case o != OutcomeOffer:
				out = append(out, Answer{p.r.msg, nil, o})
			case !probe:
				offer(pendingProbe{r: p.r, addr: addr})
			default:
				next = append(next, pendingProbe{r: p.r, addr: addr})
			}
		}
		pend = next
	}
	return out
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
	class := offerSettled
	if !known {
		var o Outcome
		if class, o = s.admitNew(c, r, now); o != OutcomeOffer {
			s.tab.nc.capped++
			return netip.Addr{}, false, o
		}
	}
	addr, o := s.candidate(c, r, now, known)
	if o != OutcomeOffer {
		return netip.Addr{}, false, o
	}
	b := s.tab.at(addr)
	held := b != nil && b.heldBy(r.key, now)
	if !held || b.state == leasestore.StateOffered {
		// A new hold, or a renewed one; a bound lease stays bound.
		hold := c.OfferHold
		if class == offerEarned {
			hold = min(hold, earnedHold)
		}
		nb := &binding{addr: addr, state: leasestore.StateOffered, expiry: now.Add(hold), class: class,
			client: r.key, clientID: slices.Clone(r.clientID), mac: slices.Clone(r.mac), hostname: r.hostname}
		if b != nil && b.client == r.key {
			nb.leased, nb.partnerExpiry = b.leased, b.partnerExpiry
		}
		s.tab.set(nb)
	}
	if class != offerSettled {
		s.tab.nc.offered++
		if class == offerEarned {
			s.tab.nc.earned++
		}
	}
	return addr, !held, OutcomeOffer
}

// admitNew decides whether r, a client the scope does not know, may be
// offered an address at now, and under which limit (see newClients):
// within the base cap anyone; beyond it, a client that came back after the
// cap turned it away, on the credit; when the credit is spent, such a
// client takes the place of the oldest offer to a new client nobody came
// back for. A flood's random MACs never come back, so they only ever
// compete among themselves for the base cap. mu is held.
func (s *Server) admitNew(c *compiled, r request, now time.Time) (offerClass, Outcome) {
	switch {
	case s.tab.offersBelow(c.offerCap, now):
		return offerFresh, OutcomeOffer
	case !s.away.cameBack(r.key, now):
		return offerSettled, OutcomeOffersCapped
	case s.tab.offersBelow(earnedCap(c.offerCap, s.tab.nc.credit(c.dynSize)), now):
		return offerEarned, OutcomeOffer
	case s.tab.withdrawOldestNew(now):
		return offerFresh, OutcomeOffer
	}
	return offerSettled, OutcomeOffersCapped
}

// candidate returns the address to offer r (see discover); known says r is
// spared the reserve (see exempt). mu is held.
func (s *Server) candidate(c *compiled, r request, now time.Time, known bool) (netip.Addr, Outcome) {
	if own, ok := c.reservation(r.clientID, r.mac); ok {
		if b := s.tab.at(own); c.local[own] || b != nil && b.active(now) && b.client != r.key {
			return netip.Addr{}, OutcomeReservationBusy
		}
		return own, OutcomeOffer
	}
	if !known && s.reserveReached(c, now) {
		return netip.Addr{}, OutcomeReservedForKnown
	}
	if b := s.tab.client(r.key); b != nil && c.dynamic(b.addr) && (b.active(now) || s.mayAllocate(c, b.addr, now)) {
		return b.addr, OutcomeOffer
	}
	if a := r.reqIP; a.IsValid() && c.dynamic(a) && s.freeFor(a, r.key, now) && s.mayAllocate(c, a, now) {
		return a, OutcomeOffer
	}
	if a, ok := s.nextFree(c, now); ok {
		return a, OutcomeOffer
	}
	return netip.Addr{}, OutcomePoolExhausted
}

// freeFor reports whether nobody holds a at now and, in a failover pair,
// whether its record may go to client k (reusable). mu is held.
func (s *Server) freeFor(a netip.Addr, k clientKey, now time.Time) bool {
	b := s.tab.at(a)
	return b == nil || !b.active(now) && s.reusable(b, k, now)
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
		if b.active(now) || !s.reusable(b, "", now) || !s.mayAllocate(c, a, now) {
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
			if a := c.pool.at(j); s.tab.at(a) == nil && c.dynamic(a) && s.mayAllocate(c, a, now) {
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

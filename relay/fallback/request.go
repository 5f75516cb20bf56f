package fallback

import (
	"time"

	"net/netip"
	"slices"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// reqState is the client state a REQUEST was sent in (RFC 2131 §4.3.2).
type reqState uint8

const (
	stateSelecting  reqState = iota // server-id present: answering an OFFER
	stateInitReboot                 // no server-id, ciaddr 0, requested-ip: verifying a lease
	stateRenewing                   // no server-id, ciaddr set: RENEWING (unicast) or REBINDING (broadcast)
)

// classify returns r's state and the address it is about, or false for a
// REQUEST that has none of the shapes of §4.3.2.
func classify(r request) (reqState, netip.Addr, bool) {
	switch {
	case r.hasSID && r.reqIP.IsValid():
		return stateSelecting, r.reqIP, true
	case r.hasSID && r.ciaddr.IsValid():
		return stateSelecting, r.ciaddr, true // not per §4.3.2, but unambiguous
	case r.hasSID:
		return stateSelecting, netip.Addr{}, false
	case r.ciaddr.IsValid():
		return stateRenewing, r.ciaddr, true
	case r.reqIP.IsValid():
		return stateInitReboot, r.reqIP, true
	}
	return 0, netip.Addr{}, false
}

// request answers a REQUEST: ACK (the lease written first), NAK where the
// server is sure, silence otherwise (see judge).
func (s *Server) request(r request, upstreamUp bool) (*dhcpv4.DHCPv4, Outcome) {
	st, addr, ok := classify(r)
	if !ok {
		return nil, OutcomeMalformed
	}
	if st == stateSelecting && !s.selectsUs(r, addr) {
		s.withdraw(r)
		return nil, OutcomeOtherServer
	}
	o := s.judge(r, st, addr, upstreamUp)
	switch o {
	case OutcomeAck:
		return s.commit(r, addr)
	case OutcomeNakFailback:
		s.failback(r, addr)
		return nakReply(r, s.scope, o), o
	case OutcomeNakWrongSubnet, OutcomeNakNotOurs, OutcomeNakTaken, OutcomeNakDisabled, OutcomeNakReservedForKnown, OutcomeNakLocalAddress:
		return nakReply(r, s.scope, o), o
	}
	return nil, o
}

// selectsUs reports whether a SELECTING REQUEST for addr answers an OFFER
// of ours: it names our server identifier and, when the upstream's replies
// carry that identifier too (SharedServerID), addr is one we offered or
// leased to this client, or one of our own addresses in our ranges (which
// the upstream does not give: it is NAKed).
func (s *Server) selectsUs(r request, addr netip.Addr) bool {
	c := s.scope
	if r.serverID != c.ServerID {
		return false
	}
	if !c.SharedServerID || c.localClaimed(addr) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.tab.at(addr)
	return b != nil && b.client == r.key
}

// judge decides a REQUEST for addr in state st (docs/fallback.md, "What
// it answers"): NAK only where the server is sure — the address is not on the
// subnet (SELECTING, INIT-REBOOT), it is in our pool but held by or
// reserved for another client, the client must use its reservation, the
// scope is disabled, or failback says so — and silence for an address on
// the subnet that is not in our pool: that is the upstream's lease, and a
// NAK would cut a healthy client off.
func (s *Server) judge(r request, st reqState, addr netip.Addr, upstreamUp bool) Outcome {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.scope
	if !c.Subnet.Contains(addr) {
		if st == stateRenewing {
			return OutcomeSilentNotOurs // §4.3.2 NAKs a wrong network only in INIT-REBOOT
		}
		return OutcomeNakWrongSubnet
	}
	if c.localClaimed(addr) {
		return OutcomeNakLocalAddress // whoever leased it: the appliance uses it now
	}
	if !c.inPool(addr) && st != stateSelecting {
		return OutcomeSilentNotOurs
	}
	switch {
	case !c.Enabled:
		return OutcomeNakDisabled
	case c.reservedForOther(addr, r.clientID, r.mac):
		return OutcomeNakTaken
	case !c.mayHold(addr, r.clientID, r.mac):
		return OutcomeNakNotOurs
	}
	b := s.tab.at(addr)
	if b != nil && b.active(now) && b.client != r.key {
		return OutcomeNakTaken
	}
	if o, ok := s.judgeFailover(c, r, st, addr, b, now); !ok {
		return o
	}
	switch {
	case st == stateSelecting && !s.exempt(c, r, now) && s.reserveReached(c, now):
		return OutcomeNakReservedForKnown // a new client that skipped the DISCOVER
	case st == stateSelecting:
		return OutcomeAck // our offer, or a free address of ours it may have
	case b == nil || b.client != r.key:
		return OutcomeSilentNoLease
	case upstreamUp && c.Failback == FailbackNAK:
		return OutcomeNakFailback
	}
	return OutcomeAck
}

// judgeFailover applies the failover pair's lease rules to a REQUEST for
// addr, whose record is b (nil: none) and is not held by another client:
// binding the address anew, unless the client holds it bound now, is an
// allocation (docs/failover.md, rule 1). It returns false with the outcome
// when the rules forbid it. mu is held.
func (s *Server) judgeFailover(c *compiled, r request, st reqState, addr netip.Addr, b *binding, now time.Time) (Outcome, bool) {
	if s.fo == nil || b != nil && b.client == r.key && b.state == leasestore.StateBound && b.active(now) {
		return 0, true
	}
	if b != nil && !s.reusable(b, r.key, now) {
		return OutcomeNakTaken, false
	}
	if s.mayAllocate(c, addr, now) {
		return 0, true
	}
	if st == stateSelecting {
		return OutcomeNakNotOurs, false
	}
	return OutcomeSilentCannotGrant, false
}

// commit records r's lease on addr, stages its write and returns the ACK.
// The ACK may be sent only once the staged write is durable (Commit); if
// the write fails, Commit puts the table back as it was, and the client's
// retransmission is answered as if this REQUEST had never come.
func (s *Server) commit(r request, addr netip.Addr) (*dhcpv4.DHCPv4, Outcome) {
	now := s.clock.Now()
	c := s.scope
	b := &binding{addr: addr, state: leasestore.StateBound,
		client: r.key, clientID: slices.Clone(r.clientID), mac: slices.Clone(r.mac), hostname: r.hostname, leased: true}
	s.mu.Lock()
	prevAt, prevOf := s.tab.at(addr), s.tab.client(r.key)
	expiry, needAck := s.grant(c, r, addr, prevAt, now.Add(c.LeaseTime), now)
	lease := expiry.Sub(now).Truncate(time.Second)
	if lease < time.Second {
		s.mu.Unlock()
		return nil, OutcomeSilentCannotGrant
	}
	b.expiry = now.Add(lease)
	if prevAt != nil && prevAt.client == r.key {
		if b.hostname == "" {
			b.hostname = prevAt.hostname
		}
		b.partnerExpiry = prevAt.partnerExpiry
	}
	s.tab.set(b)
	w := s.putWrite(b)
	s.mu.Unlock()
	s.staged = append(s.staged, stagedWrite{w: w, b: b, needAck: needAck, undo: func() { s.tab.restore(b, prevAt, prevOf) }})
	return ackReply(r, c, addr, lease), OutcomeAck
}

// withdraw ends the offer hold of a client that chose another server.
func (s *Server) withdraw(r request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.tab.client(r.key); b != nil && b.state == leasestore.StateOffered {
		b.state = leasestore.StateReleased // free, still remembered
	}
}

// failback deletes the lease of a client that is NAKed back to upstream.
// Its address stays remembered, in memory only.
func (s *Server) failback(r request, addr netip.Addr) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := leasestore.DeleteWrite(s.scope.Interface, addr)
	if b := s.tab.at(addr); b != nil {
		w.Expect = b.rev
	}
	s.stage(w, nil)
	if b := s.tab.at(addr); b != nil && b.client == r.key {
		b.state, b.expiry = leasestore.StateReleased, now
	}
	s.log.Info("fallback lease NAKed back to upstream", "addr", addr)
}

package fallback

import (
	"context"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Handle answers one request from a directly attached client (giaddr 0)
// that arrived on the scope's interface, and says what it did. A nil reply
// means stay silent. The reply is addressed per RFC 2131 §4.1 by the
// caller: a NAK by broadcast, an INFORM's ACK to ciaddr.
//
// upstreamUp tells whether the interface's upstream servers are answering;
// it matters only for the failback policy of a client's renewal.
//
// Handle may block on the conflict probe of a DISCOVER (bounded by ctx and
// the Prober's own timeout) and on the store write of an ACK, so the caller
// runs it on a worker, not on a read loop. Concurrent calls are serialized.
// Handle is Stage, Probe and Commit in one: a caller that stages requests
// itself does not mix in Handle on the same Server. It never panics on any message, and ACKs or OFFERs only addresses of the
// scope's ranges (minus exclusions) and reservations.
func (s *Server) Handle(ctx context.Context, req *dhcpv4.DHCPv4, upstreamUp bool) (*dhcpv4.DHCPv4, Outcome) {
	r, o, ok := admit(req)
	if !ok {
		return nil, o
	}
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	rep, o := s.dispatchLogged(r, upstreamUp)
	if o == OutcomeProbing {
		if as := s.probeLocked(ctx); len(as) > 0 {
			rep, o = as[len(as)-1].Reply, as[len(as)-1].Outcome
		}
	}
	if err := s.commitStaged(); err != nil && o == OutcomeAck {
		return nil, OutcomeStoreFailed
	}
	return rep, o
}

// admit parses req for the server, and reports whether it is a directly
// attached client's request to serve; when not, the outcome says why
// (OutcomeMalformed or OutcomeRelayed).
func admit(req *dhcpv4.DHCPv4) (request, Outcome, bool) {
	r, ok := parseRequest(req)
	switch {
	case !ok:
		return request{}, OutcomeMalformed, false
	case relayed(req):
		return request{}, OutcomeRelayed, false
	}
	return r, 0, true
}

// dispatch runs the handler of r's message type; handleMu is held, so
// s.scope may be read without mu (only UpdateScope writes it, under both).
func (s *Server) dispatch(r request, upstreamUp bool) (*dhcpv4.DHCPv4, Outcome) {
	if !s.answers(r) {
		return nil, OutcomeSilentPartner
	}
	switch r.typ {
	case dhcpv4.MessageTypeDiscover:
		return s.discover(r)
	case dhcpv4.MessageTypeRequest:
		return s.request(r, upstreamUp)
	case dhcpv4.MessageTypeDecline:
		return s.decline(r)
	case dhcpv4.MessageTypeRelease:
		return s.release(r)
	case dhcpv4.MessageTypeInform:
		return s.inform(r)
	}
	return nil, OutcomeMalformed
}

// inform answers an INFORM from a host of the subnet with the scope's
// options (RFC 2131 §4.3.5).
func (s *Server) inform(r request) (*dhcpv4.DHCPv4, Outcome) {
	c := s.scope
	switch {
	case !c.Enabled:
		return nil, OutcomeSilentDisabled
	case !r.ciaddr.IsValid() || !c.Subnet.Contains(r.ciaddr):
		return nil, OutcomeSilentNotOurs
	}
	return informReply(r, c), OutcomeInform
}

// answers reports whether this server, in a failover pair, answers r at
// all: a DISCOVER, an INFORM and a REQUEST that does not name us only when
// the pair's mode and state give us its client; a REQUEST naming us
// (answering our OFFER, or our lease's RELEASE or DECLINE) always.
// handleMu is held.
func (s *Server) answers(r request) bool {
	if s.fo == nil {
		return true
	}
	switch r.typ {
	case dhcpv4.MessageTypeRelease, dhcpv4.MessageTypeDecline:
		return true
	case dhcpv4.MessageTypeRequest:
		if r.serverID.IsValid() && r.serverID == s.scope.ServerID {
			return true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serves(r, s.clock.Now())
}

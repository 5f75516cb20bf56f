package fallback

import (
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// release frees the lease of a client that sends a RELEASE for its address
// (ciaddr) to us (RFC 2131 §4.3.4). The record stays, as released, so the
// client gets the address back. There is no reply.
func (s *Server) release(r request) (*dhcpv4.DHCPv4, Outcome) {
	if r.serverID != s.scope.ServerID {
		return nil, OutcomeOtherServer
	}
	now := s.clock.Now()
	s.mu.Lock()
	b := s.tab.at(r.ciaddr)
	if b == nil || !b.heldBy(r.key, now) || b.state != leasestore.StateBound {
		s.mu.Unlock()
		return nil, OutcomeNotBound
	}
	b.state, b.expiry = leasestore.StateReleased, now
	w := s.putWrite(b)
	s.mu.Unlock()
	s.staged = append(s.staged, stagedWrite{w: w, b: b})
	return nil, OutcomeReleased
}

// decline quarantines the address a client declines (option 50) because it
// found it in use (RFC 2131 §4.3.3): only when the DECLINE is for us and the
// client holds the address from us, so that a spoofed DECLINE cannot empty
// the pool. The client loses the address; there is no reply.
func (s *Server) decline(r request) (*dhcpv4.DHCPv4, Outcome) {
	if r.serverID != s.scope.ServerID {
		return nil, OutcomeOtherServer
	}
	now := s.clock.Now()
	s.mu.Lock()
	b := s.tab.at(r.reqIP)
	held := b != nil && b.heldBy(r.key, now)
	s.mu.Unlock()
	if !held {
		return nil, OutcomeNotBound
	}
	q := s.quarantine(r.reqIP, b)
	s.mu.Lock()
	w := s.putWrite(q)
	s.mu.Unlock()
	s.staged = append(s.staged, stagedWrite{w: w, b: q})
	s.log.Warn("client declined its address; quarantined", "addr", q.addr, "chaddr", r.mac.String(), "for", s.scope.DeclineQuarantine)
	return nil, OutcomeDeclined
}

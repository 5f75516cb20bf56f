package fallback

import (
	"net/netip"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Owns reports whether req concerns a lease or an offer of this server, so
// that the relay answers it locally and does not relay it even while the
// upstream is up: a REQUEST, RELEASE, DECLINE or INFORM whose address
// (requested-ip or ciaddr, per the message's state) is in our pool and was
// offered or leased to this client (it is, or was last, this client's), and
// that names no other server. Our server identifier alone is not enough:
// with RFC 5107 server-id-override the upstream's replies carry the same
// address, and a client answering the upstream's OFFER, or releasing the
// upstream's lease, must reach the upstream. A REQUEST naming no other
// server for an address of our ranges or reservations that the appliance
// itself uses (Scope.Local) is owned too: Handle NAKs it. A DISCOVER is
// never owned.
// Handle judges every request whatever Owns says; Owns only reads memory,
// and is safe to call from a read loop.
func (s *Server) Owns(req *dhcpv4.DHCPv4) bool {
	r, ok := parseRequest(req)
	if !ok || relayed(req) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.scope
	switch r.typ {
	case dhcpv4.MessageTypeRequest, dhcpv4.MessageTypeRelease, dhcpv4.MessageTypeDecline:
		if r.hasSID && r.serverID != c.ServerID {
			return false
		}
	case dhcpv4.MessageTypeInform:
	default:
		return false
	}
	addr := subject(r)
	if r.typ == dhcpv4.MessageTypeRequest && c.localClaimed(addr) {
		return true // NAKed: the appliance uses the address now
	}
	if !addr.IsValid() || !c.inPool(addr) {
		return false
	}
	b := s.tab.at(addr)
	return b != nil && b.client == r.key
}

// subject returns the address r is about: for a REQUEST the one classify
// finds, for a DECLINE the requested-ip, otherwise ciaddr.
func subject(r request) netip.Addr {
	switch r.typ {
	case dhcpv4.MessageTypeRequest:
		_, a, _ := classify(r)
		return a
	case dhcpv4.MessageTypeDecline:
		return r.reqIP
	}
	return r.ciaddr
}

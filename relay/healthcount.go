package relay

import (
	"net/netip"
	"time"

	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/wire"
)

// The health bookkeeping of the two packet paths: which relayed
// transactions count for a helper set's health (mustAnswer), the key that
// pairs a reply with its request (txnOf), and each helper's own share
// (forwardedTo, answeredBy; see helperhealth.go).

// mustAnswer reports whether a healthy helper set must answer the relayed
// message m of type mt, and so whether its silence counts against the
// set's health (the tracker's transactions). Only those count: a message
// that a healthy server may, or must, leave unanswered would let any
// client take the helpers down and the fallback answer for them.
//
//   - DISCOVER: counts. A server with addresses to give answers it.
//   - REQUEST naming a server (SELECTING): counts only when the server
//     identifier is one of the interface's helpers, or one that a reply
//     from the set has carried (health.Tracker.KnowsServerID). Every other
//     server must stay silent (RFC 2131 §4.3.2), so a REQUEST naming a
//     server that does not exist is answered by nobody. With
//     server-id-override the servers that honour RFC 5107 put this
//     interface's address in option 54; it is learnt from their replies,
//     and so counts only when the servers are seen to do that: a server
//     that ignores the sub-option never answers a REQUEST naming the relay,
//     which is then the fallback's. An option 54 that is not 4 bytes does
//     not count.
//   - REQUEST without a server identifier, ciaddr set (RENEWING,
//     REBINDING): counts; the server ACKs or NAKs it.
//   - REQUEST without a server identifier nor ciaddr (INIT-REBOOT): does
//     not count. A server with no record of the client must stay silent
//     (RFC 2131 §4.3.2), and one that is not authoritative for the
//     address does.
//   - INFORM: does not count; many servers do not answer a relayed one.
//   - DECLINE, RELEASE (never answered), BOOTP and anything else: do not
//     count.
//
// st.tracker must not be nil. It allocates nothing.
func mustAnswer(st *ifState, m wire.Packet, mt wire.MessageType) bool {
	switch mt {
	case wire.Discover:
		return true
	case wire.Request:
		id, present := serverIDOf(m)
		if !present {
			ci := m.CIAddr()
			return ci.IsValid() && !ci.IsUnspecified()
		}
		return id.IsValid() && (st.sendsTo(id) || st.tracker.KnowsServerID(id))
	}
	return false
}

// serverIDOf returns the server identifier (option 54) of m; present is
// true with an invalid id when the option is there but not 4 bytes long.
func serverIDOf(m wire.Packet) (id netip.Addr, present bool) {
	start, end, ok := wire.FindOption(m, wire.OptServerID)
	if !ok {
		return netip.Addr{}, false
	}
	if end-start != 4 {
		return netip.Addr{}, true
	}
	return netip.AddrFrom4([4]byte(m[start:end])), true
}

// sendsTo reports whether the interface relays to the helper a.
func (s *ifState) sendsTo(a netip.Addr) bool {
	for _, h := range s.helpers {
		if h.Addr() == a {
			return true
		}
	}
	return false
}

// learnServerID tells the interface's helper set the server identifier
// of a reply from one of its helpers, for mustAnswer.
func learnServerID(st *ifState, m wire.Packet) {
	if id, _ := serverIDOf(m); id.IsValid() {
		st.tracker.LearnServerID(id)
	}
}

// txnOf is the key of a client transaction: xid and chaddr.
func txnOf(m wire.Packet) health.Txn {
	var k health.Txn
	k.XID = m.XID()
	copy(k.CHAddr[:], m.CHAddr())
	return k
}

// forwardedTo records the transaction k as sent to the helper h, when
// its helper set tracks it: the member then expects h's reply.
func forwardedTo(st *ifState, h netip.Addr, k health.Txn, now time.Time) {
	if t := st.members[h]; t != nil {
		t.Forwarded(k, now)
	}
}

// answeredBy records that the helper src answered k, and returns the
// latency of its reply.
func answeredBy(st *ifState, src netip.Addr, k health.Txn, now time.Time) (time.Duration, bool) {
	if t := st.members[src]; t != nil {
		return t.Answered(k, now)
	}
	return 0, false
}

package relay

import (
	"bytes"
	"errors"
	"net/netip"

	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/wire"
)

// requestResult is what processRequest decided for one frame.
type requestResult struct {
	msg      []byte // the edited message to send to the helpers (aliases the read buffer)
	reason   Reason // why it was dropped, when drop is set
	drop     bool
	omitted  bool // option 82 was due but did not fit
	inserted bool // our option 82 was appended
	direct   bool // a DHCP message from a directly attached client (giaddr was 0): the fallback may serve it
}

// frameReason maps a framing error of iface.ParseUDP4 to a drop reason.
func frameReason(err error) Reason {
	switch {
	case errors.Is(err, iface.ErrBadIPChecksum), errors.Is(err, iface.ErrBadUDPChecksum):
		return ReasonChecksum
	case errors.Is(err, iface.ErrFragment):
		return ReasonFragment
	default:
		return ReasonFrame
	}
}

// processRequest runs the request path (docs/packet-paths.md, request step 4) on one datagram read
// from st's interface: checks, option-82 policy, giaddr, hops. It edits the
// message in place; the datagram's payload must have spare capacity for our
// option 82 (the agent's read buffer has it). It does not allocate.
func processRequest(st *ifState, rt *routes, maxHops, maxSize int, dg iface.Datagram) requestResult {
	local, unicast := st.isLocalDst(dg.Dst)
	if !local {
		return requestResult{drop: true, reason: ReasonNotForUs}
	}
	msg := wire.Packet(dg.Payload)
	if reason, ok := admitRequest(st, rt, maxHops, msg, dg.SrcMAC); !ok {
		return requestResult{drop: true, reason: reason}
	}
	giaddrSet := !msg.GIAddr().IsUnspecified()
	facts := requestFacts{bootp: !msg.HasMagicCookie(), giaddrSet: giaddrSet}
	if !facts.bootp {
		_, _, facts.hasOpt82 = wire.FindOption(msg, wire.OptRelayAgentInfo)
	}
	action, reason := option82Action(st.cfg.Option82, st.cfg.Trusted, facts)
	if action == opt82Drop {
		return requestResult{drop: true, reason: reason}
	}
	if !giaddrSet {
		if !st.giaddr.IsValid() {
			return requestResult{drop: true, reason: ReasonNoAddress}
		}
		_ = msg.SetGIAddr(st.giaddr) // cannot fail: Validate checked the header
	}
	res := requestResult{direct: !giaddrSet && !facts.bootp}
	if action == opt82Strip || action == opt82Replace {
		_, _ = wire.StripOption(msg, wire.OptRelayAgentInfo) // cannot fail: Validate checked the options
	}
	if action == opt82Insert || action == opt82Replace {
		opt := st.opt82[0]
		if unicast {
			opt = st.opt82[1]
		}
		out, err := wire.InsertBeforeEnd(msg, opt, maxSize)
		if err != nil {
			res.omitted = true // forward without it (docs/packet-paths.md, request step 4.9)
		} else {
			msg, res.inserted = out, true
		}
	}
	_ = msg.SetHops(msg.Hops() + 1)
	res.msg = msg
	return res
}

// admitRequest runs the checks of the request path that need no edit of
// the message: well-formed, a BOOTREQUEST, hops, giaddr, chaddr. It
// returns the drop reason and false for a request the relay must not
// relay. It does not allocate.
//
// A request with giaddr set was relayed by an agent below us, so it is
// accepted only on an interface that faces relays: a trusted one (Cisco
// "ip dhcp relay information trusted"). On an access port a client could
// otherwise set any giaddr and skip verify-chaddr and the untrusted
// option-82 rule, both of which apply to giaddr-0 requests only: RELEASE
// another client's lease, bring its own option 82, pick the subnet and the
// address the server answers to.
func admitRequest(st *ifState, rt *routes, maxHops int, msg wire.Packet, srcMAC []byte) (Reason, bool) {
	if err := wire.Validate(msg); err != nil {
		return ReasonMalformed, false
	}
	if msg.Op() != wire.OpRequest {
		return ReasonNotRequest, false
	}
	if hopsExceeded(msg.Hops(), maxHops) {
		return ReasonMaxHops, false
	}
	giaddr := msg.GIAddr()
	if giaddr.IsUnspecified() {
		if st.cfg.VerifyCHAddr && !chaddrIsSource(msg, srcMAC) {
			return ReasonCHAddrMismatch, false
		}
		return 0, true
	}
	if rt.isOurs(giaddr) {
		return ReasonOurGIAddr, false
	}
	if !st.cfg.Trusted {
		return ReasonUntrustedRelay, false
	}
	return 0, true
}

// hopsExceeded reports whether a request's hops field exceeds the max-hops
// threshold. RFC 1542 §4.1.1 discards a request whose hops exceeds the
// threshold, so one whose hops equals it is still relayed (and leaves with
// one hop more).
func hopsExceeded(hops uint8, maxHops int) bool { return int(hops) > maxHops }

// routes is the reply path's view of the downstream interfaces, rebuilt on
// every change and swapped in atomically.
type routes struct {
	downstream map[int]bool                // the ifindexes of the served downstream interfaces
	ours       map[netip.Addr]bool         // every IPv4 address of every link: loop/spoof guard
	byGIAddr   map[netip.Addr]*giaddrGroup // relaying address → interfaces that use it
	collisions []stampCollision            // interfaces whose replies option 82 cannot tell apart
}

// giaddrGroup is the set of interfaces that share one giaddr (more than one
// with source-interface or a common configured giaddr), in name order.
type giaddrGroup struct {
	states    []*ifState
	byCircuit map[string][]*ifState // circuit-id → the interfaces that stamp it, in name order
}

func (rt *routes) isOurs(a netip.Addr) bool { return rt != nil && rt.ours[a] }

// buildRoutes indexes states for the reply path. Its result does not
// depend on the order of states.
func buildRoutes(states []*ifState, ours map[netip.Addr]bool) *routes {
	rt := &routes{ours: ours, byGIAddr: make(map[netip.Addr]*giaddrGroup), downstream: make(map[int]bool)}
	for _, s := range sortedStates(states) {
		rt.downstream[s.link.Index] = true
		if !s.giaddr.IsValid() {
			continue
		}
		g := rt.byGIAddr[s.giaddr]
		if g == nil {
			g = &giaddrGroup{byCircuit: make(map[string][]*ifState)}
			rt.byGIAddr[s.giaddr] = g
		}
		g.states = append(g.states, s)
		g.byCircuit[string(s.circuitID)] = append(g.byCircuit[string(s.circuitID)], s)
	}
	rt.collisions = findCollisions(rt.byGIAddr)
	return rt
}

// chaddrIsSource reports whether chaddr is the frame's source MAC (Cisco
// "verify hwaddr", HPE "check mac-address"). Only requests with giaddr 0
// are checked: a relay below us legitimately sends its own MAC. The frame
// came from an Ethernet link, so a directly attached client's chaddr is an
// Ethernet address (htype 1, hlen 6): any other hardware type or length
// fails, or a starvation tool could send random chaddrs under another
// htype and pass unchecked.
func chaddrIsSource(msg wire.Packet, src []byte) bool {
	if msg.HType() != 1 || msg.HLen() != 6 || len(src) != 6 {
		return false
	}
	return bytes.Equal(msg.CHAddr(), src)
}

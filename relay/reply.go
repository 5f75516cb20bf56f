package relay

import (
	"net/netip"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/option82"
	"github.com/iphelper/iphelper/relay/wire"
)

// replyResult is what processReply decided for one BOOTREPLY.
type replyResult struct {
	st     *ifState // the interface to deliver on; nil when dropped before one was found
	msg    []byte   // the message to deliver, option 82 stripped (aliases the read buffer)
	to     delivery
	reason Reason
	drop   bool
}

// processReply runs the reply path (docs/packet-paths.md, reply step 2) on one UDP payload from
// src: find the downstream interface, check the source and the option 82,
// strip it and decide the delivery. It edits msg in place and does not
// allocate. ingress is the index of the interface the reply arrived on (0:
// unknown); a reply that comes in on a downstream interface is spoofed (a
// host on a client VLAN using a helper's address) and is dropped first.
func processReply(rt *routes, src netip.Addr, ingress int, b []byte) replyResult {
	if ingress != 0 && rt.downstream[ingress] {
		return replyResult{drop: true, reason: ReasonReplyFromDownstream}
	}
	msg := wire.Packet(b)
	if err := wire.Validate(msg); err != nil || msg.Op() != wire.OpReply {
		return replyResult{drop: true, reason: ReasonReplyMalformed}
	}
	g := rt.byGIAddr[msg.GIAddr()]
	if g == nil {
		return replyResult{drop: true, reason: ReasonUnknownGIAddr}
	}
	var st *ifState
	keep := false // deliver with the option 82 intact: it belongs to a trusted agent below us
	if start, end, ok := wire.FindOption(msg, wire.OptRelayAgentInfo); ok {
		var reason Reason
		st, keep, reason = matchOption82(g, msg, msg[start:end])
		if st == nil {
			return replyResult{drop: true, reason: reason}
		}
	} else {
		st = pickByAddress(g, msg)
	}
	if st == nil {
		return replyResult{drop: true, reason: ReasonUnknownGIAddr}
	}
	if !st.isHelper[src] {
		return replyResult{st: st, drop: true, reason: ReasonNotHelper}
	}
	if !keep {
		_, _ = wire.StripOption(msg, wire.OptRelayAgentInfo) // cannot fail: Validate checked the options
	}
	return replyResult{st: st, msg: msg, to: decideDelivery(factsOf(msg))}
}

// matchOption82 finds the interface whose option 82 a reply carries: the
// circuit-id names the interface and the remote-id must be ours too. An
// option 82 that is not ours is delivered intact when an interface of the
// group trusts and keeps the option of the agent below us (the switch that
// inserted it strips it), stripped when that interface's check is off, and
// dropped otherwise (Cisco "ip dhcp relay information check").
func matchOption82(g *giaddrGroup, msg wire.Packet, data []byte) (st *ifState, keep bool, reason Reason) {
	cid, okc, errc := option82.Lookup(data, option82.CircuitID)
	rid, okr, errr := option82.Lookup(data, option82.RemoteID)
	if errc == nil && errr == nil && okc && okr {
		s, ambiguous := g.byStamp(cid, rid, msg)
		if ambiguous {
			return nil, false, ReasonCircuitCollision
		}
		if s != nil {
			return s, false, 0
		}
	}
	s := pickByAddress(g, msg)
	if s == nil {
		return nil, false, ReasonForeignOpt82
	}
	switch {
	case s.cfg.Trusted && s.cfg.Option82.Policy == config.PolicyKeep:
		return s, true, 0
	case !s.cfg.Option82.Check:
		return s, false, 0
	case errc != nil || errr != nil:
		return nil, false, ReasonBadOpt82
	default:
		return nil, false, ReasonForeignOpt82
	}
}

// pickByAddress chooses the interface of a group for a reply without a
// usable option 82: the only one, or the one whose subnet holds the
// client's address (yiaddr, else ciaddr); nil when that is not exactly one.
func pickByAddress(g *giaddrGroup, msg wire.Packet) *ifState {
	if len(g.states) == 1 {
		return g.states[0]
	}
	return pickBySubnet(g.states, nil, msg)
}

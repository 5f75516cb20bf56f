package relay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/option82"
	"github.com/iphelper/iphelper/relay/pace"
	"github.com/iphelper/iphelper/relay/trace"
	"github.com/iphelper/iphelper/relay/wire"
)

// The reply path, from a datagram read on the upstream socket to the frame
// queued for the client (docs/packet-paths.md, "Reply path"): replyLoop
// reads, handleReply runs the steps in order; the pure decisions it takes
// (processReply, and the delivery table of delivery.go) follow it, then
// the health bookkeeping and the frame. The queued frames leave in one
// batch when the loop flushes its outbox (outbox.go).

// replyDrainer is an upstream socket whose read calls a function each
// time it finds the socket empty, before it waits: the real one.
type replyDrainer interface {
	ReadMsgUDPAddrPortIdle(b, oob []byte, idle func()) (n, oobn, flags int, addr netip.AddrPort, err error)
}

// readDeadliner is an upstream socket with a read deadline: the real one.
type readDeadliner interface {
	SetReadDeadline(t time.Time) error
}

// replyDrain is the state the reply loop keeps across reads.
type replyDrain struct {
	r        *Relay
	out      *replyOut
	p        *pace.Pacer
	rate     int
	k        int       // replies delivered since the socket was last found empty
	deadline time.Time // the socket's read deadline (quietCheck); zero: none
}

// checkQuiet is requestDrain.checkQuiet for the upstream socket (when it
// has a read deadline).
func (d *replyDrain) checkQuiet(now time.Time, err error) bool {
	timedOut := err != nil && errors.Is(err, os.ErrDeadlineExceeded)
	if timedOut {
		d.idle()
		now = time.Now()
	}
	rd, ok := d.r.up.(readDeadliner)
	switch {
	case !ok:
	case d.p.Polling() && (d.deadline.IsZero() || d.deadline.Sub(now) < quietCheck/2):
		d.deadline = now.Add(quietCheck)
		_ = rd.SetReadDeadline(d.deadline)
	case !d.p.Polling() && !d.deadline.IsZero():
		d.deadline = time.Time{}
		_ = rd.SetReadDeadline(d.deadline)
	}
	return timedOut
}

// idle ends a drain: it sends the frames queued, and on a busy loop asks
// the pacer whether it still is.
func (d *replyDrain) idle() {
	d.k = 0
	d.r.flushReplies(d.out)
	if d.p.Polling() && !d.p.Idle(time.Now()) {
		*d.out = replyOut{} // flushed: let the slots go
		d.r.log.Debug("upstream socket quiet again")
	}
}

// replyLoop reads BOOTREPLYs from the upstream socket and delivers them.
// Like an agent's read loop it waits for the socket to be readable, drains
// it, and the read that finds it empty sends the frames it built (one
// batch per socket) and waits again.
func (r *Relay) replyLoop(ctx context.Context) {
	buf := make([]byte, 65536)
	oob := make([]byte, pktinfoOOB)
	frame := make([]byte, 65536+64)
	out := &replyOut{}
	defer r.flushReplies(out)
	rate := r.cfg.Load().PollRate
	d := &replyDrain{r: r, out: out, p: pace.New(rate), rate: rate}
	idle := d.idle // bound once: no allocation per read
	dr, _ := r.up.(replyDrainer)
	for {
		var (
			n, oobn int
			src     netip.AddrPort
			err     error
		)
		if dr != nil {
			n, oobn, _, src, err = dr.ReadMsgUDPAddrPortIdle(buf, oob, idle)
		} else {
			idle()
			n, oobn, _, src, err = r.up.ReadMsgUDPAddrPort(buf, oob)
		}
		now := time.Now()
		if d.checkQuiet(now, err) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			r.log.Warn("failed to read from upstream socket", "err", err)
			continue
		}
		d.p, d.rate = repace(d.p, d.rate, r.cfg.Load().PollRate)
		if d.p.Read(now) && out.want == 0 {
			out.want = outboxSlots
			r.log.Debug("upstream socket busy: batching", "poll_above", d.rate)
			d.checkQuiet(now, nil)
		}
		r.handleReply(src.Addr().Unmap(), iface.PktinfoIfindex(oob[:oobn]), buf[:n], frame, out, now)
		if d.k++; d.k%drainBudget == 0 {
			r.flushReplies(out)
		}
	}
}

// handleReply runs the reply path on one datagram and queues its frame in
// out, which the caller sends.
// now is when it was read, the loop's one clock read per reply.
func (r *Relay) handleReply(src netip.Addr, ingress int, msg, frame []byte, out *replyOut, now time.Time) {
	ev := r.tracer.Start(trace.Out, src, msg)
	res := processReply(r.routes.Load(), src, ingress, msg)
	c := &r.counters.global
	name := ""
	if res.st != nil {
		c, name = res.st.counters, res.st.name
	}
	if res.drop {
		r.drop(c, ev, res.reason, name, nil)
		return
	}
	mt := wire.Packet(res.msg).MessageType()
	if res.st.isHelper[src] {
		hc := r.helperCounter(res.st, src)
		hc.replies.Add(1)
		hc.lastReply.Store(now.UnixNano())
		hc.byType.add(1, mt)
	}
	r.upstreamAnswered(res, src, now)
	fr, conn, err := r.replyFrame(res, frame)
	if err == nil {
		r.roomForReply(out, conn, len(fr))
		if _, ok := out.b.Add(fr, nil, netip.AddrPort{}); !ok {
			err = errOutboxFull // roomForReply made space: a bug, counted rather than silent
		}
	}
	if err != nil {
		r.drop(c, ev, deliverReason(err), name, err)
		return
	}
	out.tags[out.b.Len()-1] = replyTag{c: c, name: name, mt: mt, ev: ev,
		to: res.to.dstIP, bcast: res.to.kind == deliverBroadcast}
	// Learnt when the frame is queued, not sent: res.msg is the read
	// buffer's, and the server has granted the lease either way.
	r.bindings.ObserveReply(res.msg, name, res.st.link.VLANID, now)
}

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

// upstreamAnswered feeds a reply from src to the health trackers (its
// helper set's and its own) and cancels a pending fallback answer to the
// same DISCOVER.
func (r *Relay) upstreamAnswered(res replyResult, src netip.Addr, now time.Time) {
	st := res.st
	if st.tracker == nil && st.fb == nil {
		return
	}
	m := wire.Packet(res.msg)
	k := txnOf(m)
	if st.tracker != nil {
		if lat, ok := st.tracker.Answered(k, now); ok && st.latency != nil {
			st.latency.observe(lat)
		}
		learnServerID(st, m)
		if lat, ok := answeredBy(st, src, k, now); ok {
			r.helperCounter(st, src).latency.observe(lat)
		}
	}
	if st.fb != nil && m.MessageType() == wire.Offer {
		st.fb.upstreamOffered(k)
	}
}

// replyFrame builds, in frame, the frame that delivers a reply, and returns
// it with the packet socket to send it on.
func (r *Relay) replyFrame(res replyResult, frame []byte) ([]byte, iface.FrameConn, error) {
	st := res.st
	b := st.agent.conn.Load()
	if b == nil {
		return nil, nil, errNoConn
	}
	dstMAC := net.HardwareAddr(macBroadcast[:]) // read only, and no allocation
	if res.to.kind != deliverBroadcast {
		dstMAC = net.HardwareAddr(res.msg[28:34])
	}
	out, err := iface.BuildUDP4(frame, iface.UDP4Header{
		SrcMAC: st.link.MAC, DstMAC: dstMAC,
		Src: st.addr.Addr(), Dst: res.to.dstIP,
		SrcPort: dhcpServerPort, DstPort: dhcpClientPort,
		TTL: 64, ID: uint16(r.ipID.Add(1)),
	}, res.msg)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to build reply frame on %q: %w", st.name, err)
	}
	return out, b.c, nil
}

// deliver builds the frame for a reply and writes it on the interface's
// packet socket at once (the fallback server's replies; the reply loop
// queues its own).
func (r *Relay) deliver(res replyResult, frame []byte) error {
	out, conn, err := r.replyFrame(res, frame)
	if err != nil {
		return err
	}
	if err := conn.WriteFrame(out, frameDst(out)); err != nil {
		return fmt.Errorf("failed to send reply on %q: %w", res.st.name, err)
	}
	return nil
}

// deliverReason is the drop reason of a reply that could not be queued
// for its client: interface_down when the interface has no open packet
// socket (its link is down or its socket is being re-opened), else
// deliver_failed.
func deliverReason(err error) Reason {
	if errors.Is(err, errNoConn) {
		return ReasonInterfaceDown
	}
	return ReasonDeliverFailed
}

// errNoConn is the reason a reply cannot be delivered on an interface
// whose packet socket is closed.
var errNoConn = errors.New("interface has no open packet socket")

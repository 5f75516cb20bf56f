package relay

import (
	"bytes"
	"errors"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/ratelimit"
	"github.com/iphelper/iphelper/relay/trace"
	"github.com/iphelper/iphelper/relay/wire"
)

// The request path, from a frame read on a downstream interface to the
// copies queued for the helpers (docs/packet-paths.md, "Request path"):
// handleFrame runs the steps in order; the pure decisions it takes
// (processRequest, admitRequest, the option-82 policy of policy.go) follow
// it, then the fallback's hand-offs. The queued copies leave in one batch
// when the read loop flushes its outbox (outbox.go).

// handleFrame runs the request path on one frame read on the agent's
// interface, with the interface's state and rate limits of the moment,
// and queues the relayed request in out, which the read loop sends.
// now is when it was read: the loop's one clock read per packet, for its
// pacing, the limits, the tracker and the fallback.
func (a *agent) handleFrame(frame []byte, info iface.FrameInfo, out *requestOut, now time.Time) {
	r, st := a.r, a.state.Load()
	c := st.counters
	c.requestsIn.Add(1) // every frame read, before any check: drops are a share of it
	ev := r.startTrace(frame, info)
	if lim := a.limiterFor(st, frame); lim != nil && len(frame) >= 12 { // rate limits first: before any work an attacker can make us do
		var src [6]byte
		copy(src[:], frame[6:12])
		switch lim.Allow(src, now) {
		case ratelimit.InterfaceLimited:
			r.drop(c, ev, ReasonRateInterface, st.name, nil)
			return
		case ratelimit.ClientLimited:
			r.drop(c, ev, ReasonRateClient, st.name, nil)
			return
		}
	}
	dg, err := iface.ParseUDP4(frame, info)
	if err != nil {
		r.drop(c, ev, frameReason(err), st.name, err)
		return
	}
	if dg.DstPort != dhcpServerPort { // a forwarded port's broadcast (udpforward.go)
		a.forwardUDP(st, frame, dg, ev)
		return
	}
	var job fallbackJob
	haveJob := false
	if st.fb != nil {
		job, haveJob = st.fb.copyJob(st, dg.Payload) // before the request path edits it
	}
	res := processRequest(st, r.routes.Load(), st.maxHops, st.maxSize, dg)
	c.byType.add(0, wire.Packet(dg.Payload).MessageType())
	if haveJob && (res.drop || !res.direct) {
		st.fb.recycle(job)
		haveJob = false
	}
	if res.drop {
		r.drop(c, ev, res.reason, st.name, nil)
		return
	}
	r.bindings.ObserveRequest(res.msg) // a RELEASE or DECLINE ends a binding
	m := wire.Packet(res.msg)
	mt := m.MessageType()
	if haveJob && r.fallbackOwns(st, job, mt, ev) {
		return // a lease of the fallback's own: answered here, not relayed
	}
	if res.omitted {
		c.opt82Omitted.Add(1)
	}
	if res.inserted {
		c.opt82Inserted.Add(1)
	}
	if len(st.helpers) == 0 {
		r.drop(c, ev, ReasonNoHelper, st.name, nil)
		return
	}
	// Register the transaction, and a DISCOVER's pending fallback answer,
	// before the packet leaves: a fast upstream's reply can come back before
	// the send loop ends, and must find them to be counted and to cancel the
	// fallback. A transaction whose sends all fail simply times out, which
	// is what an unreachable upstream should look like.
	k := txnOf(m)
	counted := st.tracker != nil && mustAnswer(st, m, mt)
	if counted {
		st.tracker.Forwarded(k, now)
	}
	if haveJob {
		r.fallbackAfterRelay(st, job, m, mt, now, ev)
	}
	r.queueForHelpers(st, out, m, mt, k, counted && st.members != nil, ev, now)
}

// queueForHelpers queues a copy of the relayed message m (of type mt,
// transaction k) for each of st's helpers that its ceiling lets through,
// and, when tracked (the helper set counts k), expects each helper it is
// queued for to answer it too; the read loop
// sends the queue before it waits for more (flushRequests), and counts
// each send then.
func (r *Relay) queueForHelpers(st *ifState, out *requestOut, m wire.Packet, mt wire.MessageType, k health.Txn, tracked bool, ev *trace.Event, now time.Time) {
	c := st.counters
	r.roomForRequest(out, len(st.helpers), len(m))
	last := -1
	for i, h := range st.helpers {
		hc := r.helperCounter(st, h.Addr())
		if i < len(st.helperLims) && !st.helperLims[i].Allow(now) { // nil: no ceiling
			r.dropSend(c, ev, ReasonRateHelper, st.name, h, nil)
			continue
		}
		j, ok := out.b.Add(m, st.srcOOB, h)
		if !ok { // room made space: this is a bug, counted rather than silent
			hc.sendErrors.Add(1)
			r.dropSend(c, ev, ReasonSendFailed, st.name, h, errOutboxFull)
			continue
		}
		out.tags[j] = requestTag{c: c, hc: hc, name: st.name, mt: mt, ev: ev}
		last = j
		if tracked {
			forwardedTo(st, h.Addr(), k, now)
		}
	}
	if last >= 0 {
		out.tags[last].last = true
	}
}

// startTrace begins the trace event of a frame read on a downstream
// interface, before any check, so that a frame dropped by the rate limits
// or for its framing is traced like any other; its DHCP fields stay zero
// when the frame does not parse. It returns nil, at the cost of one atomic
// load, while nobody traces.
func (r *Relay) startTrace(frame []byte, info iface.FrameInfo) *trace.Event {
	if !r.tracer.Enabled() {
		return nil
	}
	var msg []byte
	dg, err := iface.ParseUDP4(frame, info)
	if err == nil && dg.DstPort != dhcpServerPort {
		return r.tracer.StartUDP(netip.AddrPortFrom(dg.Src, dg.SrcPort), dg.DstPort)
	}
	if err == nil {
		msg = dg.Payload
	}
	return r.tracer.Start(trace.In, netip.Addr{}, msg)
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

// requestResult is what processRequest decided for one frame.
type requestResult struct {
	msg      []byte // the edited message to send to the helpers (aliases the read buffer)
	reason   Reason // why it was dropped, when drop is set
	drop     bool
	omitted  bool // option 82 was due but did not fit
	inserted bool // our option 82 was appended
	direct   bool // a DHCP message from a directly attached client (giaddr was 0): the fallback may serve it
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

// fallbackOwns hands a REQUEST, RELEASE or DECLINE about one of the
// fallback server's own leases to it. Such a message is not relayed: the
// upstream does not know the lease and might NAK it.
func (r *Relay) fallbackOwns(st *ifState, j fallbackJob, mt wire.MessageType, ev *trace.Event) bool {
	if mt != wire.Request && mt != wire.Release && mt != wire.Decline {
		return false
	}
	req, err := dhcpv4.FromBytes(j.buf[:j.n])
	if err != nil || !st.fb.srv.Owns(req) {
		return false
	}
	if !st.fb.enqueue(j) {
		r.drop(st.counters, ev, ReasonFallbackBusy, st.name, nil)
		return true
	}
	r.tracer.EmitFallback(ev, st.name)
	return true
}

// fallbackAfterRelay decides whether the fallback answers a message that
// is also relayed (called before it is sent): a DISCOVER at once when the upstream is down (or the
// client's secs says it has waited long enough), else after offer-delay
// unless an upstream OFFER passes back first; an INFORM only when the
// upstream is down. A full queue drops the fallback's copy: counted and
// traced (ev) as fallback_busy, while the message itself is relayed.
func (r *Relay) fallbackAfterRelay(st *ifState, j fallbackJob, m wire.Packet, mt wire.MessageType, now time.Time, ev *trace.Event) {
	fc := st.fb.cfg.Load()
	down := st.tracker != nil && !st.tracker.Up()
	urgent := down || (fc.UseSecs && time.Duration(m.Secs())*time.Second >= fc.SecsThreshold)
	chose := mt == wire.Request && hasServerID(m) // SELECTING: the client names the server it chose
	if chose {
		// The client has chosen a server: a DISCOVER of its transaction
		// that still waits (offer-delay, a split secondary's
		// secondary-delay) gets no offer, which would only hold an address
		// for nobody.
		st.fb.upstreamOffered(txnOf(m))
	}
	ok := true
	switch {
	case mt == wire.Discover && urgent && fc.SecondaryDelay == 0:
		ok = st.fb.enqueue(j)
	case mt == wire.Discover:
		// A split scope's secondary waits secondary-delay longer than its
		// primary, urgent or not (docs/failover.md, "Modes").
		d := fc.OfferDelay
		if urgent {
			d = 0
		}
		ok = st.fb.deferDiscover(txnOf(m), j, now, d+fc.SecondaryDelay)
	case (mt == wire.Inform || mt == wire.Request) && down:
		ok = st.fb.enqueue(j)
	case chose:
		// SELECTING another server: the fallback releases its offer at once.
		ok = st.fb.enqueue(j)
	default:
		st.fb.recycle(j)
	}
	if !ok {
		r.drop(st.counters, ev, ReasonFallbackBusy, st.name, nil)
	}
}

func hasServerID(m wire.Packet) bool {
	_, _, ok := wire.FindOption(m, wire.OptServerID)
	return ok
}

package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/pace"
	"github.com/iphelper/iphelper/relay/ratelimit"
	"github.com/iphelper/iphelper/relay/trace"
	"github.com/iphelper/iphelper/relay/wire"
)

// ListenFunc opens the packet socket of a downstream interface.
type ListenFunc func(link iface.Link) (iface.FrameConn, error)

// Options are a Relay's dependencies on the operating system, replaceable
// in tests.
type Options struct {
	// Listen opens a downstream packet socket; nil means iface.ListenDHCP.
	Listen ListenFunc
	// Upstream is the UDP socket toward the helpers; nil means
	// iface.ListenBootReplies(67), opened by Run.
	Upstream UpstreamConn
	// LeaseStore keeps the fallback servers' leases; nil means the bbolt
	// file of the configuration's lease-db, opened by Run when an interface
	// has a fallback scope.
	LeaseStore leasestore.Store
	// Prober checks an address for a conflict before the fallback offers
	// it; nil means ARP on the interface (see newARPProber).
	Prober func(link iface.Link, src netip.Addr, fc *config.Fallback) fallback.Prober
	// Tracer receives every packet's fate for `debug packets`; nil traces
	// nothing.
	Tracer *trace.Tracer
	// Bindings learns client bindings from the ACKs the relay delivers
	// (`show bindings`); nil learns nothing.
	Bindings *bindings.Table
	// Routes tells the links that hold the routes to the helpers, which a
	// pattern never takes; nil looks up no route (only loopback is left
	// alone). The daemon passes iface.NetlinkRoutes.
	Routes iface.RouteFinder
	// Clock is the fallback servers' clock: their lease times and the
	// failback evidence window (how recent an upstream reply must be);
	// nil means the system clock.
	Clock fallback.Clock
}

// Relay is the DHCPv4 relay agent. Create it with New and drive it with
// Run; Stats may be called concurrently with Run.
type Relay struct {
	log        *slog.Logger
	cfg        atomic.Pointer[config.Config] // swapped by Reload; read by every goroutine
	reloads    chan *config.Config           // capacity 1: the newest configuration to apply
	links      iface.LinkSource
	listen     ListenFunc
	proberFunc func(link iface.Link, src netip.Addr, fc *config.Fallback) fallback.Prober
	tracer     *trace.Tracer
	bindings   *bindings.Table
	clock      fallback.Clock             // the fallback servers' clock
	fbPub      atomic.Pointer[[]*fbAgent] // the fallback servers, for FallbackLeases
	up         UpstreamConn
	counters   *counters

	routes    atomic.Pointer[routes]
	published atomic.Pointer[[]*ifState] // the served interfaces' states, for Status
	agents    map[string]*agent          // by interface name; owned by Run's goroutine
	waiting   map[string]bool            // configured names already reported missing; owned by Run's goroutine
	fbs       map[string]*fbAgent        // fallback servers by interface name; owned by Run's goroutine
	hlims     map[netip.Addr]helperLimit // helper ceilings; owned by Run's goroutine
	store     leasestore.Store           // the fallback servers' leases; nil when no interface has a fallback, or it cannot be opened
	storeErr  error                      // why the lease database could not be opened; owned by Run's goroutine
	trackers  *trackers                  // upstream health per helper set
	fatalCh   chan error
	ready     chan struct{} // closed once port 67 and the first agents' sockets are open
	ipID      atomic.Uint32 // IPv4 identification for the frames we build
	rings     atomic.Int32  // packet sockets with a receive ring (at most maxRings)

	routeFinder iface.RouteFinder                  // routes to the helpers; nil: none looked up
	routeEvery  time.Duration                      // how often the routes to the helpers are looked up again
	routed      atomic.Pointer[map[int]netip.Addr] // the routes the last reconcile used
	excluded    map[string]string                  // links a pattern leaves alone, and why; owned by Run's goroutine
}

// New returns a Relay for cfg that follows the links of links.
func New(cfg *config.Config, links iface.LinkSource, log *slog.Logger, opts Options) *Relay {
	r := &Relay{
		log: log, links: links, reloads: make(chan *config.Config, 1), listen: opts.Listen, up: opts.Upstream, proberFunc: opts.Prober, tracer: opts.Tracer, bindings: opts.Bindings,
		counters: newCounters(), agents: make(map[string]*agent), waiting: make(map[string]bool), fatalCh: make(chan error, 1), ready: make(chan struct{}),
		fbs: make(map[string]*fbAgent), hlims: make(map[netip.Addr]helperLimit), trackers: newTrackers(), store: opts.LeaseStore,
		routeFinder: opts.Routes, routeEvery: routeCheckEvery, clock: opts.Clock,
	}
	if r.clock == nil {
		r.clock = fallback.SystemClock{}
	}
	r.cfg.Store(cfg)
	if r.listen == nil {
		r.listen = func(l iface.Link) (iface.FrameConn, error) {
			return iface.ListenDHCP(&net.Interface{Index: l.Index, Name: l.Name, HardwareAddr: l.MAC, MTU: l.MTU}, iface.ListenOptions{})
		}
	}
	r.routes.Store(buildRoutes(nil, nil))
	return r
}

// String names the task.
func (r *Relay) String() string { return "relay" }

// Run relays until ctx ends. It returns an error only when the relay cannot
// work at all: port 67 is taken, or the process lacks CAP_NET_RAW.
func (r *Relay) Run(ctx context.Context) error {
	if r.up == nil {
		c, err := iface.ListenBootReplies(dhcpServerPort)
		if err != nil {
			return err
		}
		r.up = c
	}
	defer r.up.Close()
	r.tryOpenStore()
	defer r.closeStore()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		r.replyLoop(ctx)
	}()
	go func() {
		defer wg.Done()
		r.watchHealth(ctx)
	}()
	context.AfterFunc(ctx, func() { r.up.Close() })

	err := r.reconcileLoop(ctx)
	for _, a := range r.agents {
		a.stop()
	}
	for _, f := range r.fbs {
		f.stop()
	}
	cancel()
	wg.Wait()
	return err
}

// Reload makes the relay apply cfg, a validated configuration, without a
// restart: interfaces whose link and settings did not change keep their
// sockets and lose no packet; new matches get an agent, interfaces that no
// longer match are stopped. It does not wait; a newer Reload before the
// relay got to it replaces the older one. A new lease database path
// restarts the fallback servers on the new file.
func (r *Relay) Reload(cfg *config.Config) {
	for {
		select {
		case r.reloads <- cfg:
			return
		default:
		}
		select { // drop a pending older configuration
		case <-r.reloads:
		default:
		}
	}
}

// apply swaps in a reloaded configuration; reconcile follows.
func (r *Relay) apply(cfg *config.Config) {
	old := r.cfg.Swap(cfg)
	r.trackers.sync(cfg)
	r.switchStore(old.LeaseDB, cfg.LeaseDB)
	r.tryOpenStore()
	r.log.Info("configuration reloaded", "interfaces", len(cfg.Interfaces))
}

// helperCounter returns a helper's counters, resolved when the interface's
// state was built (no lock); a state built elsewhere (tests) looks them up.
func (r *Relay) helperCounter(st *ifState, a netip.Addr) *helperCounters {
	if hc := st.helperCtr[a]; hc != nil {
		return hc
	}
	return r.counters.helper(a)
}

// helperLimit is one helper's global ceiling and the rate it was made for.
type helperLimit struct {
	rate  float64
	burst int
	lim   *ratelimit.Helper
}

// helperLimiters returns the ceilings of helpers, in order, shared by every
// interface and kept across reloads while the rate is unchanged; nil
// entries (no ceiling) allow everything.
func (r *Relay) helperLimiters(cfg *config.Config, helpers []netip.AddrPort) []*ratelimit.Helper {
	out := make([]*ratelimit.Helper, len(helpers))
	if cfg.HelperRate <= 0 {
		return out
	}
	for i, h := range helpers {
		hl, ok := r.hlims[h.Addr()]
		if !ok || hl.rate != cfg.HelperRate || hl.burst != cfg.HelperBurst {
			hl = helperLimit{cfg.HelperRate, cfg.HelperBurst, ratelimit.NewHelper(cfg.HelperRate, cfg.HelperBurst, time.Now())}
			r.hlims[h.Addr()] = hl
		}
		out[i] = hl.lim
	}
	return out
}

// FallbackLeases returns the leases of every fallback server, for `show
// leases`. It may be called concurrently with Run.
func (r *Relay) FallbackLeases() []leasestore.Lease {
	var out []leasestore.Lease
	if p := r.fbPub.Load(); p != nil {
		for _, f := range *p {
			out = append(out, f.srv.Leases()...)
		}
	}
	return out
}

// fatal reports an error that must stop the relay (called by agents).
func (r *Relay) fatal(err error) {
	select {
	case r.fatalCh <- err:
	default:
	}
}

// reconcileLoop starts, updates and stops agents as links change.
func (r *Relay) reconcileLoop(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-r.links.Ready():
	}
	routeChanges, stopRoutes := r.watchRoutes(ctx)
	defer stopRoutes()
	first := true
	for {
		r.reconcile(ctx)
		if first {
			first = false
			r.waitSettled(ctx)
			close(r.ready)
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-r.fatalCh:
			return err
		case <-r.links.Changes():
		case <-routeChanges:
		case cfg := <-r.reloads:
			r.apply(cfg)
		}
	}
}

// reconcile brings the agents in line with the current links: an agent for
// every link the configuration matches, none for the others.
func (r *Relay) reconcile(ctx context.Context) {
	cfg := r.cfg.Load()
	links := r.links.Links()
	ours := make(map[netip.Addr]bool)
	for _, l := range links {
		for _, p := range l.Addrs {
			ours[p.Addr()] = true
		}
	}
	sel := r.newLinkSelector(cfg)
	var states []*ifState
	var starting []*agent
	for name, link := range links {
		ifc, ok := sel.match(link)
		if !ok {
			continue
		}
		st, err := buildState(link, stateInput{cfg: cfg, ifc: ifc, links: links, counters: r.counters.iface(name)})
		if err != nil {
			r.log.Error("cannot serve interface", "iface", name, "err", err)
			continue
		}
		st.tracker, st.latency = r.trackers.forHelpers(cfg, ifc)
		st.members = r.trackers.members(ifc.Helpers)
		st.fb = r.fallbackFor(ctx, st, ifc, ours)
		if st.skipped > 0 {
			r.log.Warn("helpers on the interface's own subnet are not used", "iface", name, "skipped", st.skipped)
		}
		states = append(states, st)
		st.helperLims = r.helperLimiters(cfg, st.helpers)
		st.helperCtr = make(map[netip.Addr]*helperCounters, len(st.isHelper))
		for h := range st.isHelper {
			st.helperCtr[h] = r.counters.helper(h) // resolved here, so the hot paths take no lock
		}
		if a, ok := r.agents[name]; ok {
			st.agent = a
			a.setLimits(ifc.RateLimit)
			a.update(st)
			continue
		}
		a := newAgent(r, st)
		st.agent = a
		r.agents[name] = a
		starting = append(starting, a) // started once the routes name it
	}
	for name, a := range r.agents {
		if l, ok := links[name]; ok {
			if _, match := sel.match(l); match {
				continue
			}
		}
		a.stop()
		delete(r.agents, name)
		if f, ok := r.fbs[name]; ok {
			f.stop()
			delete(r.fbs, name)
		}
		r.log.Info("interface removed", "iface", name)
	}
	rt := buildRoutes(states, ours)
	logCollisions(r.log, r.routes.Load(), rt)
	r.routes.Store(rt)
	r.published.Store(&states)
	fbs := make([]*fbAgent, 0, len(r.fbs))
	for _, f := range r.fbs {
		fbs = append(fbs, f)
	}
	r.fbPub.Store(&fbs)
	// A new agent may relay a request at once; its reply must find the
	// interface in the routes, so agents start only after they are published.
	for _, a := range starting {
		a.start(ctx)
	}
	r.logWaiting(links)
	r.logExcluded(sel)
}

// logWaiting says, once each time it goes missing, which configured
// interface has no link: it is waited for, not an error.
func (r *Relay) logWaiting(links map[string]iface.Link) {
	for _, ifc := range r.cfg.Load().Interfaces {
		if ifc.IsPattern() {
			continue
		}
		_, present := links[ifc.Name]
		switch {
		case !present && !r.waiting[ifc.Name]:
			r.waiting[ifc.Name] = true
			r.log.Info("waiting for interface to appear", "iface", ifc.Name)
		case present:
			delete(r.waiting, ifc.Name)
		}
	}
}

// handleFrame runs the request path on one frame read on st's interface
// and queues the relayed request in out, which the caller sends.
// now is when it was read: the loop's one clock read per packet, for its
// pacing, the limits, the tracker and the fallback.
func (r *Relay) handleFrame(st *ifState, lim *ratelimit.Interface, frame []byte, info iface.FrameInfo, out *requestOut, now time.Time) {
	c := st.counters
	c.requestsIn.Add(1) // every frame read, before any check: drops are a share of it
	ev := r.startRequest(frame, info)
	if lim != nil && len(frame) >= 12 { // rate limits first: before any work an attacker can make us do
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
	var job fbJob
	haveJob := false
	if st.fb != nil {
		job, haveJob = st.fb.copyJob(st, dg.Payload) // before the request path edits it
	}
	res := processRequest(st, r.routes.Load(), st.maxHops, st.maxSize, dg)
	c.byType.add(0, wire.Packet(dg.Payload).MessageType())
	if haveJob && (res.drop || !res.direct) {
		st.fb.release(job)
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
	if st.tracker != nil && mustAnswer(st, m, mt) {
		st.tracker.Forwarded(txnOf(m), now)
	}
	if haveJob {
		r.fallbackAfterRelay(st, job, m, mt, now, ev)
	}
	// Queue a copy for each helper; the loop sends the queue before it
	// waits for more (flushRequests), and counts each send then.
	r.room(out, len(st.helpers), len(res.msg))
	k := txnOf(m)
	tracked := st.members != nil && st.tracker.Pending(k) // each helper sent it must answer it too
	last := -1
	for i, h := range st.helpers {
		hc := r.helperCounter(st, h.Addr())
		if i < len(st.helperLims) && !st.helperLims[i].Allow(now) { // nil: no ceiling
			r.dropSend(c, ev, ReasonRateHelper, st.name, h, nil)
			continue
		}
		j, ok := out.b.Add(res.msg, st.srcOOB, h)
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

// fallbackOwns hands a REQUEST, RELEASE or DECLINE about one of the
// fallback server's own leases to it. Such a message is not relayed: the
// upstream does not know the lease and might NAK it.
func (r *Relay) fallbackOwns(st *ifState, j fbJob, mt wire.MessageType, ev *trace.Event) bool {
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
func (r *Relay) fallbackAfterRelay(st *ifState, j fbJob, m wire.Packet, mt wire.MessageType, now time.Time, ev *trace.Event) {
	fc := st.fb.cfg.Load()
	down := st.tracker != nil && !st.tracker.Up()
	urgent := down || (fc.UseSecs && time.Duration(m.Secs())*time.Second >= fc.SecsThreshold)
	ok := true
	switch {
	case mt == wire.Discover && urgent:
		ok = st.fb.enqueue(j)
	case mt == wire.Discover:
		ok = st.fb.deferDiscover(txnOf(m), j, now)
	case (mt == wire.Inform || mt == wire.Request) && down:
		ok = st.fb.enqueue(j)
	case mt == wire.Request && hasServerID(m):
		// SELECTING another server: the fallback releases its offer at once.
		ok = st.fb.enqueue(j)
	default:
		st.fb.release(j)
	}
	if !ok {
		r.drop(st.counters, ev, ReasonFallbackBusy, st.name, nil)
	}
}

// Stats returns a snapshot of the relay's counters.
func (r *Relay) Stats() Stats { return r.counters.snapshot() }

var (
	errNoConn     = errors.New("interface has no open packet socket")
	errOutboxFull = errors.New("outbox has no room (bug)")
)

// replyTryReader is an upstream socket that can be polled: the real one.
type replyTryReader interface {
	TryReadMsgUDPAddrPort(b, oob []byte) (n, oobn, flags int, addr netip.AddrPort, ok bool, err error)
}

// replyLoop reads BOOTREPLYs from the upstream socket and delivers them. Like
// an agent's read loop it waits for each reply or, under load, polls the
// socket every tick, and sends the frames it built in one batch per socket
// before it waits or sleeps.
func (r *Relay) replyLoop(ctx context.Context) {
	buf := make([]byte, 65536)
	oob := make([]byte, pktinfoOOB)
	frame := make([]byte, 65536+64)
	out := &replyOut{}
	defer r.flushReplies(out)
	tr, _ := r.up.(replyTryReader)
	rate := r.cfg.Load().PollRate
	p := pace.New(rate)
	for {
		var (
			n, oobn int
			src     netip.AddrPort
			err     error
		)
		if tr != nil && p.Polling() {
			var ok bool
			n, oobn, _, src, ok, err = tr.TryReadMsgUDPAddrPort(buf, oob)
			if err == nil && !ok {
				r.flushReplies(out)
				if p.Idle(time.Now()) {
					iface.PollSleep(pace.DefaultTick)
				} else {
					rate = r.cfg.Load().PollRate
					p = pace.New(rate) // a reload's threshold
					*out = replyOut{}  // flushed: let the slots go
					r.log.Debug("upstream socket quiet again: waiting for each reply")
				}
				continue
			}
		} else {
			r.flushReplies(out)
			n, oobn, _, src, err = r.up.ReadMsgUDPAddrPort(buf, oob)
			p, rate = repace(p, rate, r.cfg.Load().PollRate)
		}
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			r.log.Warn("failed to read from upstream socket", "err", err)
			continue
		}
		now := time.Now()
		if p.Read(now) && tr != nil && out.want == 0 {
			out.want = outboxSlots
			r.log.Debug("upstream socket busy: polling it every tick", "poll_above", r.cfg.Load().PollRate, "tick", pace.DefaultTick)
		}
		r.handleReply(src.Addr().Unmap(), iface.PktinfoIfindex(oob[:oobn]), buf[:n], frame, out, now)
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
	fr, conn, dst, err := r.replyFrame(res, frame)
	if err == nil {
		r.roomReply(out, conn, len(fr))
		if _, ok := out.b.Add(fr, nil, netip.AddrPort{}); !ok {
			err = errOutboxFull // roomReply made space: a bug, counted rather than silent
		}
	}
	if err != nil {
		r.drop(c, ev, ReasonDeliverFailed, name, err)
		return
	}
	out.tags[out.b.Len()-1] = replyTag{c: c, name: name, mt: mt, ev: ev,
		to: res.to.dstIP, bcast: res.to.kind == deliverBroadcast, dst: dst}
	// Learnt when the frame is queued, not sent: res.msg is the read
	// buffer's, and the server has granted the lease either way.
	r.bindings.ObserveReply(res.msg, name, res.st.link.VLANID, now)
}

func hasServerID(m wire.Packet) bool {
	_, _, ok := wire.FindOption(m, wire.OptServerID)
	return ok
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

// deliver builds the frame for a reply and writes it on the interface's
// packet socket at once (the fallback server's replies; the reply loop
// queues its own).
func (r *Relay) deliver(res replyResult, frame []byte) error {
	out, conn, dst, err := r.replyFrame(res, frame)
	if err != nil {
		return err
	}
	if err := conn.WriteFrame(out, dst); err != nil {
		return fmt.Errorf("failed to send reply on %q: %w", res.st.name, err)
	}
	return nil
}

// replyFrame builds, in frame, the frame that delivers a reply, and returns
// it with the packet socket to send it on and its destination MAC.
func (r *Relay) replyFrame(res replyResult, frame []byte) ([]byte, iface.FrameConn, net.HardwareAddr, error) {
	st := res.st
	b := st.agent.conn.Load()
	if b == nil {
		return nil, nil, nil, errNoConn
	}
	dstMAC := macBroadcast
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
		return nil, nil, nil, fmt.Errorf("failed to build reply frame on %q: %w", st.name, err)
	}
	return out, b.c, dstMAC, nil
}

// Ready is closed once UDP port 67 is bound and every downstream interface
// present at start has had its first try at its packet socket (open, or
// waiting for its link or address): the moment to tell systemd READY=1.
func (r *Relay) Ready() <-chan struct{} { return r.ready }

// waitSettled waits until every agent has settled into its first state.
func (r *Relay) waitSettled(ctx context.Context) {
	for _, a := range r.agents {
		select {
		case <-ctx.Done():
			return
		case <-a.settled:
		case <-a.done:
		}
	}
}

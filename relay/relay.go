package relay

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/ratelimit"
	"github.com/iphelper/iphelper/relay/trace"
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
	// SaveBindings is how often the binding table is written to the lease
	// database (restored from it when Run starts, written once more when
	// it stops); 0 keeps it in memory only. A table that is saved opens
	// the lease database even when no interface has a fallback scope.
	SaveBindings time.Duration
	// Routes tells the links that hold the routes to the helpers, which a
	// pattern never takes; nil looks up no route (only loopback is left
	// alone). The daemon passes iface.NetlinkRoutes.
	Routes iface.RouteFinder
	// RawIP is the socket forwarded UDP broadcasts leave on; nil means
	// iface.ListenRawIP, opened when an interface first forwards a port.
	RawIP RawIPConn
	// Clock is the fallback servers' clock: their lease times and the
	// failback evidence window (how recent an upstream reply must be);
	// nil means the system clock.
	Clock fallback.Clock
	// SweepEvery is how often the fallback servers reclaim expired leases
	// (and remove their DNS records); 0 means every 10 seconds.
	SweepEvery time.Duration
}

// Relay is the DHCPv4 relay agent. Create it with New and drive it with
// Run; Stats may be called concurrently with Run.
type Relay struct {
	log        *slog.Logger
	cfg        atomic.Pointer[config.Config] // swapped by Reload; read by every goroutine
	reloads    chan *config.Config           // capacity 1: the newest configuration to apply
	links      iface.LinkSource
	listen     func(link iface.Link, ports []uint16) (iface.FrameConn, error)
	proberFunc func(link iface.Link, src netip.Addr, fc *config.Fallback) fallback.Prober
	tracer     *trace.Tracer
	bindings   *bindings.Table
	clock      fallback.Clock                    // the fallback servers' clock
	sweepEvery time.Duration                     // how often the fallback servers sweep
	fbPub      atomic.Pointer[[]*fallbackWorker] // the fallback servers, for FallbackLeases
	storePub   atomic.Pointer[leaseStorePub]     // the open lease store, for Status
	up         UpstreamConn
	rawIP      atomic.Pointer[RawIPConn] // forwarded UDP broadcasts; nil until an interface forwards a port
	rawIPErr   error                     // why it could not be opened; owned by Run's goroutine
	counters   *counters

	routes    atomic.Pointer[routes]
	published atomic.Pointer[[]*ifState] // the served interfaces' states, for Status
	agents    map[string]*agent          // by interface name; owned by Run's goroutine
	waiting   map[string]bool            // configured names already reported missing; owned by Run's goroutine
	fbs       map[string]*fallbackWorker // fallback servers by interface name; owned by Run's goroutine
	hlims     map[netip.Addr]helperLimit // helper ceilings; owned by Run's goroutine
	store     leasestore.Store           // the fallback servers' leases; nil when no interface has a fallback, or it cannot be opened
	storeErr  error                      // why the lease database could not be opened; owned by Run's goroutine
	trackers  *trackers                  // upstream health per helper set
	pair      *pair                      // the failover pair; nil without one (set before reconcile starts, then read-only)
	fatalCh   chan error
	ready     chan struct{} // closed once port 67 and the first agents' sockets are open
	ipID      atomic.Uint32 // IPv4 identification for the frames we build
	rings     atomic.Int32  // packet sockets with a receive ring (at most maxRings)

	// storeRetry is set by a reconcile in which a fallback server could
	// not load its leases from a shared store: the loop reconciles again
	// after storeRetryEvery. Owned by Run's goroutine.
	storeRetry      bool
	storeRetryEvery time.Duration // 0: storeRetryEvery; tests shorten it

	routeFinder iface.RouteFinder                  // routes to the helpers; nil: none looked up
	routeEvery  time.Duration                      // how often the routes to the helpers are looked up again
	routed      atomic.Pointer[map[int]netip.Addr] // the routes the last reconcile used
	excluded    map[string]string                  // links a pattern leaves alone, and why; owned by Run's goroutine
	saver       bindingSaver                       // writes the binding table to the lease database; owned by Run's goroutine

	// The upstream socket's overflows last counted (countOverflows: Run,
	// then the health watcher's goroutine), and whether the first was read.
	upOverflowSeen atomic.Uint64
	upOverflowSet  bool
}

// New returns a Relay for cfg that follows the links of links.
func New(cfg *config.Config, links iface.LinkSource, log *slog.Logger, opts Options) *Relay {
	r := &Relay{
		log: log, links: links, reloads: make(chan *config.Config, 1), up: opts.Upstream, proberFunc: opts.Prober, tracer: opts.Tracer, bindings: opts.Bindings,
		counters: newCounters(), agents: make(map[string]*agent), waiting: make(map[string]bool), fatalCh: make(chan error, 1), ready: make(chan struct{}),
		fbs: make(map[string]*fallbackWorker), hlims: make(map[netip.Addr]helperLimit), trackers: newTrackers(), store: opts.LeaseStore,
		routeFinder: opts.Routes, routeEvery: routeCheckEvery, clock: opts.Clock,
		saver: bindingSaver{every: opts.SaveBindings, now: time.Now},
	}
	if r.clock == nil {
		r.clock = fallback.SystemClock{}
	}
	if r.sweepEvery = opts.SweepEvery; r.sweepEvery <= 0 {
		r.sweepEvery = sweepEvery
	}
	r.cfg.Store(cfg)
	r.listen = func(l iface.Link, ports []uint16) (iface.FrameConn, error) {
		return iface.ListenDHCP(&net.Interface{Index: l.Index, Name: l.Name, HardwareAddr: l.MAC, MTU: l.MTU}, iface.ListenOptions{ForwardPorts: ports})
	}
	if opts.Listen != nil { // a test's sockets get every frame they are handed
		r.listen = func(l iface.Link, _ []uint16) (iface.FrameConn, error) { return opts.Listen(l) }
	}
	if opts.RawIP != nil {
		r.rawIP.Store(&opts.RawIP)
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
	defer func() {
		if raw := r.rawIP.Load(); raw != nil {
			(*raw).Close()
		}
	}()
	r.tryOpenStore()
	defer r.closeStore()
	r.restoreBindings()
	defer r.saveBindings() // before closeStore: a clean stop loses nothing
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	r.countOverflows() // the namespace's count before the relay ran: not its own
	var wg sync.WaitGroup
	r.startPair(ctx, &wg)
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
	r.switchStore(old, cfg)
	r.tryOpenStore()
	r.log.Info("configuration reloaded", "interfaces", len(cfg.Interfaces))
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

// ClearConflicts frees the quarantined address addr of every fallback
// scope, or every quarantined address when addr is not valid (`clear
// conflicts`), and returns the addresses freed.
func (r *Relay) ClearConflicts(addr netip.Addr) []netip.Addr {
	var out []netip.Addr
	if p := r.fbPub.Load(); p != nil {
		for _, f := range *p {
			out = append(out, f.srv.ClearConflicts(addr)...)
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
	retry := retryTimer{every: r.storeRetryEvery}
	defer retry.stop()
	saves, stopSaves := r.saveTicks()
	defer stopSaves()
	first := true
	for {
		r.storeRetry = false
		r.reconcile(ctx)
		if first {
			first = false
			r.waitSettled(ctx)
			close(r.ready)
		}
		select {
		case <-retry.after(r.storeRetry):
		case <-ctx.Done():
			return nil
		case err := <-r.fatalCh:
			return err
		case <-r.links.Changes():
		case <-routeChanges:
		case <-saves:
			r.saveBindings()
			continue // nothing to reconcile
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
	rt.addBroadcasts(states, links)
	r.openRawIP(states)
	logCollisions(r.log, r.routes.Load(), rt)
	r.routes.Store(rt)
	r.published.Store(&states)
	fbs := make([]*fallbackWorker, 0, len(r.fbs))
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

// Stats returns a snapshot of the relay's counters.
func (r *Relay) Stats() Stats { return r.counters.snapshot() }

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

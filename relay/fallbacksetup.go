package relay

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// storeLockTimeout bounds the wait for the lease database's file lock: a
// second daemon on the same file must fail, not hang.
const storeLockTimeout = 2 * time.Second

// openStore opens the lease database when an interface has a fallback
// scope or the binding table is saved, and no store was given.
func (r *Relay) openStore() error {
	if r.store != nil {
		return nil
	}
	cfg := r.cfg.Load()
	for _, ifc := range cfg.Interfaces {
		if ifc.Fallback == nil && (r.bindings == nil || r.saver.every <= 0) {
			continue
		}
		if cfg.Etcd != nil {
			s, err := r.openEtcd(cfg)
			if err != nil {
				return err
			}
			r.store = s
			return nil
		}
		s, err := leasestore.OpenBolt(cfg.LeaseDB, storeLockTimeout)
		if err != nil {
			return err // it names the file
		}
		r.store = s
		return nil
	}
	return nil
}

// tryOpenStore opens the lease database if it is needed and not open yet.
// A database that cannot be opened (corrupt, truncated, unwritable, locked
// by another daemon) disables the fallback scopes only: relaying goes on,
// the error is logged and shown per interface, and the next reload tries
// again.
func (r *Relay) tryOpenStore() {
	defer r.publishStore()
	if r.store != nil {
		return
	}
	err := r.openStore()
	if err == nil {
		if r.storeErr != nil && r.store != nil {
			r.log.Info("lease database opened: the fallback scopes are served again", "lease_db", storeName(r.cfg.Load()))
		}
		r.storeErr = nil
		return
	}
	r.storeErr = err
	r.log.Error("fallback disabled on every interface: the lease database cannot be opened; relaying goes on, a reload tries again",
		"lease_db", storeName(r.cfg.Load()), "err", err)
}

// switchStore closes the lease database the relay opened at path old when
// a reload names another one, and stops the fallback servers that use it;
// tryOpenStore then opens the new file and the reconcile that follows
// starts the servers again on it. The leases in the old file stay there.
// A store handed in through Options is kept. A change of lease-store, or
// of the etcd: block, switches stores the same way.
func (r *Relay) switchStore(old, cfg *config.Config) {
	switch s := r.store.(type) {
	case *leasestore.BoltStore:
		if cfg.Etcd == nil && (old.LeaseDB == cfg.LeaseDB || s.Path() == cfg.LeaseDB) {
			return
		}
	case *leasestore.EtcdStore:
		if sameEtcd(old.Etcd, cfg.Etcd) {
			return
		}
	default:
		return
	}
	for name, f := range r.fbs {
		f.stop()
		delete(r.fbs, name)
	}
	r.store.Close()
	r.store = nil
	r.log.Info("lease store changed: the fallback servers restart on the new one", "from", storeName(old), "to", storeName(cfg))
}

// stopFallback stops the fallback server of an interface whose scope a
// reload removed, or that no longer fits its subnet, if it has one.
func (r *Relay) stopFallback(name string) {
	f, ok := r.fbs[name]
	if !ok {
		return
	}
	f.stop()
	if f.ps != nil {
		f.ps.server.Store(nil)
	}
	delete(r.fbs, name)
	r.log.Info("fallback server stopped", "iface", name)
}

// pairedMode reports whether a fallback scope's mode runs with the failover
// pair (hot-standby, load-sharing); split needs no connection.
func pairedMode(fc *config.Fallback) bool {
	return fc.FailoverMode == config.FailoverHotStandby || fc.FailoverMode == config.FailoverLoadSharing
}

// attachPair puts the worker's server in the failover pair when its scope
// is paired, or takes it out; false (and st.fbOff) when the scope needs a
// pair that is not running.
func (r *Relay) attachPair(st *ifState, f *fallbackWorker, fc *config.Fallback) bool {
	if !pairedMode(fc) {
		if f.ps != nil {
			f.srv.SetFailover(nil)
			f.ps.server.Store(nil)
			f.ps = nil
		}
		return true
	}
	if r.pair == nil {
		st.fbOff = "the scope's failover mode needs the failover pair, which is not running"
		return false
	}
	f.ps = r.pair.attach(st.addr.Masked(), fc, f.srv)
	f.srv.SetFailover(f.ps)
	return true
}

// startPair starts the failover pair, when the configuration has one and
// the lease store is open, on wg.
func (r *Relay) startPair(ctx context.Context, wg *sync.WaitGroup) {
	cfg := r.cfg.Load()
	if !cfg.Failover.Enabled() {
		return
	}
	if r.store == nil {
		r.log.Error("failover pair not started: the lease database is unavailable; its scopes are not served")
		return
	}
	p, err := newPair(cfg.Failover, r.store, r.clock.Now, r.ready, r.log)
	if err != nil {
		r.log.Error("failover pair not started; its scopes are not served", "err", err)
		return
	}
	r.pair = p
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := p.run(ctx); err != nil {
			r.log.Error("failover pair stopped", "err", err)
		}
	}()
}

// closeStore closes the lease database, if open (the end of Run).
func (r *Relay) closeStore() {
	if r.store != nil {
		r.store.Close()
	}
}

// fallbackFor returns the fallback server of an interface, started on
// first need and told about address and configuration changes; nil when
// the interface has no fallback scope, no address yet, or a scope that
// cannot be served: then st.fbOff says why (shown and exported). ours holds
// every address of every link: those on the interface's subnet are never
// given (a secondary or VRRP address, one added after start).
func (r *Relay) fallbackFor(ctx context.Context, st *ifState, ifc *config.Interface, ours map[netip.Addr]bool) *fallbackWorker {
	fc := ifc.Fallback
	switch {
	case fc == nil:
		r.stopFallback(st.name) // a reload removed the scope
		return nil
	case r.store == nil:
		st.fbOff = "lease database unavailable"
		if r.storeErr != nil {
			st.fbOff += ": " + r.storeErr.Error()
		}
		return nil
	case !st.addr.IsValid():
		return r.fbs[st.name] // keep serving leases while the address is briefly gone
	}
	log := r.log.With("iface", st.name)
	if err := fc.CheckSubnet(st.addr); err != nil {
		st.fbOff = fmt.Sprintf("the scope does not fit the interface's subnet %s: %v", st.addr.Masked(), err)
		log.Error("fallback scope does not fit the interface's subnet: fallback disabled", "subnet", st.addr.Masked(), "err", err)
		r.stopFallback(st.name) // it served the old subnet; its leases stay in the store
		return nil
	}
	in := newScopeInput(st.addr, ifc, ours)
	scope := fallbackScope(st.name, in)
	_, scope.SpreadStart = r.store.(*leasestore.EtcdStore)
	if f, ok := r.fbs[st.name]; ok {
		if !f.in.equal(in) {
			if err := f.srv.UpdateScope(scope); err != nil {
				log.Error("failed to apply the new fallback scope", "err", err)
			}
			// The probe settings and the probe's source address.
			f.srv.SetProber(r.proberFor(st.link, st.addr.Addr(), fc))
			f.in = in
			f.cfg.Store(fc)
			if !r.attachPair(st, f, fc) {
				r.stopFallback(st.name)
				return nil
			}
		}
		return f
	}
	prober := r.proberFor(st.link, st.addr.Addr(), fc)
	srv, err := fallback.NewServer(scope, r.store, prober, r.clock, r.log) // it scopes its log by interface itself
	if err != nil {
		st.fbOff = fmt.Sprintf("the fallback server failed to start: %v", err)
		if _, shared := r.store.(*leasestore.EtcdStore); shared {
			st.fbOff += " (retried on a timer)"
			r.storeRetry = true
		}
		log.Error("failed to start the fallback server", "err", err)
		return nil
	}
	f := newFallbackWorker(r, st.name, srv, fc)
	if !r.attachPair(st, f, fc) {
		return nil
	}
	f.in = in
	r.fbs[st.name] = f
	f.unsubscribe = r.subscribe(st.name, srv.ApplyShared)
	f.start(ctx)
	log.Info("fallback server ready", "pools", len(fc.Pools), "offer_delay", fc.OfferDelay)
	return f
}

// fallbackScope converts an interface's fallback configuration into the
// server's scope, now that the interface's addresses are known.
func fallbackScope(name string, in scopeInput) fallback.Scope {
	addr, fc := in.addr, in.fc
	s := fallback.Scope{
		Interface: name, Subnet: addr.Masked(), ServerID: addr.Addr(),
		Local: in.local, SharedServerID: in.shared,
		Router: fc.Router, DNS: fc.DNS, Domain: fc.Domain,
		NextServer: fc.NextServer, BootFile: fc.BootFile,
		LeaseTime: fc.LeaseTime, T1: fc.T1, T2: fc.T2, Enabled: fc.Enabled,
		OfferHold: fc.OfferHold, DeclineQuarantine: fc.DeclineQuarantine,
		MaxOffersOutstanding: fc.MaxOffers, ReserveForKnown: fc.ReserveForKnown,
	}
	for _, o := range fc.Options {
		s.Options = append(s.Options, fallback.Option{Code: o.Code, Data: o.Data, AlwaysSend: o.AlwaysSend})
	}
	for _, r := range fc.Pools {
		s.Ranges = append(s.Ranges, fallback.Range{Start: r.Start, End: r.End})
	}
	for _, r := range fc.Exclude {
		s.Exclusions = append(s.Exclusions, fallback.Range{Start: r.Start, End: r.End})
	}
	for _, r := range fc.Reservations {
		s.Reservations = append(s.Reservations, fallback.Reservation{MAC: r.MAC, ClientID: r.ClientID, Addr: r.Addr})
	}
	if fc.Failback == config.FailbackKeep {
		s.Failback = fallback.FailbackKeep
	}
	return s
}

// scopeInput is what a fallback scope is built from besides the
// interface's name; a change of any of it updates the scope.
type scopeInput struct {
	addr   netip.Prefix     // the interface's primary address
	fc     *config.Fallback // replaced, never modified, by a reload
	shared bool             // server-id-override: upstream replies carry our address as option 54
	local  []netip.Addr     // the appliance's other addresses on the subnet, sorted
}

// newScopeInput returns the input of the fallback scope of ifc served on
// addr, the interface's primary address; ours holds every address of every
// link. fallbackFor and CheckConfig build the scope from it alike.
func newScopeInput(addr netip.Prefix, ifc *config.Interface, ours map[netip.Addr]bool) scopeInput {
	return scopeInput{addr: addr, fc: ifc.Fallback, shared: ifc.Option82.ServerIDOverride, local: localOn(ours, addr)}
}

func (a scopeInput) equal(b scopeInput) bool {
	return a.addr == b.addr && a.fc == b.fc && a.shared == b.shared && slices.Equal(a.local, b.local)
}

// localOn returns the addresses of ours on p's subnet other than p's own,
// sorted.
func localOn(ours map[netip.Addr]bool, p netip.Prefix) []netip.Addr {
	var out []netip.Addr
	for a := range ours {
		if a != p.Addr() && a.Is4() && p.Masked().Contains(a) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

func (r *Relay) proberFor(link iface.Link, src netip.Addr, fc *config.Fallback) fallback.Prober {
	if r.proberFunc != nil {
		return r.proberFunc(link, src, fc)
	}
	if fc.ProbeCount == 0 {
		return nil
	}
	return &arpProber{link: link, src: src, count: fc.ProbeCount, timeout: fc.ProbeTimeout}
}

// arpProber checks an address with ARP on the interface before the
// fallback offers it (conflict detection). It opens a socket per probe
// round: rounds happen only when new addresses are offered, and one round
// probes every address of a burst.
type arpProber struct {
	link    iface.Link
	src     netip.Addr
	count   int
	timeout time.Duration
}

func (p *arpProber) InUse(ctx context.Context, addrs []netip.Addr) ([]bool, error) {
	pr, err := iface.NewARPProber(&net.Interface{Index: p.link.Index, Name: p.link.Name, HardwareAddr: p.link.MAC, MTU: p.link.MTU}, p.src)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	return pr.InUseAll(ctx, addrs, p.count, p.timeout)
}

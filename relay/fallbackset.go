package relay

import (
	"context"
	"fmt"
	"net"
	"net/netip"
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
// scope and no store was given.
func (r *Relay) openStore() error {
	if r.store != nil {
		return nil
	}
	cfg := r.cfg.Load()
	for _, ifc := range cfg.Interfaces {
		if ifc.Fallback == nil {
			continue
		}
		s, err := leasestore.OpenBolt(cfg.LeaseDB, storeLockTimeout)
		if err != nil {
			return fmt.Errorf("failed to open the lease database: %w", err)
		}
		r.store = s
		return nil
	}
	return nil
}

// fallbackFor returns the fallback server of an interface, started on
// first need and told about address and configuration changes; nil when
// the interface has no fallback scope, no address yet, or a scope that does
// not fit its subnet (logged).
func (r *Relay) fallbackFor(ctx context.Context, st *ifState, ifc *config.Interface) *fbAgent {
	fc := ifc.Fallback
	if fc == nil || r.store == nil || !st.addr.IsValid() {
		return r.fbs[st.name] // keep serving leases while the address is briefly gone
	}
	log := r.log.With("iface", st.name)
	if err := fc.CheckSubnet(st.addr); err != nil {
		log.Error("fallback scope does not fit the interface's subnet: fallback disabled", "subnet", st.addr.Masked(), "err", err)
		return nil
	}
	scope := fallbackScope(st.name, st.addr, fc)
	if f, ok := r.fbs[st.name]; ok {
		if f.addr != st.addr || f.cfg.Load() != fc {
			if err := f.srv.UpdateScope(scope); err != nil {
				log.Error("failed to apply the new fallback scope", "err", err)
			}
			f.addr = st.addr
			f.cfg.Store(fc)
		}
		return f
	}
	prober := r.proberFor(st.link, st.addr.Addr(), fc)
	srv, err := fallback.NewServer(scope, r.store, prober, r.clock, r.log) // it scopes its log by interface itself
	if err != nil {
		log.Error("failed to start the fallback server", "err", err)
		return nil
	}
	f := newFBAgent(r, st.name, srv, fc)
	f.addr = st.addr
	r.fbs[st.name] = f
	f.start(ctx)
	log.Info("fallback server ready", "pools", len(fc.Pools), "offer_delay", fc.OfferDelay)
	return f
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

package relay

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/failover"
	"github.com/iphelper/iphelper/relay/failover/wire"
	"github.com/iphelper/iphelper/relay/fallback"
)

// waitMemory bounds the clients whose first unanswered DISCOVER a scope
// remembers (see effectiveSecs); waitForget is when one is forgotten.
const (
	waitMemory = 4096
	waitForget = time.Minute
)

// pairScope is one fallback scope in a failover pair: the fallback.Failover
// its server asks, answered from the pair's published View.
type pairScope struct {
	p        *pair
	subnet   netip.Prefix
	fs       failover.Scope
	info     wire.ScopeInfo
	server   atomic.Pointer[fallback.Server]
	mismatch atomic.Bool // configured differently on the partner
	// partnerMissing: the partner's Hello did not name the scope.
	partnerMissing atomic.Bool

	mu    sync.Mutex
	first map[string]time.Time // client → its first DISCOVER not yet answered
}

var _ fallback.Failover = (*pairScope)(nil)

// srv returns the scope's server, nil before it started.
func (ps *pairScope) srv() *fallback.Server { return ps.server.Load() }

// attach registers the failover scope of an interface's fallback on subnet
// (a new scope, or its server restarted) and returns what its server asks.
func (p *pair) attach(subnet netip.Prefix, fc *config.Fallback, srv *fallback.Server) *pairScope {
	mode := failover.ModeHotStandby
	if fc.FailoverMode == config.FailoverLoadSharing {
		mode = failover.ModeLoadSharing
	}
	fs := failover.Scope{Mode: mode, Split: uint8(p.cfg.Split), StandbyShare: uint8(p.cfg.StandbyShare)}
	p.mu.Lock()
	ps := p.scopes[subnet]
	if ps == nil {
		ps = &pairScope{p: p, subnet: subnet, first: make(map[string]time.Time)}
		p.scopes[subnet] = ps
	}
	ps.fs = fs
	ps.info = wire.ScopeInfo{Subnet: subnet, Mode: uint8(mode), Hash: scopeHash(fc, p.cfg, srv)}
	ps.server.Store(srv)
	p.mu.Unlock()
	p.peer.SetHello(p.hello())
	return ps
}

// scopeHash hashes what both nodes of a pair must configure alike for a
// scope: its addresses (the server's PoolDigest), its mode and the pair's
// split and standby share.
func scopeHash(fc *config.Fallback, fo config.Failover, srv *fallback.Server) [32]byte {
	d := srv.PoolDigest()
	h := sha256.New()
	fmt.Fprintf(h, "mode %v split %d share %d\n", fc.FailoverMode, fo.Split, fo.StandbyShare)
	h.Write(d[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Serves implements fallback.Failover: the scope's rule for the client in
// the pair's state. A client that the partner should answer, and that has
// waited secs-threshold (by its secs field, or by what this node saw of its
// retransmissions: many clients leave secs at 0), is answered in
// COMMUNICATIONS-INTERRUPTED; when it holds a lease the partner
// acknowledged (held), which a live partner always renews, it is also
// evidence that the partner is down.
func (ps *pairScope) Serves(key []byte, secs uint16, held bool, now time.Time) bool {
	if ps.mismatch.Load() {
		return false
	}
	v := ps.p.view.Load()
	if v.AnswersForPartner() {
		return true
	}
	if v.State != failover.CommInterrupted || ps.fs.Assigned(key) == v.Role {
		return ps.fs.ServesClient(v.Role, v.State, key)
	}
	waited := ps.effectiveSecs(string(key), secs, now)
	if held && waited >= v.Timers.SecsThreshold {
		select {
		case ps.p.events <- pairEvent{client: string(key), secs: waited}:
		default: // evidence is a sample; a full queue loses some
		}
	}
	return ps.fs.ServesClientSecs(v.Role, v.State, key, waited, v.Timers.SecsThreshold)
}

// effectiveSecs is the longer of the client's secs and the seconds since
// this node first saw it unanswered (within waitForget).
func (ps *pairScope) effectiveSecs(k string, secs uint16, now time.Time) uint16 {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	t, ok := ps.first[k]
	if !ok || now.Sub(t) > waitForget {
		if len(ps.first) >= waitMemory {
			for c, at := range ps.first {
				if now.Sub(at) > waitForget || len(ps.first) >= waitMemory {
					delete(ps.first, c)
				}
			}
		}
		ps.first[k] = now
		return secs
	}
	return max(secs, uint16(min(now.Sub(t)/time.Second, 1<<16-1)))
}

// MayAllocate implements fallback.Failover.
func (ps *pairScope) MayAllocate(index, size int, now time.Time) bool {
	if ps.mismatch.Load() {
		return false
	}
	return ps.p.view.Load().MayAllocate(ps.fs.OwnerAt(index, size), now)
}

// Reusable implements fallback.Failover.
func (ps *pairScope) Reusable(end, now time.Time) bool {
	return ps.p.view.Load().Reusable(end, now)
}

// Grant implements fallback.Failover.
func (ps *pairScope) Grant(owned bool, want, partnerExpiry, now time.Time) (time.Time, bool) {
	return ps.p.view.Load().Grant(owned, want, partnerExpiry, now)
}

// replicate sends a worker's committed changes to the partner and waits, at
// most max-ack-delay, for the acknowledgements of those whose ACK needs
// one. It returns the addresses acknowledged.
func (ps *pairScope) replicate(ups []fallback.Update) map[netip.Addr]bool {
	p := ps.p
	w := &ackWaiter{acked: make(map[netip.Addr]bool), done: make(chan struct{})}
	for _, u := range ups {
		if u.NeedAck {
			w.left++
		}
	}
	need := w.left
	now := p.now()
	for _, u := range ups {
		var wt *ackWaiter
		if u.NeedAck {
			wt = w
		}
		if !p.sendUpdate(ps, u.Lease, wt, false, now) && wt != nil {
			wt.settle(u.Lease.Addr, false)
		}
	}
	if need == 0 {
		return nil
	}
	t := time.NewTimer(p.cfg.MaxAckDelay)
	defer t.Stop()
	select {
	case <-w.done:
	case <-t.C:
		p.count("ack_timeouts")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[netip.Addr]bool, len(w.acked))
	for a := range w.acked {
		out[a] = true
	}
	return out
}

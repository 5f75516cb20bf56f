package fallback

import (
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// PoolStats is how a scope's addresses are used at one moment (metrics:
// leases in use and free per scope).
type PoolStats struct {
	// Size is every address the scope can hand out: its dynamic pool
	// (ranges minus exclusions) and its reservations.
	Size int
	// Bound, Offered and Quarantined count addresses held at the moment:
	// leased, held by an outstanding OFFER, or out of use after a DECLINE
	// or a probe conflict.
	Bound, Offered, Quarantined int
	// Free is Size minus the three above.
	Free int
}

// PoolStats reports the use of the scope's addresses at now. It never
// waits for a probe or a store write.
func (s *Server) PoolStats(now time.Time) PoolStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := PoolStats{Size: s.scope.pool.size}
	for a := range s.scope.resByAddr {
		if !s.scope.pool.contains(a) {
			ps.Size++
		}
	}
	for _, b := range s.tab.byAddr {
		if !b.active(now) {
			continue
		}
		switch b.state {
		case leasestore.StateBound:
			ps.Bound++
		case leasestore.StateOffered:
			ps.Offered++
		case leasestore.StateDeclined:
			ps.Quarantined++
		}
	}
	ps.Free = max(ps.Size-ps.Bound-ps.Offered-ps.Quarantined, 0)
	return ps
}

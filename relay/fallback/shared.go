package fallback

import (
	"encoding/binary"
	"net"
	"slices"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// startCursor is where the search for a never-used address starts: the
// pool's first address, or with SpreadStart a point that ServerID picks by
// Fibonacci hashing (times 2^32/φ), which puts consecutive server
// identifiers far apart in the pool, the same after every restart.
func (c *compiled) startCursor() int {
	if !c.SpreadStart || c.pool.size == 0 || !c.ServerID.Is4() {
		return 0
	}
	b := c.ServerID.As4()
	h := binary.BigEndian.Uint32(b[:]) * 0x9e3779b9
	return int(uint64(h) * uint64(c.pool.size) >> 32)
}

// ApplyShared puts a record that a shared store reports (another node
// wrote or deleted it) in the table, so that this node neither offers nor
// ACKs an address another node bound: l replaces what the table holds at
// its address unless the table already has that revision or a later one
// (docs/cluster.md). Nothing is written to the store. It never waits for
// a store write, so a store may call it while Commit waits on the store.
func (s *Server) ApplyShared(l leasestore.Lease) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.tab.at(l.Addr)
	if cur != nil && cur.rev >= l.Rev {
		return // this node's own write, or older news
	}
	if l.Deleted {
		if cur != nil {
			if cur.active(s.clock.Now()) && cur.state == leasestore.StateBound {
				cur.state, cur.expiry = leasestore.StateReleased, s.clock.Now()
			}
			cur.rev = 0
		}
		return
	}
	nb := &binding{addr: l.Addr, state: l.State, expiry: l.Expiry, clientID: slices.Clone(l.ClientID),
		mac: net.HardwareAddr(slices.Clone(l.MAC)), hostname: l.Hostname, rev: l.Rev}
	switch l.State {
	case leasestore.StateBound, leasestore.StateReleased:
		if len(l.ClientID) == 0 && len(l.MAC) == 0 {
			return
		}
		nb.client, nb.leased = keyOf(l.ClientID, l.MAC), true
	case leasestore.StateDeclined:
	default:
		return
	}
	if !s.scope.inPool(l.Addr) && !s.scope.mayHold(l.Addr, l.ClientID, l.MAC) {
		return
	}
	s.tab.set(nb)
}

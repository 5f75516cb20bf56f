package relay

import (
	"sync/atomic"

	"github.com/iphelper/iphelper/iface"
)

// The kernel drops what a full socket cannot hold before the relay sees
// it: those losses are counted here, from the sockets' own statistics, as
// drops with a reason of their own (socket_overflow, reply_overflow), so
// that every lost packet shows in show statistics and the metrics.

// statser is a packet socket that reports its kernel counters: the real
// one (iface.PacketConn.Stats, PACKET_STATISTICS: queue and ring drops).
type statser interface {
	Stats() (iface.Stats, error)
}

// overflowCounter is an upstream socket that reports the receive-buffer
// overflows of the relay's network namespace: the real one
// (iface.UDPConn.ReceiveOverflows).
type overflowCounter interface {
	ReceiveOverflows() (uint64, error)
}

// advance moves seen to total, a cumulative counter, and returns by how
// much it grew; 0 when another caller already counted it. Callers may
// race: each increment is returned once.
func advance(seen *atomic.Uint64, total uint64) uint64 {
	for {
		old := seen.Load()
		if total <= old {
			return 0
		}
		if seen.CompareAndSwap(old, total) {
			return total - old
		}
	}
}

// countSocketDrops adds what the socket in b dropped since it was last
// counted to the interface's socket_overflow drops.
func countSocketDrops(b *connBox, c *ifaceCounters) {
	s, ok := b.c.(statser)
	if !ok {
		return
	}
	st, err := s.Stats()
	if err != nil {
		return // closed meanwhile: its last count was taken before it closed
	}
	if d := advance(&b.drops, st.Drops); d > 0 {
		c.drops[ReasonSocketOverflow].Add(d)
	}
}

// countOverflows counts the drops of every open packet socket and the
// upstream socket's overflows: Run calls it once before its goroutines
// start (the baseline), then the health watcher on each tick.
func (r *Relay) countOverflows() {
	if v := r.published.Load(); v != nil {
		for _, st := range *v {
			if st.agent == nil {
				continue
			}
			if b := st.agent.conn.Load(); b != nil {
				countSocketDrops(b, st.counters)
			}
		}
	}
	oc, ok := r.up.(overflowCounter)
	if !ok {
		return
	}
	n, err := oc.ReceiveOverflows()
	if err != nil {
		return
	}
	if !r.upOverflowSet { // the first count (Run's) is the baseline
		r.upOverflowSet = true
		r.upOverflowSeen.Store(n)
		return
	}
	if d := advance(&r.upOverflowSeen, n); d > 0 {
		r.counters.global.drops[ReasonReplyOverflow].Add(d)
	}
}

package health

import (
	"slices"
	"time"
)

// Stats are a Tracker's counters since it was made. Forwarded counts
// distinct transactions; each ends answered, timed out or evicted, or is
// still pending:
//
//	Forwarded == Answered + TimedOut + Evicted + Pending
type Stats struct {
	Forwarded     uint64 // transactions sent upstream
	Retransmitted uint64 // sends of a transaction already pending
	Answered      uint64 // transactions that got a reply within Timeout
	TimedOut      uint64 // transactions that did not
	Evicted       uint64 // transactions dropped to stay within MaxPending
	Pending       int    // transactions awaiting a reply now
	Streak        int    // unanswered transactions in a row now
	StreakClients int    // their different clients (chaddrs), at most DownAfter

	// LatencyP50 and LatencyP99 are the median and 99th percentile
	// (nearest rank) of the latencies of the last LatencySamples answered
	// transactions, at most 128; zero while there are none.
	LatencyP50, LatencyP99 time.Duration
	LatencySamples         int
}

// Stats returns the counters and the latency percentiles.
func (t *Tracker) Stats() Stats {
	t.mu.Lock()
	c, streak, clients, n := t.counters, t.streak, len(t.streakClients), t.pending.Len()
	lat := t.latency
	t.mu.Unlock()
	st := Stats{
		Forwarded:      c.forwarded,
		Retransmitted:  c.retransmitted,
		Answered:       c.answered,
		TimedOut:       c.timedOut,
		Evicted:        c.evicted,
		Pending:        n,
		Streak:         streak,
		StreakClients:  clients,
		LatencySamples: lat.n,
	}
	st.LatencyP50, st.LatencyP99 = lat.percentiles()
	return st
}

// latencySamples is how many recent latencies the percentiles are
// computed over.
const latencySamples = 128

// latencyRing holds the latest latencies, overwriting the oldest.
type latencyRing struct {
	buf  [latencySamples]time.Duration
	n    int // samples held, up to latencySamples
	next int // where the next one goes
}

// add records one latency.
func (r *latencyRing) add(d time.Duration) {
	r.buf[r.next] = d
	r.next = (r.next + 1) % latencySamples
	r.n = min(r.n+1, latencySamples)
}

// percentiles returns the median and the 99th percentile by nearest rank.
// It sorts r's buffer, so call it on a copy.
func (r *latencyRing) percentiles() (p50, p99 time.Duration) {
	if r.n == 0 {
		return 0, 0
	}
	s := r.buf[:r.n]
	slices.Sort(s)
	return s[rank(50, r.n)], s[rank(99, r.n)]
}

// rank returns the index of the p-th percentile of n sorted samples by
// the nearest-rank method: the ceil(p/100 × n)-th smallest.
func rank(p, n int) int {
	return (p*n+99)/100 - 1
}

package relay

import (
	"sync/atomic"
	"time"
)

// LatencyBounds are the upper bounds of the transaction-latency histogram's
// buckets: a healthy local server answers in a millisecond or two, a
// central one over a WAN in tens of milliseconds, and anything near the
// transaction time-out (2 s) is as good as lost to the client.
var LatencyBounds = [...]time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
	500 * time.Millisecond, time.Second, 2 * time.Second,
}

// LatencyHistogram is a snapshot of a histogram over LatencyBounds:
// Buckets[i] counts observations ≤ LatencyBounds[i] (not cumulative); Count
// and Sum cover all of them, those above the last bound included.
type LatencyHistogram struct {
	Buckets [len(LatencyBounds)]uint64
	Count   uint64
	Sum     time.Duration
}

// latencyHist is a lock-free fixed-bucket histogram, updated on the reply
// path with two atomic adds and read at scrape time.
type latencyHist struct {
	buckets [len(LatencyBounds)]atomic.Uint64
	count   atomic.Uint64
	sum     atomic.Int64
}

func (h *latencyHist) observe(d time.Duration) {
	for i, b := range LatencyBounds {
		if d <= b {
			h.buckets[i].Add(1)
			break
		}
	}
	h.count.Add(1)
	h.sum.Add(int64(d))
}

func (h *latencyHist) snapshot() LatencyHistogram {
	var s LatencyHistogram
	for i := range h.buckets {
		s.Buckets[i] = h.buckets[i].Load()
	}
	s.Count, s.Sum = h.count.Load(), time.Duration(h.sum.Load())
	return s
}

func (h *latencyHist) clear() {
	for i := range h.buckets {
		h.buckets[i].Store(0)
	}
	h.count.Store(0)
	h.sum.Store(0)
}

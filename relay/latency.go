package relay

import (
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/relay/status"
)

// latencyHist is a lock-free fixed-bucket histogram, updated on the reply
// path with two atomic adds and read at scrape time.
type latencyHist struct {
	buckets [status.LatencyBuckets]atomic.Uint64
	count   atomic.Uint64
	sum     atomic.Int64
}

func (h *latencyHist) observe(d time.Duration) {
	for i, b := range status.LatencyBounds() {
		if d <= b {
			h.buckets[i].Add(1)
			break
		}
	}
	h.count.Add(1)
	h.sum.Add(int64(d))
}

func (h *latencyHist) snapshot() status.LatencyHistogram {
	var s status.LatencyHistogram
	for i := range h.buckets {
		s.Buckets[i] = h.buckets[i].Load()
	}
	s.Count, s.Sum = h.count.Load(), time.Duration(h.sum.Load())
	return s
}

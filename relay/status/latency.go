package status

import "time"

// LatencyBuckets is the number of buckets of the transaction-latency
// histogram.
const LatencyBuckets = 11

// LatencyBounds returns the upper bounds of the transaction-latency
// histogram's buckets: a healthy local server answers in a millisecond or
// two, a central one over a WAN in tens of milliseconds, and anything near
// the transaction time-out (2 s) is as good as lost to the client. It
// returns a copy: the bounds cannot be changed.
func LatencyBounds() [LatencyBuckets]time.Duration {
	return [LatencyBuckets]time.Duration{
		time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
		25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
		500 * time.Millisecond, time.Second, 2 * time.Second,
	}
}

// LatencyHistogram is a snapshot of a histogram over LatencyBounds:
// Buckets[i] counts observations ≤ LatencyBounds()[i] (not cumulative);
// Count and Sum cover all of them, those above the last bound included.
type LatencyHistogram struct {
	Buckets [LatencyBuckets]uint64
	Count   uint64
	Sum     time.Duration
}

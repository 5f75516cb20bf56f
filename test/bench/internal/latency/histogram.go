package latency

import (
	"math/bits"
	"time"
)

// subBits is the number of significant bits kept: values are exact below
// 2^subBits ns and within 2^-subBits (relative) above.
const subBits = 8

const (
	sub      = 1 << subBits
	nBuckets = sub + (64-subBits)*sub
)

// Histogram counts durations. The zero value is empty and ready. It is not
// safe for concurrent use: one goroutine records, and it is read after that
// goroutine is done.
type Histogram struct {
	counts [nBuckets]uint64
	n      uint64
}

// Record adds d; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	h.counts[bucket(uint64(max(d, 0)))]++
	h.n++
}

// Count returns the number of durations recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Merge adds the counts of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// Quantile returns the smallest recorded value v (to the histogram's
// precision: the middle of v's bucket) such that a fraction q of the
// durations are ≤ v. It returns 0 when the histogram is empty; q is clamped
// to [0, 1].
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := uint64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bounds(i)
			return time.Duration(lo + (hi-lo)/2)
		}
	}
	return 0 // unreachable: the counts add up to n
}

// bucket returns the bucket of v.
func bucket(v uint64) int {
	if v < sub {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1 // v>>shift is in [sub, 2*sub)
	return sub + shift*sub + int(v>>shift) - sub
}

// bounds returns the smallest and largest value of bucket i.
func bounds(i int) (lo, hi uint64) {
	if i < sub {
		return uint64(i), uint64(i)
	}
	shift := (i - sub) / sub
	m := uint64(sub + (i-sub)%sub)
	return m << shift, (m+1)<<shift - 1
}

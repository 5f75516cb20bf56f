package ratelimit

import (
	"math"
	"time"
)

// maxInterval bounds the time one request costs (about 18 minutes), so that
// burst × interval never overflows an int64 of nanoseconds.
const maxInterval = int64(1) << 40

// maxBurst bounds a bucket's size; with maxInterval, their product stays
// below 1<<62 nanoseconds.
const maxBurst = 1 << 21

// limit is a rate and a burst as the GCRA sees them: a request costs
// interval nanoseconds of credit and a bucket holds tolerance nanoseconds
// of it on top of the request being admitted. The zero limit is unlimited.
type limit struct {
	interval  int64 // nanoseconds per request; 0 = unlimited
	tolerance int64 // (burst-1) × interval
}

// newLimit converts a rate in requests per second and a burst. A rate that
// is not positive (or NaN or +Inf) is unlimited; a burst below 1 is one
// second's worth of requests, at least 1.
func newLimit(rate float64, burst int) limit {
	if !(rate > 0) || math.IsInf(rate, 1) {
		return limit{}
	}
	iv := float64(time.Second) / rate
	interval := int64(min(max(iv, 1), float64(maxInterval)))
	burst = effectiveBurst(rate, burst)
	return limit{interval: interval, tolerance: int64(burst-1) * interval}
}

// effectiveBurst is the burst newLimit uses for a positive rate: burst, or
// one second's worth of rate when burst is below 1, within 1..maxBurst.
func effectiveBurst(rate float64, burst int) int {
	if burst < 1 {
		burst = int(min(math.Ceil(rate), maxBurst))
	}
	return min(max(burst, 1), maxBurst)
}

// unlimited reports whether l lets everything through.
func (l limit) unlimited() bool { return l.interval == 0 }

// conform returns the bucket state (the theoretical arrival time, TAT) after
// admitting one request at now, and whether the request conforms. A bucket
// whose TAT is at or before now is full.
func (l limit) conform(tat, now int64) (next int64, ok bool) {
	tat = max(tat, now)
	if tat-now > l.tolerance {
		return tat, false
	}
	return tat + l.interval, true
}

// full reports whether a bucket of state tat has refilled completely at now.
func (l limit) full(tat, now int64) bool { return tat <= now }

package ratelimit

import (
	"sync/atomic"
	"time"
)

// Helper is the ceiling on requests sent to one helper (DHCP server),
// shared by every interface that relays to it. It is safe for concurrent
// use and never blocks: Allow is one compare-and-swap loop, with no
// allocation.
type Helper struct {
	epoch time.Time
	limit limit
	tat   atomic.Int64
}

// NewHelper returns the limiter of one helper: rate requests per second
// (not positive: unlimited) with a burst of burst (below 1: one second's
// worth), with a full bucket at now.
func NewHelper(rate float64, burst int, now time.Time) *Helper {
	return &Helper{epoch: now, limit: newLimit(rate, burst)}
}

// Allow reports whether one more request may go to the helper at now, and
// counts it if so. A nil *Helper allows everything.
func (h *Helper) Allow(now time.Time) bool {
	if h == nil || h.limit.unlimited() {
		return true
	}
	t := int64(now.Sub(h.epoch))
	for {
		tat := h.tat.Load()
		next, ok := h.limit.conform(tat, t)
		if !ok {
			return false
		}
		if h.tat.CompareAndSwap(tat, next) {
			return true
		}
	}
}

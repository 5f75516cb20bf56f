package iface

import (
	"testing"
	"time"
)

// TestPollSleepSleeps: PollSleep waits its duration. A signal (the runtime's
// preemption) may cut one sleep short, so one of a few must last it whole.
func TestPollSleepSleeps(t *testing.T) {
	const d = 20 * time.Millisecond
	var longest time.Duration
	for range 5 {
		start := time.Now()
		PollSleep(d)
		longest = max(longest, time.Since(start))
		if longest >= d {
			return
		}
	}
	t.Fatalf("the longest of 5 sleeps of %v took %v", d, longest)
}

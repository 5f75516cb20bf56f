package health

import "time"

// Reconfigure applies a reloaded down-after and transaction time-out (a
// value of 0 or less takes its default) without losing the state, the
// pending transactions or the counters. A transaction already pending
// times out by the new time-out, and the streak of unanswered ones so far
// is compared with the new down-after at the next time-out. It is safe for
// concurrent use.
func (t *Tracker) Reconfigure(downAfter int, timeout time.Duration) {
	if downAfter <= 0 {
		downAfter = DefaultDownAfter
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg.DownAfter, t.cfg.Timeout = downAfter, timeout
	t.downReason = downReason(t.cfg)
}

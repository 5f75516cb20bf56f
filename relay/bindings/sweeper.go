package bindings

import (
	"context"
	"time"
)

// DefaultSweepInterval is how often a Sweeper removes expired bindings.
const DefaultSweepInterval = time.Minute

// Sweeper is the daemon task that removes expired bindings from a table
// now and then, so that memory follows the live leases. List and Lookup
// hide expired bindings without it.
type Sweeper struct {
	table    *Table
	interval time.Duration
	now      func() time.Time
}

// NewSweeper returns a task that sweeps t every interval (<= 0 means
// DefaultSweepInterval), reading the time from now (nil means time.Now).
func NewSweeper(t *Table, interval time.Duration, now func() time.Time) *Sweeper {
	if interval <= 0 {
		interval = DefaultSweepInterval
	}
	if now == nil {
		now = time.Now
	}
	return &Sweeper{table: t, interval: interval, now: now}
}

// String names the task.
func (s *Sweeper) String() string { return "binding table sweeper" }

// Run sweeps until ctx ends; it always returns nil.
func (s *Sweeper) Run(ctx context.Context) error {
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			s.table.Sweep(s.now())
		}
	}
}

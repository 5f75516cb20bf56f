package pace

import (
	"testing"
	"time"
)

// step is what a loop sees: n packets read over d (spread evenly), then,
// when idle is set, a read that finds nothing.
type step struct {
	n    int
	d    time.Duration
	idle bool
	want bool // polling after the step
}

func TestPacer(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		rate  int // packets per second to poll at
		steps []step
	}{
		{"never when off", 0, []step{{1000, 10 * ms, true, false}, {100000, 10 * ms, true, false}}},
		{"waits at a low rate", 8000, []step{{1, 2 * ms, false, false}, {10, 20 * ms, false, false}, {79, 100 * ms, false, false}}},
		{"polls at the threshold", 8000, []step{{80, 10 * ms, false, true}}},
		{"a burst reaches it early", 8000, []step{{80, 1 * ms, false, true}}},
		{"just under it waits", 8000, []step{{79, 9 * ms, false, false}, {0, 5 * ms, false, false}, {79, 9 * ms, false, false}}},
		{"a window is 10 ms", 8000, []step{{60, 9 * ms, false, false}, {30, 9 * ms, false, false}}},
		{"keeps polling above half", 8000, []step{{80, 5 * ms, false, true}, {0, 6 * ms, true, true}, {40, 10 * ms, true, true}, {41, 10 * ms, true, true}}},
		{"stops below half", 8000, []step{{80, 5 * ms, false, true}, {0, 6 * ms, true, true}, {39, 11 * ms, true, false}}},
		{"stops after a quiet spell", 8000, []step{{80, 5 * ms, false, true}, {80, 10 * time.Second, true, false}}},
		{"polls on within a window", 8000, []step{{80, 2 * ms, false, true}, {0, ms, true, true}, {0, ms, true, true}}},
		{"idle does nothing while waiting", 8000, []step{{10, 10 * ms, true, false}}},
		{"a tiny threshold needs a packet", 1, []step{{0, 10 * ms, true, false}, {1, 10 * ms, false, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(tt.rate)
			now := time.Unix(1000, 0)
			for i, s := range tt.steps {
				for range s.n {
					now = now.Add(s.d / time.Duration(s.n))
					p.Read(now)
				}
				if s.n == 0 {
					now = now.Add(s.d)
				}
				got := p.Polling()
				if s.idle {
					got = p.Idle(now)
				}
				if got != s.want || p.Polling() != got {
					t.Fatalf("step %d (%d packets in %v, idle %v): polling %v; want %v", i, s.n, s.d, s.idle, got, s.want)
				}
			}
		})
	}
}

func TestReadReportsTheMode(t *testing.T) {
	p := New(1000) // 10 packets per window
	now := time.Unix(1000, 0)
	for i := range 10 {
		if got := p.Read(now); got != (i == 9) {
			t.Fatalf("packet %d: Read %v", i, got)
		}
	}
}

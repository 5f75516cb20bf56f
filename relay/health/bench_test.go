package health

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// warm runs n forward+answer pairs so that the tracker's map has seen as
// many keys as it will hold.
func warm(tr *Tracker, n int) time.Time {
	now := t0
	for i := range n {
		k := txn(uint32(i), 1)
		tr.Forwarded(k, now)
		tr.Answered(k, now.Add(time.Millisecond))
		now = now.Add(time.Microsecond)
	}
	return now
}

// BenchmarkForwardedAnswered is the hot path: every request forwarded
// and answered, the clients' xids never repeating.
func BenchmarkForwardedAnswered(b *testing.B) {
	tr := NewTracker(Config{})
	now := warm(tr, 2*DefaultMaxPending)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := txn(uint32(i), 2)
		tr.Forwarded(k, now)
		tr.Answered(k, now.Add(3*time.Millisecond))
		now = now.Add(time.Microsecond)
	}
}

// BenchmarkForwardedTimedOut is the upstream-down path: nothing is
// answered, every transaction times out.
func BenchmarkForwardedTimedOut(b *testing.B) {
	tr := NewTracker(Config{Timeout: time.Millisecond})
	now := warm(tr, 2*DefaultMaxPending)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		tr.Forwarded(txn(uint32(i), 2), now)
		now = now.Add(10 * time.Microsecond)
	}
}

// BenchmarkForwardedEvicted is a storm beyond MaxPending: every forward
// evicts the oldest.
func BenchmarkForwardedEvicted(b *testing.B) {
	tr := NewTracker(Config{MaxPending: 256, Timeout: time.Hour})
	now := warm(tr, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		tr.Forwarded(txn(uint32(i), 2), now)
		now = now.Add(time.Microsecond)
	}
}

// BenchmarkParallel is the request and the reply path on two goroutines
// and more, contending for the mutex.
func BenchmarkParallel(b *testing.B) {
	tr := NewTracker(Config{})
	now := warm(tr, 2*DefaultMaxPending)
	var seq atomic.Uint32
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := txn(seq.Add(1), 3)
			tr.Forwarded(k, now)
			tr.Answered(k, now.Add(time.Millisecond))
		}
	})
}

// TestZeroAllocs checks that the hot calls allocate nothing once the
// tracker is warm.
func TestZeroAllocs(t *testing.T) {
	tr := NewTracker(Config{MaxPending: 512})
	now := warm(tr, 4096)
	var xid uint32
	tests := []struct {
		name string
		f    func()
	}{
		{name: "forwarded and answered", f: func() {
			xid++
			k := txn(xid, 4)
			tr.Forwarded(k, now)
			tr.Answered(k, now.Add(time.Millisecond))
		}},
		{name: "forwarded, evicting", f: func() {
			xid++
			tr.Forwarded(txn(xid, 5), now)
		}},
		{name: "forwarded, timing out", f: func() {
			xid++
			now = now.Add(3 * time.Second)
			tr.Forwarded(txn(xid, 6), now)
		}},
		{name: "learning server identifiers past the bound", f: func() {
			xid++
			id := netip.AddrFrom4([4]byte{198, 51, byte(xid >> 8), byte(xid)})
			tr.LearnServerID(id)
			tr.KnowsServerID(id)
		}},
		{name: "state, stats and transitions", f: func() {
			var buf [maxChanges]Change
			tr.State()
			tr.Stats()
			tr.Transitions(buf[:0])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(2000, tt.f); got != 0 {
				t.Errorf("%v allocations per call, want 0", got)
			}
		})
	}
}

package health

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// txn is a transaction key with the given xid and a one-byte chaddr.
func txn(xid uint32, mac byte) Txn {
	return Txn{XID: xid, CHAddr: [16]byte{0x02, 0, 0, 0, 0, mac}}
}

// step is one call on a Tracker at a fake time.
type step struct {
	at  time.Duration
	op  string // "fwd", "ans" or "exp"
	k   Txn
	ok  bool          // for "ans": the ok wanted
	lat time.Duration // for "ans": the latency wanted
}

// fwd and ans are a transaction of its own client: the chaddr follows
// the xid. fwdOf is one of client mac.
func fwd(d time.Duration, xid uint32) step { return step{at: d, op: "fwd", k: txn(xid, byte(xid))} }
func fwdOf(d time.Duration, xid uint32, mac byte) step {
	return step{at: d, op: "fwd", k: txn(xid, mac)}
}
func exp(d time.Duration) step { return step{at: d, op: "exp"} }
func ans(d time.Duration, xid uint32, ok bool, lat time.Duration) step {
	return step{at: d, op: "ans", k: txn(xid, byte(xid)), ok: ok, lat: lat}
}

// run applies the steps, checking each answer.
func run(t *testing.T, tr *Tracker, steps []step) {
	t.Helper()
	for i, s := range steps {
		switch s.op {
		case "fwd":
			tr.Forwarded(s.k, at(s.at))
		case "exp":
			tr.Expire(at(s.at))
		case "ans":
			lat, ok := tr.Answered(s.k, at(s.at))
			if diff := cmp.Diff([]any{s.lat, s.ok}, []any{lat, ok}); diff != "" {
				t.Errorf("step %d: Answered(xid %d) (-want +got):\n%s", i, s.k.XID, diff)
			}
		default:
			t.Fatalf("step %d: unknown op %q", i, s.op)
		}
	}
}

// view is what a test checks of a Tracker after its steps.
type view struct {
	State   State
	Since   time.Time
	Reason  string
	Changes []Change
	Stats   Stats
}

func TestTracker(t *testing.T) {
	const ms = time.Millisecond
	const s = time.Second
	down3 := "3 transactions in a row, from 3 different clients, got no reply within 2s"
	tests := []struct {
		name  string
		cfg   Config
		steps []step
		want  view
	}{
		{
			name: "starts up",
			want: view{State: Up, Since: t0, Reason: "no transaction has failed yet"},
		},
		{
			name:  "down after 3 timeouts",
			steps: []step{fwd(0, 1), fwd(0, 2), fwd(10*ms, 3), exp(2011 * ms)},
			want: view{
				State: Down, Since: at(2011 * ms), Reason: down3,
				Changes: []Change{{From: Up, To: Down, At: at(2011 * ms), Reason: down3}},
				Stats:   Stats{Forwarded: 3, TimedOut: 3, Streak: 3, StreakClients: 3},
			},
		},
		{
			name:  "two timeouts are not enough",
			steps: []step{fwd(0, 1), fwd(0, 2), exp(10 * s)},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 2, TimedOut: 2, Streak: 2, StreakClients: 2},
			},
		},
		{
			name: "a timeout counts only once it is older than Timeout",
			steps: []step{
				fwd(0, 1), fwd(0, 2), fwd(0, 3), exp(2 * s),
			},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 3, Pending: 3},
			},
		},
		{
			name: "an answer in between resets the streak",
			steps: []step{
				fwd(0, 1), fwd(0, 2), exp(2500 * ms),
				fwd(3*s, 3), ans(3100*ms, 3, true, 100*ms),
				fwd(4*s, 4), fwd(4*s, 5), exp(7 * s),
			},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{
					Forwarded: 5, Answered: 1, TimedOut: 4, Streak: 2, StreakClients: 2,
					LatencyP50: 100 * ms, LatencyP99: 100 * ms, LatencySamples: 1,
				},
			},
		},
		{
			name: "down, then up on a reply",
			steps: []step{
				fwd(0, 1), fwd(0, 2), fwd(0, 3), fwd(1500*ms, 4), exp(2100 * ms),
				ans(3*s, 4, true, 1500*ms),
			},
			want: view{
				State: Up, Since: at(3 * s), Reason: "upstream replied",
				Changes: []Change{
					{From: Up, To: Down, At: at(2100 * ms), Reason: down3},
					{From: Down, To: Up, At: at(3 * s), Reason: "upstream replied"},
				},
				Stats: Stats{
					Forwarded: 4, Answered: 1, TimedOut: 3,
					LatencyP50: 1500 * ms, LatencyP99: 1500 * ms, LatencySamples: 1,
				},
			},
		},
		{
			name: "an answer expires older transactions first",
			steps: []step{
				fwd(0, 1), fwd(0, 2), fwd(0, 3), fwd(1900*ms, 4),
				ans(2500*ms, 4, true, 600*ms),
			},
			want: view{
				State: Up, Since: at(2500 * ms), Reason: "upstream replied",
				Changes: []Change{
					{From: Up, To: Down, At: at(2500 * ms), Reason: down3},
					{From: Down, To: Up, At: at(2500 * ms), Reason: "upstream replied"},
				},
				Stats: Stats{
					Forwarded: 4, Answered: 1, TimedOut: 3,
					LatencyP50: 600 * ms, LatencyP99: 600 * ms, LatencySamples: 1,
				},
			},
		},
		{
			name:  "a reply after Timeout does not count",
			steps: []step{fwd(0, 1), ans(2001*ms, 1, false, 0)},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 1, TimedOut: 1, Streak: 1, StreakClients: 1},
			},
		},
		{
			name:  "a reply at exactly Timeout counts",
			steps: []step{fwd(0, 1), ans(2*s, 1, true, 2*s)},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 1, Answered: 1, LatencyP50: 2 * s, LatencyP99: 2 * s, LatencySamples: 1},
			},
		},
		{
			name: "retransmissions while pending count once, from the first send",
			steps: []step{
				fwd(0, 1), fwd(1*s, 1), fwd(1900*ms, 1), ans(1950*ms, 1, true, 1950*ms),
				fwd(3*s, 2), fwd(4*s, 2), exp(5100 * ms),
			},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{
					Forwarded: 2, Retransmitted: 3, Answered: 1, TimedOut: 1, Streak: 1, StreakClients: 1,
					LatencyP50: 1950 * ms, LatencyP99: 1950 * ms, LatencySamples: 1,
				},
			},
		},
		{
			name:  "a retransmission after the timeout is a new transaction, of the same client",
			steps: []step{fwd(0, 1), fwd(4*s, 1), fwd(12*s, 1), fwd(28*s, 1)},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 4, TimedOut: 3, Pending: 1, Streak: 3, StreakClients: 1},
			},
		},
		{
			name: "one client's timeouts count once, however many",
			steps: []step{
				fwdOf(0, 1, 7), fwdOf(0, 2, 7), fwdOf(0, 3, 7), fwdOf(0, 4, 7), fwdOf(0, 5, 7), exp(10 * s),
			},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 5, TimedOut: 5, Streak: 5, StreakClients: 1},
			},
		},
		{
			name: "two clients are not enough for down-after 3",
			steps: []step{
				fwdOf(0, 1, 7), fwdOf(0, 2, 7), fwdOf(0, 3, 8), fwdOf(0, 4, 8), fwdOf(0, 5, 7), exp(10 * s),
			},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 5, TimedOut: 5, Streak: 5, StreakClients: 2},
			},
		},
		{
			name: "down when the third client times out",
			steps: []step{
				fwdOf(0, 1, 7), fwdOf(0, 2, 7), fwdOf(0, 3, 8), fwdOf(0, 4, 7), exp(2100 * ms),
				fwdOf(3*s, 5, 9), exp(5100 * ms),
			},
			want: view{
				State: Down, Since: at(5100 * ms), Reason: down3,
				Changes: []Change{{From: Up, To: Down, At: at(5100 * ms), Reason: down3}},
				Stats:   Stats{Forwarded: 5, TimedOut: 5, Streak: 5, StreakClients: 3},
			},
		},
		{
			name: "an answer forgets the streak's clients",
			steps: []step{
				fwdOf(0, 1, 7), fwdOf(0, 2, 8), exp(2100 * ms),
				fwd(3*s, 3), ans(3100*ms, 3, true, 100*ms),
				fwdOf(4*s, 4, 9), fwdOf(4*s, 5, 7), exp(7 * s),
			},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{
					Forwarded: 5, Answered: 1, TimedOut: 4, Streak: 2, StreakClients: 2,
					LatencyP50: 100 * ms, LatencyP99: 100 * ms, LatencySamples: 1,
				},
			},
		},
		{
			name:  "a second reply is ignored",
			steps: []step{fwd(0, 1), ans(5*ms, 1, true, 5*ms), ans(6*ms, 1, false, 0)},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 1, Answered: 1, LatencyP50: 5 * ms, LatencyP99: 5 * ms, LatencySamples: 1},
			},
		},
		{
			name:  "a reply for an unknown transaction is ignored",
			steps: []step{fwd(0, 1), fwd(0, 2), fwd(0, 3), exp(3 * s), ans(3*s, 9, false, 0)},
			want: view{
				State: Down, Since: at(3 * s), Reason: down3,
				Changes: []Change{{From: Up, To: Down, At: at(3 * s), Reason: down3}},
				Stats:   Stats{Forwarded: 3, TimedOut: 3, Streak: 3, StreakClients: 3},
			},
		},
		{
			name: "same xid, another chaddr: another transaction",
			steps: []step{
				{at: 0, op: "fwd", k: txn(1, 1)}, {at: 0, op: "fwd", k: txn(1, 2)},
				{at: 10 * ms, op: "ans", k: txn(1, 2), ok: true, lat: 10 * ms},
			},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 2, Answered: 1, Pending: 1, LatencyP50: 10 * ms, LatencyP99: 10 * ms, LatencySamples: 1},
			},
		},
		{
			name: "MaxPending evicts the oldest, which is no failure",
			cfg:  Config{MaxPending: 2},
			steps: []step{
				fwd(0, 1), fwd(1*ms, 2), fwd(2*ms, 3), ans(3*ms, 1, false, 0),
				fwd(4*ms, 4), ans(5*ms, 4, true, 1*ms), exp(10 * s),
			},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{
					Forwarded: 4, Answered: 1, TimedOut: 1, Evicted: 2,
					Streak: 1, StreakClients: 1, LatencyP50: ms, LatencyP99: ms, LatencySamples: 1,
				},
			},
		},
		{
			name:  "down after 1, with its own timeout",
			cfg:   Config{DownAfter: 1, Timeout: 500 * ms},
			steps: []step{fwd(0, 1), exp(501 * ms), fwd(600*ms, 2), exp(2 * s)},
			want: view{
				State: Down, Since: at(501 * ms), Reason: "1 transaction got no reply within 500ms",
				Changes: []Change{{From: Up, To: Down, At: at(501 * ms), Reason: "1 transaction got no reply within 500ms"}},
				Stats:   Stats{Forwarded: 2, TimedOut: 2, Streak: 2, StreakClients: 1},
			},
		},
		{
			name:  "a clock step backwards gives latency 0",
			steps: []step{fwd(time.Second, 1), ans(900*ms, 1, true, 0)},
			want: view{
				State: Up, Since: t0, Reason: "no transaction has failed yet",
				Stats: Stats{Forwarded: 1, Answered: 1, LatencySamples: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Start = t0
			tr := NewTracker(cfg)
			run(t, tr, tt.steps)
			var got view
			got.State, got.Since, got.Reason = tr.State()
			got.Changes = tr.Transitions(nil)
			got.Stats = tr.Stats()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if again := tr.Transitions(nil); len(again) != 0 {
				t.Errorf("Transitions again = %v, want none", again)
			}
			if got, want := tr.Up(), tt.want.State == Up; got != want {
				t.Errorf("Up() = %v, want %v", got, want)
			}
		})
	}
}

func TestNewTrackerDefaults(t *testing.T) {
	got := NewTracker(Config{DownAfter: -1}).Config()
	want := Config{DownAfter: 3, Timeout: 2 * time.Second, MaxPending: 4096}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTransitionsKeepsTheLatest(t *testing.T) {
	tr := NewTracker(Config{DownAfter: 1, Timeout: time.Second, Start: t0})
	// Ten changes: down (xid i times out when 100+i is forwarded), then
	// up (100+i is answered).
	now := t0
	for i := range uint32(5) {
		tr.Forwarded(txn(i, 1), now)
		now = now.Add(1100 * time.Millisecond)
		tr.Forwarded(txn(100+i, 1), now)
		now = now.Add(500 * time.Millisecond)
		if _, ok := tr.Answered(txn(100+i, 1), now); !ok {
			t.Fatalf("answer %d not counted", i)
		}
	}
	got := tr.Transitions(make([]Change, 0, 16))
	if len(got) != maxChanges {
		t.Fatalf("got %d changes, want %d", len(got), maxChanges)
	}
	// The first two (the first down and up) were dropped.
	want := Change{From: Up, To: Down, At: t0.Add(2700 * time.Millisecond), Reason: "1 transaction got no reply within 1s"}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("oldest kept (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Up, got[len(got)-1].To); diff != "" {
		t.Errorf("newest (-want +got):\n%s", diff)
	}
}

func TestStateString(t *testing.T) {
	got := []string{Up.String(), Down.String(), State(9).String()}
	if diff := cmp.Diff([]string{"up", "down", "State(9)"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLatencyPercentiles(t *testing.T) {
	tests := []struct {
		name     string
		samples  int // latencies 1ms, 2ms, ... samples ms
		shuffle  bool
		p50, p99 time.Duration
		n        int
	}{
		{name: "none"},
		{name: "one", samples: 1, p50: time.Millisecond, p99: time.Millisecond, n: 1},
		{name: "two", samples: 2, p50: time.Millisecond, p99: 2 * time.Millisecond, n: 2},
		{name: "hundred", samples: 100, p50: 50 * time.Millisecond, p99: 99 * time.Millisecond, n: 100},
		{name: "hundred shuffled", samples: 100, shuffle: true, p50: 50 * time.Millisecond, p99: 99 * time.Millisecond, n: 100},
		// The ring keeps the last 128: 73ms..200ms.
		{name: "more than the ring", samples: 200, p50: 136 * time.Millisecond, p99: 199 * time.Millisecond, n: 128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(Config{Timeout: time.Second})
			for i := range tt.samples {
				k := txn(uint32(i), 1)
				tr.Forwarded(k, t0)
				lat := i + 1
				if tt.shuffle {
					lat = i*37%tt.samples + 1 // a permutation: 37 is prime to 100
				}
				tr.Answered(k, t0.Add(time.Duration(lat)*time.Millisecond))
			}
			st := tr.Stats()
			got := []any{st.LatencyP50, st.LatencyP99, st.LatencySamples}
			if diff := cmp.Diff([]any{tt.p50, tt.p99, tt.n}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// Stats sorts a copy: the ring's order is kept.
			if again := tr.Stats(); again != st {
				t.Errorf("second Stats = %+v, want %+v", again, st)
			}
		})
	}
}

// TestConcurrent runs the request path, the reply path and a reader on
// their own goroutines, as the relay does (run it with -race).
func TestConcurrent(t *testing.T) {
	tr := NewTracker(Config{MaxPending: 64, Start: t0})
	const n = 5000
	done := make(chan struct{})
	go func() { // reply path
		defer close(done)
		for i := range uint32(n) {
			tr.Answered(txn(i, 1), t0.Add(time.Duration(i)*time.Microsecond))
		}
	}()
	go func() { // a reader: show upstreams
		for {
			select {
			case <-done:
				return
			default:
				tr.Stats()
				tr.State()
				tr.Transitions(nil)
			}
		}
	}()
	for i := range uint32(n) { // request path
		tr.Forwarded(txn(i, 1), t0.Add(time.Duration(i)*time.Microsecond))
	}
	<-done
	st := tr.Stats()
	if st.Forwarded != n || st.Forwarded != st.Answered+st.TimedOut+st.Evicted+uint64(st.Pending) {
		t.Errorf("counters do not add up: %+v", st)
	}
}

package ratelimit

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is the injected clock's start.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	macA = [6]byte{0x02, 0, 0, 0, 0, 0xa}
	macB = [6]byte{0x02, 0, 0, 0, 0, 0xb}
)

// step is one request of a scripted run: who sends it, when (after t0),
// and how many times in a row.
type step struct {
	at    time.Duration
	mac   [6]byte
	count int
}

// run plays steps against a new Interface and returns the verdicts, run
// length encoded as "verdict×n" strings for readable diffs.
func run(cfg Config, steps []step) []string {
	l := NewInterface(cfg, t0)
	var out []string
	for _, s := range steps {
		n := max(s.count, 1)
		counts := map[Verdict]int{}
		var order []Verdict
		for range n {
			v := l.Allow(s.mac, t0.Add(s.at))
			if counts[v] == 0 {
				order = append(order, v)
			}
			counts[v]++
		}
		for _, v := range order {
			out = append(out, fmt.Sprintf("%s@%v:%s×%d", macName(s.mac), s.at, v, counts[v]))
		}
	}
	return out
}

func macName(m [6]byte) string {
	switch m {
	case macA:
		return "A"
	case macB:
		return "B"
	}
	return fmt.Sprintf("%x", m[:])
}

func TestInterfaceAllow(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		steps []step
		want  []string
	}{
		{
			name:  "unlimited lets everything through",
			cfg:   Config{},
			steps: []step{{0, macA, 10000}},
			want:  []string{"A@0s:allowed×10000"},
		},
		{
			name:  "client burst then refused",
			cfg:   Config{ClientRate: 10, ClientBurst: 20},
			steps: []step{{0, macA, 25}},
			want:  []string{"A@0s:allowed×20", "A@0s:client-rate-limit×5"},
		},
		{
			name: "client refill at the rate",
			cfg:  Config{ClientRate: 10, ClientBurst: 20},
			steps: []step{
				{0, macA, 20},
				{100 * time.Millisecond, macA, 2}, // one token back
				{time.Second, macA, 20},           // nine more
				{10 * time.Second, macA, 30},      // full again, no more
			},
			want: []string{
				"A@0s:allowed×20",
				"A@100ms:allowed×1", "A@100ms:client-rate-limit×1",
				"A@1s:allowed×9", "A@1s:client-rate-limit×11",
				"A@10s:allowed×20", "A@10s:client-rate-limit×10",
			},
		},
		{
			name: "a flooding client does not starve another",
			cfg:  Config{InterfaceRate: 100, InterfaceBurst: 30, ClientRate: 10, ClientBurst: 20},
			steps: []step{
				{0, macA, 1000},
				{0, macB, 5},
			},
			want: []string{"A@0s:allowed×20", "A@0s:client-rate-limit×980", "B@0s:allowed×5"},
		},
		{
			// The shares: 7.5/s burst 12 for anyone, 2.5/s burst 3 for
			// known clients. A's first request makes it known, so its
			// next ones could use the known share, but A's 10 all fit in
			// the new share's burst; B's first goes to the new share, its
			// next three to the known share, the fifth to the new share.
			// A second later, the shares have refilled 7 and 2 (the half
			// tokens wait).
			name: "interface limit across clients",
			cfg:  Config{InterfaceRate: 10, InterfaceBurst: 15, ClientRate: 10, ClientBurst: 10},
			steps: []step{
				{0, macA, 10},
				{0, macB, 10},
				{time.Second, macB, 20},
			},
			want: []string{
				"A@0s:allowed×10",
				"B@0s:allowed×5", "B@0s:interface-rate-limit×5",
				"B@1s:allowed×9", "B@1s:interface-rate-limit×11",
			},
		},
		{
			// The shares: 0.75/s for anyone, 0.25/s for known clients,
			// burst 1 each. B takes the new share's token; A is new, so
			// the known share's token is not for it, and its new-share
			// token is back 1.33 s later. Admitted, A is known: its
			// second request takes the known share's token, its third
			// meets its own limit.
			name: "interface limited request costs the client nothing",
			cfg:  Config{InterfaceRate: 1, InterfaceBurst: 1, ClientRate: 1, ClientBurst: 2},
			steps: []step{
				{0, macB, 1},
				{0, macA, 3},
				{time.Second, macA, 3},
				{1334 * time.Millisecond, macA, 3},
			},
			want: []string{
				"B@0s:allowed×1",
				"A@0s:interface-rate-limit×3",
				"A@1s:interface-rate-limit×3",
				"A@1.334s:allowed×2", "A@1.334s:client-rate-limit×1",
			},
		},
		{
			name:  "interface limit only",
			cfg:   Config{InterfaceRate: 1000, InterfaceBurst: 2000},
			steps: []step{{0, macA, 2500}, {500 * time.Millisecond, macB, 600}},
			want: []string{
				"A@0s:allowed×2000", "A@0s:interface-rate-limit×500",
				"B@500ms:allowed×500", "B@500ms:interface-rate-limit×100",
			},
		},
		{
			name:  "burst below 1 is one second's worth",
			cfg:   Config{ClientRate: 5},
			steps: []step{{0, macA, 7}},
			want:  []string{"A@0s:allowed×5", "A@0s:client-rate-limit×2"},
		},
		{
			name:  "slow rate: at least one request",
			cfg:   Config{ClientRate: 0.01},
			steps: []step{{0, macA, 2}, {99 * time.Second, macA, 1}, {100 * time.Second, macA, 1}},
			want: []string{
				"A@0s:allowed×1", "A@0s:client-rate-limit×1",
				"A@1m39s:client-rate-limit×1", "A@1m40s:allowed×1",
			},
		},
		{
			name:  "clock going backwards refuses, never panics",
			cfg:   Config{ClientRate: 1, ClientBurst: 1},
			steps: []step{{10 * time.Second, macA, 1}, {0, macA, 1}, {11 * time.Second, macA, 1}},
			want:  []string{"A@10s:allowed×1", "A@0s:client-rate-limit×1", "A@11s:allowed×1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, run(tt.cfg, tt.steps)); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
		})
	}
}

// nthMAC is a distinct locally administered MAC per n.
func nthMAC(n int) [6]byte {
	return [6]byte{0x02, 0xff, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

func TestInterfaceEviction(t *testing.T) {
	tests := []struct {
		name       string
		maxClients int
		flood      int
		// attackerStaysActive sends from macA between every flood MAC.
		attackerStaysActive bool
		wantA               Verdict // macA's verdict after the flood
		want                Stats
	}{
		{
			name:       "table never exceeds MaxClients",
			maxClients: 64, flood: 10000,
			wantA: Allowed, // macA was evicted: a fresh bucket
			want:  Stats{Clients: 64, Evictions: 10000 + 1 - 64, EvictedDraining: 10000 + 1 - 64},
		},
		{
			name:       "a MAC in use keeps its bucket",
			maxClients: 64, flood: 10000, attackerStaysActive: true,
			wantA: ClientLimited,
			want:  Stats{Clients: 64, Evictions: 10000 + 1 - 64, EvictedDraining: 10000 + 1 - 64},
		},
		{
			name:       "room for everyone",
			maxClients: 100000, flood: 10000,
			wantA: ClientLimited,
			want:  Stats{Clients: 10001},
		},
		{
			name:       "default bound",
			maxClients: 0, flood: DefaultMaxClients + 10,
			wantA: Allowed,
			want:  Stats{Clients: DefaultMaxClients, Evictions: 11, EvictedDraining: 11},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewInterface(Config{ClientRate: 1, ClientBurst: 1, MaxClients: tt.maxClients}, t0)
			if v := l.Allow(macA, t0); v != Allowed {
				t.Fatalf("first request: got %v", v)
			}
			bound := tt.maxClients
			if bound <= 0 {
				bound = DefaultMaxClients
			}
			for i := range tt.flood {
				l.Allow(nthMAC(i), t0)
				if tt.attackerStaysActive {
					l.Allow(macA, t0)
				}
				if n := l.Stats().Clients; n > bound {
					t.Fatalf("after %d MACs: %d clients held, more than %d", i+1, n, bound)
				}
			}
			if got := l.Allow(macA, t0); got != tt.wantA {
				t.Errorf("macA after the flood: got %v, want %v", got, tt.wantA)
			}
			if tt.wantA == Allowed {
				tt.want.Evictions++ // macA's return evicted one more
				tt.want.EvictedDraining++
			}
			if diff := cmp.Diff(tt.want, l.Stats()); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvictionOfRefilledBuckets(t *testing.T) {
	l := NewInterface(Config{ClientRate: 1, ClientBurst: 1, MaxClients: 2}, t0)
	for i := range 4 {
		l.Allow(nthMAC(i), t0.Add(time.Duration(i)*time.Minute))
	}
	want := Stats{Clients: 2, Evictions: 2}
	if diff := cmp.Diff(want, l.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestInterfaceLimitedAddsNoClient(t *testing.T) {
	l := NewInterface(Config{InterfaceRate: 1, InterfaceBurst: 1, ClientRate: 1, MaxClients: 10}, t0)
	for i := range 100 {
		l.Allow(nthMAC(i), t0)
	}
	if diff := cmp.Diff(Stats{Clients: 1}, l.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestAllowDoesNotAllocate(t *testing.T) {
	cfg := Config{InterfaceRate: 1e6, InterfaceBurst: 1e6, ClientRate: 1, ClientBurst: 1, MaxClients: 1024}
	l := NewInterface(cfg, t0)
	for i := range 2048 {
		l.Allow(nthMAC(i), t0)
	}
	now := t0
	n := 0
	tests := []struct {
		name string
		f    func()
	}{
		{"known MAC", func() { l.Allow(nthMAC(2047), now) }},
		{"new MAC, full table", func() { n++; now = now.Add(time.Microsecond); l.Allow(nthMAC(1<<20+n), now) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(10000, tt.f); got != 0 {
				t.Errorf("got %v allocations per Allow, want 0", got)
			}
		})
	}
}

func TestHelperAllow(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		burst int
		at    []time.Duration // one request each
		want  []bool
	}{
		{
			name: "unlimited", rate: 0,
			at:   []time.Duration{0, 0, 0},
			want: []bool{true, true, true},
		},
		{
			name: "burst then refill", rate: 2, burst: 2,
			at:   []time.Duration{0, 0, 0, 499 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second, 2 * time.Second, 2 * time.Second},
			want: []bool{true, true, false, false, true, false, true, true, false},
		},
		{
			name: "NaN rate is unlimited", rate: math.NaN(),
			at:   []time.Duration{0, 0},
			want: []bool{true, true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHelper(tt.rate, tt.burst, t0)
			var got []bool
			for _, d := range tt.at {
				got = append(got, h.Allow(t0.Add(d)))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Allow (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNilHelperAllows(t *testing.T) {
	var h *Helper
	if !h.Allow(t0) {
		t.Error("nil Helper refused a request")
	}
}

// TestHelperConcurrent checks, under -race, that goroutines sharing one
// Helper are admitted exactly the burst, and the refill, between them.
func TestHelperConcurrent(t *testing.T) {
	const goroutines, each, burst = 8, 10000, 1000
	h := NewHelper(1000, burst, t0)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for i := range each {
				// Time runs from 0 to 999ms across the requests.
				if h.Allow(t0.Add(time.Duration(i) * 100 * time.Microsecond)) {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	// The burst, plus at most the 999 refilled by the latest clock
	// reading; the goroutines' clocks interleave, so not fewer than burst.
	if got := allowed.Load(); got < burst || got > burst+999 {
		t.Errorf("allowed %d requests, want %d..%d", got, burst, burst+999)
	}
}

func TestNewLimitBounds(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		burst int
		want  limit
	}{
		{"zero", 0, 10, limit{}},
		{"negative", -1, 10, limit{}},
		{"infinite", math.Inf(1), 10, limit{}},
		{"NaN", math.NaN(), 10, limit{}},
		{"one per second", 1, 3, limit{interval: 1e9, tolerance: 2e9}},
		{"faster than a nanosecond", 1e12, 1, limit{interval: 1}},
		{"tiny rate clamps", 1e-300, 1, limit{interval: maxInterval}},
		{"huge burst clamps", 1e-300, math.MaxInt, limit{interval: maxInterval, tolerance: (maxBurst - 1) * maxInterval}},
		{"huge rate, default burst clamps", 1e300, 0, limit{interval: 1, tolerance: maxBurst - 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newLimit(tt.rate, tt.burst)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(limit{})); diff != "" {
				t.Errorf("newLimit(%v, %d) (-want +got):\n%s", tt.rate, tt.burst, diff)
			}
		})
	}
}

func TestVerdictString(t *testing.T) {
	got := []string{Allowed.String(), InterfaceLimited.String(), ClientLimited.String(), Verdict(9).String()}
	want := []string{"allowed", "interface-rate-limit", "client-rate-limit", "Verdict(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("String (-want +got):\n%s", diff)
	}
}

// floodConfig is the limits of the flood tests: the interface at 200/s
// (burst 400), so its new share is 150/s (burst 300) and its known share
// 50/s (burst 100).
var floodConfig = Config{InterfaceRate: 200, InterfaceBurst: 400, ClientRate: 10, ClientBurst: 20}

// flood plays, against l, a flood of never-seen MACs at 1000/s (one per
// millisecond) from from to to, interleaved with the requests of sender:
// at each millisecond the flood's frame comes first, then sender's
// request if one is due. It returns the flood's admitted requests and the
// verdicts of sender's requests, in order.
func flood(l *Interface, from, to time.Duration, sender [6]byte, sends []time.Duration, seq *int) (admitted int, verdicts []Verdict) {
	for at := from; at < to; at += time.Millisecond {
		*seq++
		if l.Allow(nthMAC(*seq), t0.Add(at)) == Allowed {
			admitted++
		}
		for len(sends) > 0 && sends[0] < at+time.Millisecond {
			verdicts = append(verdicts, l.Allow(sender, t0.Add(max(at, sends[0]))))
			sends = sends[1:]
		}
	}
	return admitted, verdicts
}

// everySecond is one request at each whole second from first to last,
// offset by off.
func everySecond(first, last int, off time.Duration) []time.Duration {
	var out []time.Duration
	for s := first; s <= last; s++ {
		out = append(out, time.Duration(s)*time.Second+off)
	}
	return out
}

// repeat is n times v.
func repeat(v Verdict, n int) []Verdict {
	out := make([]Verdict, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestKnownClientSurvivesRandomMACFlood floods the interface with never-seen
// MACs at five times its rate while a known client sends once a second:
// the flood drains only the new share, and every request of the known
// client passes on the known share.
func TestKnownClientSurvivesRandomMACFlood(t *testing.T) {
	l := NewInterface(floodConfig, t0)
	if v := l.Allow(macA, t0); v != Allowed {
		t.Fatalf("macA's first request: got %v, want allowed", v)
	}
	seq := 0
	admitted, got := flood(l, 0, 30*time.Second, macA, everySecond(1, 29, 0), &seq)
	if diff := cmp.Diff(repeat(Allowed, 29), got); diff != "" {
		t.Errorf("the known client's requests during the flood (-want +got):\n%s", diff)
	}
	// The new share, fully used: its burst and 150/s, less a token or two
	// still accruing behind the millisecond steps.
	if lo, hi := 150*30+300-2, 150*30+300; admitted < lo || admitted > hi {
		t.Errorf("the flood had %d requests admitted in 30 s, want %d..%d", admitted, lo, hi)
	}
}

// TestNewClientDuringRandomMACFlood: a client the limiter does not know
// competes with the flood for the new share. Sending right behind a flood
// frame, it finds the share empty every time, and being refused it stays
// unknown; once one of its requests gets in (here in a pause of the
// flood), it is known and all its next requests pass.
func TestNewClientDuringRandomMACFlood(t *testing.T) {
	l := NewInterface(floodConfig, t0)
	seq := 0
	_, before := flood(l, 0, 10*time.Second, macB, everySecond(1, 9, 0), &seq)
	if diff := cmp.Diff(repeat(InterfaceLimited, 9), before); diff != "" {
		t.Errorf("the new client's requests behind the flood's frames (-want +got):\n%s", diff)
	}
	// The flood pauses for 10 ms: a new-share token accrues.
	if v := l.Allow(macB, t0.Add(10*time.Second+10*time.Millisecond)); v != Allowed {
		t.Fatalf("the new client's request in the pause: got %v, want allowed", v)
	}
	_, after := flood(l, 10*time.Second+10*time.Millisecond, 30*time.Second, macB, everySecond(11, 29, 0), &seq)
	if diff := cmp.Diff(repeat(Allowed, 19), after); diff != "" {
		t.Errorf("the now known client's requests during the flood (-want +got):\n%s", diff)
	}
}

// TestInterfaceBoundWithKnownMACs: an attacker that reuses its admitted
// MACs makes them known, so it may use both shares, but the interface as a
// whole still admits no more than its rate and burst.
func TestInterfaceBoundWithKnownMACs(t *testing.T) {
	cfg := floodConfig
	cfg.ClientRate, cfg.ClientBurst = 1000, 1000 // the per-client limit out of the way
	l := NewInterface(cfg, t0)
	const d = 10 * time.Second
	admitted := 0
	for at := time.Duration(0); at < d; at += time.Millisecond {
		// One never-seen MAC and one of 50 reused MACs each millisecond.
		for _, mac := range [][6]byte{nthMAC(1000 + int(at/time.Millisecond)), nthMAC(int(at/time.Millisecond) % 50)} {
			if l.Allow(mac, t0.Add(at)) == Allowed {
				admitted++
			}
		}
	}
	if limit := 200*int(d/time.Second) + 400; admitted > limit {
		t.Errorf("admitted %d requests in %s, want at most %d (200/s + burst 400)", admitted, d, limit)
	}
	if admitted < 200*int(d/time.Second) {
		t.Errorf("admitted %d requests in %s, want the interface's rate used (at least %d)", admitted, d, 200*int(d/time.Second))
	}
}

func TestSplitLimit(t *testing.T) {
	tests := []struct {
		name          string
		rate          float64
		burst         int
		anyone, known limit
	}{
		{"200/s burst 400", 200, 400,
			limit{interval: 6666666, tolerance: 299 * 6666666}, limit{interval: 20e6, tolerance: 99 * 20e6}},
		{"burst below 1: one second's worth", 200, 0,
			limit{interval: 6666666, tolerance: 149 * 6666666}, limit{interval: 20e6, tolerance: 49 * 20e6}},
		{"burst 1: one each", 4, 1,
			limit{interval: 333333333}, limit{interval: 1e9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			anyone, known := splitLimit(tt.rate, tt.burst)
			if diff := cmp.Diff([]limit{tt.anyone, tt.known}, []limit{anyone, known}, cmp.AllowUnexported(limit{})); diff != "" {
				t.Errorf("splitLimit(%v, %d) (-want +got):\n%s", tt.rate, tt.burst, diff)
			}
		})
	}
}

package bindings

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTable(t *testing.T) {
	type step struct {
		learn   *Binding
		forget  string // address
		release [2]string
		nak     [2]string // interface, MAC
		sweep   time.Duration
	}
	tests := []struct {
		name     string
		capacity int
		steps    []step
		query    Query
		now      time.Duration
		want     []Binding
		stats    Stats
	}{
		{
			name: "learned bindings are listed by address",
			steps: []step{
				{learn: ptr(bind("203.0.113.20", "02:00:00:00:00:02", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour))},
			},
			want: []Binding{
				bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour),
				bind("203.0.113.20", "02:00:00:00:00:02", "eth1", time.Hour),
			},
			stats: Stats{Entries: 2, Learned: 2},
		},
		{
			name: "expired bindings are not listed",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Minute))},
				{learn: ptr(bind("203.0.113.20", "02:00:00:00:00:02", "eth1", time.Hour))},
			},
			now:   time.Minute,
			want:  []Binding{bind("203.0.113.20", "02:00:00:00:00:02", "eth1", time.Hour)},
			stats: Stats{Entries: 2, Learned: 2},
		},
		{
			name: "infinite lease never expires",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", 0))},
				{sweep: 1000 * time.Hour},
			},
			now:   1000 * time.Hour,
			want:  []Binding{bind("203.0.113.10", "02:00:00:00:00:01", "eth1", 0)},
			stats: Stats{Entries: 1, Learned: 1},
		},
		{
			name: "renewal moves the expiry",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Minute))},
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", 2*time.Hour))},
			},
			now:   time.Hour,
			want:  []Binding{bind("203.0.113.10", "02:00:00:00:00:01", "eth1", 2*time.Hour)},
			stats: Stats{Entries: 1, Learned: 2},
		},
		{
			name: "a client's new address on the same interface replaces the old one",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.11", "02:00:00:00:00:01", "eth1", time.Hour))},
			},
			want:  []Binding{bind("203.0.113.11", "02:00:00:00:00:01", "eth1", time.Hour)},
			stats: Stats{Entries: 1, Learned: 2},
		},
		{
			name: "the same MAC on another interface keeps both",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.140", "02:00:00:00:00:01", "eth2", time.Hour))},
			},
			want: []Binding{
				bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour),
				bind("203.0.113.140", "02:00:00:00:00:01", "eth2", time.Hour),
			},
			stats: Stats{Entries: 2, Learned: 2},
		},
		{
			name: "an address given to another client changes hands",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:02", "eth1", time.Hour))},
				{nak: [2]string{"eth1", "02:00:00:00:00:01"}}, // the old owner's NAK must not remove it
			},
			want:  []Binding{bind("203.0.113.10", "02:00:00:00:00:02", "eth1", time.Hour)},
			stats: Stats{Entries: 1, Learned: 2},
		},
		{
			name:     "full table evicts the binding that expires first",
			capacity: 2,
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", 0))},
				{learn: ptr(bind("203.0.113.11", "02:00:00:00:00:02", "eth1", time.Minute))},
				{learn: ptr(bind("203.0.113.12", "02:00:00:00:00:03", "eth1", time.Hour))},
			},
			want: []Binding{
				bind("203.0.113.10", "02:00:00:00:00:01", "eth1", 0),
				bind("203.0.113.12", "02:00:00:00:00:03", "eth1", time.Hour),
			},
			stats: Stats{Entries: 2, Learned: 3, Evicted: 1},
		},
		{
			name: "forget, release by the owner, NAK",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.11", "02:00:00:00:00:02", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.12", "02:00:00:00:00:03", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.13", "02:00:00:00:00:04", "eth1", time.Hour))},
				{forget: "203.0.113.10"},
				{release: [2]string{"203.0.113.11", "02:00:00:00:00:02"}},
				{release: [2]string{"203.0.113.12", "02:00:00:00:00:99"}}, // not the owner: kept
				{nak: [2]string{"eth1", "02:00:00:00:00:04"}},
				{nak: [2]string{"eth2", "02:00:00:00:00:03"}}, // other interface: kept
			},
			want:  []Binding{bind("203.0.113.12", "02:00:00:00:00:03", "eth1", time.Hour)},
			stats: Stats{Entries: 1, Learned: 4, Forgotten: 3},
		},
		{
			name: "sweep removes expired bindings",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Minute))},
				{learn: ptr(bind("203.0.113.11", "02:00:00:00:00:02", "eth1", 2*time.Minute))},
				{learn: ptr(bind("203.0.113.12", "02:00:00:00:00:03", "eth1", time.Hour))},
				{sweep: 2 * time.Minute},
			},
			want:  []Binding{bind("203.0.113.12", "02:00:00:00:00:03", "eth1", time.Hour)},
			stats: Stats{Entries: 1, Learned: 3, Expired: 2},
		},
		{
			name: "query by MAC",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.11", "02:00:00:00:00:02", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.140", "02:00:00:00:00:01", "eth2", time.Hour))},
			},
			query: Query{MAC: mustMAC("02:00:00:00:00:01")},
			want: []Binding{
				bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour),
				bind("203.0.113.140", "02:00:00:00:00:01", "eth2", time.Hour),
			},
			stats: Stats{Entries: 3, Learned: 3},
		},
		{
			name: "query by address",
			steps: []step{
				{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour))},
				{learn: ptr(bind("203.0.113.11", "02:00:00:00:00:02", "eth1", time.Hour))},
			},
			query: Query{Addr: addr("203.0.113.11")},
			want:  []Binding{bind("203.0.113.11", "02:00:00:00:00:02", "eth1", time.Hour)},
			stats: Stats{Entries: 2, Learned: 2},
		},
		{
			name:  "query by address of an expired binding",
			steps: []step{{learn: ptr(bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Minute))}},
			query: Query{Addr: addr("203.0.113.10")},
			now:   time.Hour,
			want:  nil,
			stats: Stats{Entries: 1, Learned: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := New(tt.capacity)
			for _, s := range tt.steps {
				switch {
				case s.learn != nil:
					if !tb.Learn(*s.learn) {
						t.Fatalf("Learn(%v) = false", s.learn.Addr)
					}
				case s.forget != "":
					tb.Forget(addr(s.forget))
				case s.release[0] != "":
					tb.Release(addr(s.release[0]), mustMAC(s.release[1]))
				case s.nak[0] != "":
					tb.ForgetClient(s.nak[0], mustMAC(s.nak[1]))
				case s.sweep != 0:
					tb.Sweep(t0.Add(s.sweep))
				}
				checkHeap(t, tb)
			}
			got := tb.Select(t0.Add(tt.now), tt.query)
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("Select (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stats, tb.Stats()); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestLearnRejectsNonUnicast(t *testing.T) {
	for _, a := range []netip.Addr{{}, addr("0.0.0.0"), addr("255.255.255.255"), addr("224.0.0.1"), addr("2001:db8::1")} {
		t.Run(a.String(), func(t *testing.T) {
			tb := New(0)
			if tb.Learn(Binding{Addr: a, MAC: mustMAC("02:00:00:00:00:01")}) {
				t.Errorf("Learn(%v) = true, want false", a)
			}
			if n := tb.Stats().Entries; n != 0 {
				t.Errorf("table holds %d entries", n)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tb := New(0)
	b := bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour)
	tb.Learn(b)
	tests := []struct {
		name   string
		addr   string
		now    time.Duration
		want   Binding
		wantOK bool
	}{
		{name: "present", addr: "203.0.113.10", want: b, wantOK: true},
		{name: "absent", addr: "203.0.113.11"},
		{name: "expired", addr: "203.0.113.10", now: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tb.Lookup(addr(tt.addr), t0.Add(tt.now))
			if ok != tt.wantOK {
				t.Fatalf("Lookup ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("Lookup (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in      string
		want    Query
		wantErr string
	}{
		{in: "", want: Query{}},
		{in: "203.0.113.10", want: Query{Addr: addr("203.0.113.10")}},
		{in: "02:00:00:00:00:01", want: Query{MAC: mustMAC("02:00:00:00:00:01")}},
		{in: "0200.0000.0001", want: Query{MAC: mustMAC("02:00:00:00:00:01")}},
		{in: "2001:db8::1", wantErr: `bad binding query "2001:db8::1": not an IPv4 address`},
		{in: "host1", wantErr: `bad binding query "host1": neither an IPv4 address nor a MAC address`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseQuery(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseQuery error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("ParseQuery (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTableRandom runs random operations against a small table and checks
// that the indexes stay consistent and the capacity holds.
func TestTableRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tb := New(50)
	for i := range 20000 {
		a := netip.AddrFrom4([4]byte{203, 0, 113, byte(rng.IntN(120))})
		mac := net.HardwareAddr{2, 0, 0, 0, 0, byte(rng.IntN(80))}
		ifname := fmt.Sprintf("eth%d", rng.IntN(3))
		switch rng.IntN(6) {
		case 0:
			tb.Forget(a)
		case 1:
			tb.Release(a, mac)
		case 2:
			tb.ForgetClient(ifname, mac)
		case 3:
			now := t0.Add(time.Duration(i) * time.Second)
			tb.Sweep(now)
			for _, b := range tb.List(t0) {
				if b.Expired(now) {
					t.Fatalf("op %d: %v (expiring %v) survived a sweep at %v", i, b.Addr, b.Expiry, now)
				}
			}
		default:
			exp := time.Duration(i+rng.IntN(600)) * time.Second
			if rng.IntN(20) == 0 {
				exp = 0
			}
			b := Binding{Addr: a, MAC: mac, Interface: ifname}
			if exp != 0 {
				b.Expiry = t0.Add(exp)
			}
			tb.Learn(b)
		}
		if n := tb.Stats().Entries; n > 50 {
			t.Fatalf("table holds %d entries, capacity 50", n)
		}
	}
	checkHeap(t, tb)
}

// TestRenewalsAndExpiry: a renewal that moves a lease later (left lazy in
// the heap) or earlier (moved at once) changes what a sweep removes and
// what a full table evicts, exactly as if the heap were kept eager.
func TestRenewalsAndExpiry(t *testing.T) {
	a, b, c, d := "203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13"
	addrs := func(tb *Table) []string {
		var s []string
		for _, x := range tb.List(t0) {
			s = append(s, x.Addr.String())
		}
		return s
	}
	tb := New(3)
	tb.Learn(bind(a, "02:00:00:00:00:0a", "eth1", 10*time.Second))
	tb.Learn(bind(b, "02:00:00:00:00:0b", "eth1", 20*time.Second))
	tb.Learn(bind(c, "02:00:00:00:00:0c", "eth1", 30*time.Second))
	tb.Learn(bind(a, "02:00:00:00:00:0a", "eth1", 40*time.Second)) // later: lazy
	tb.Learn(bind(d, "02:00:00:00:00:0d", "eth1", 50*time.Second)) // full: evicts b, the first to end
	if got, want := addrs(tb), []string{a, c, d}; !slices.Equal(got, want) {
		t.Fatalf("after an eviction: %v, want %v", got, want)
	}
	checkHeap(t, tb)
	if n := tb.Sweep(t0.Add(35 * time.Second)); n != 1 {
		t.Errorf("sweep at +35s removed %d, want 1 (c)", n)
	}
	if got, want := addrs(tb), []string{a, d}; !slices.Equal(got, want) {
		t.Fatalf("after the sweep at +35s: %v, want %v", got, want)
	}
	tb.Learn(bind(d, "02:00:00:00:00:0d", "eth1", 5*time.Second)) // earlier: moved at once
	if n := tb.Sweep(t0.Add(6 * time.Second)); n != 1 {
		t.Errorf("sweep at +6s removed %d, want 1 (d)", n)
	}
	if got, want := addrs(tb), []string{a}; !slices.Equal(got, want) {
		t.Fatalf("after the sweep at +6s: %v, want %v", got, want)
	}
	checkHeap(t, tb)
}

func BenchmarkLearnRenewal(b *testing.B) {
	tb := New(0)
	bd := bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour)
	tb.Learn(bd)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		bd.Expiry = t0.Add(time.Duration(i) * time.Second)
		tb.Learn(bd)
	}
}

func TestLearnRenewalDoesNotAllocate(t *testing.T) {
	tb := New(0)
	bd := bind("203.0.113.10", "02:00:00:00:00:01", "eth1", time.Hour)
	tb.Learn(bd)
	if n := testing.AllocsPerRun(1000, func() { tb.Learn(bd) }); n != 0 {
		t.Errorf("Learn of a known address allocates %v times, want 0", n)
	}
}

// BenchmarkLearnRenewalMany renews 4,096 leases in turn, each for an hour
// from now, as a storm of DORAs does: the heap of a real table.
func BenchmarkLearnRenewalMany(b *testing.B) {
	const n = 4096
	tb := New(0)
	bs := make([]Binding, n)
	for i := range bs {
		bs[i] = Binding{Addr: netip.AddrFrom4([4]byte{203, 0, byte(i >> 8), byte(i)}), MAC: net.HardwareAddr{2, 0, 0, 0, byte(i >> 8), byte(i)}, Interface: "eth1", Expiry: t0.Add(time.Hour)}
		tb.Learn(bs[i])
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		bd := &bs[(i*2654435761)%n] // a scattered order
		bd.Expiry = t0.Add(time.Hour + time.Duration(i)*time.Microsecond)
		tb.Learn(*bd)
	}
}

package trace

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHooks(t *testing.T) {
	helpers := []netip.AddrPort{netip.MustParseAddrPort("198.51.100.2:67")}
	server := netip.MustParseAddr("198.51.100.2")
	tests := []struct {
		name   string
		finish func(tr *Tracer, e *Event)
		from   netip.Addr
		want   string
	}{
		{
			name:   "relayed",
			finish: func(tr *Tracer, e *Event) { tr.EmitRelayed(e, "eth1", helpers) },
			want:   "2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 relayed to 198.51.100.2",
		},
		{
			name:   "delivered",
			from:   server,
			finish: func(tr *Tracer, e *Event) { tr.EmitDelivered(e, "eth1", netip.MustParseAddr("203.0.113.50"), false) },
			want:   "2026-03-01T14:02:11.123Z eth1 out DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 from 198.51.100.2 delivered to 203.0.113.50",
		},
		{
			name:   "fallback",
			finish: func(tr *Tracer, e *Event) { tr.EmitFallback(e, "eth1") },
			want:   "2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 handed to the fallback server",
		},
		{
			name:   "silent",
			finish: func(tr *Tracer, e *Event) { tr.EmitSilent(e, "eth1", "silent_not_ours") },
			want:   "2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 not answered by the fallback server: silent_not_ours",
		},
		{
			name:   "one send dropped",
			finish: func(tr *Tracer, e *Event) { tr.EmitDroppedSend(e, "eth1", "send_failed", helpers[0]) },
			want:   "2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 dropped: send_failed to 198.51.100.2",
		},
		{
			name:   "dropped",
			finish: func(tr *Tracer, e *Event) { tr.EmitDropped(e, "eth1", "max_hops") },
			want:   "2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 dropped: max_hops",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := New(4, func() time.Time { return t0 })
			ch, cancel := tr.Subscribe("")
			defer cancel()
			dir := In
			if tt.from.IsValid() {
				dir = Out
			}
			e := tr.Start(dir, tt.from, request())
			tt.finish(tr, e)
			got := drain(ch)
			if len(got) != 1 {
				t.Fatalf("%d events, want 1", len(got))
			}
			if diff := cmp.Diff(tt.want, Format(got[0])); diff != "" {
				t.Errorf("line (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHooksDisabledCostNothing is the relay's per-packet cost with nobody
// tracing: no allocation, and the finishing calls accept the nil event.
func TestHooksDisabledCostNothing(t *testing.T) {
	var nilTracer *Tracer
	for name, tr := range map[string]*Tracer{"nil tracer": nilTracer, "no subscriber": New(0, nil)} {
		t.Run(name, func(t *testing.T) {
			msg := request()
			allocs := testing.AllocsPerRun(1000, func() {
				e := tr.Start(In, netip.Addr{}, msg)
				if e != nil {
					t.Fatal("Start returned an event with nobody tracing")
				}
				tr.EmitRelayed(e, "eth1", nil)
				tr.EmitDelivered(e, "eth1", netip.Addr{}, true)
				tr.EmitDropped(e, "eth1", "max_hops")
				tr.EmitFallback(e, "eth1")
				tr.EmitSilent(e, "eth1", "silent_not_ours")
				tr.EmitDroppedSend(e, "eth1", "send_failed", netip.AddrPort{})
			})
			if allocs != 0 {
				t.Errorf("%v allocations per packet, want 0", allocs)
			}
		})
	}
}

func BenchmarkHooksDisabled(b *testing.B) {
	tr := New(0, nil)
	msg := request()
	b.ReportAllocs()
	for b.Loop() {
		e := tr.Start(In, netip.Addr{}, msg)
		tr.EmitDropped(e, "eth1", "max_hops")
	}
}

// TestHooksLeaveTheEventAlone: a request finished twice (a send dropped,
// then the request relayed to the others) gives two events, the second
// without the first's reason.
func TestHooksLeaveTheEventAlone(t *testing.T) {
	tr := New(4, func() time.Time { return t0 })
	ch, cancel := tr.Subscribe("")
	defer cancel()
	e := tr.Start(In, netip.Addr{}, request())
	tr.EmitDroppedSend(e, "eth1", "rate_limit_helper", netip.MustParseAddrPort("198.51.100.3:67"))
	tr.EmitRelayed(e, "eth1", []netip.AddrPort{netip.MustParseAddrPort("198.51.100.2:67")})
	var got []string
	for _, ev := range drain(ch) {
		got = append(got, Format(ev)+" reason="+ev.Reason)
	}
	want := []string{
		"2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 dropped: rate_limit_helper to 198.51.100.3 reason=rate_limit_helper",
		"2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 relayed to 198.51.100.2 reason=",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

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
			want:   "14:02:11.123 eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 relayed to 198.51.100.2",
		},
		{
			name:   "delivered",
			from:   server,
			finish: func(tr *Tracer, e *Event) { tr.EmitDelivered(e, "eth1", netip.MustParseAddr("203.0.113.50"), false) },
			want:   "14:02:11.123 eth1 out DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 from 198.51.100.2 delivered to 203.0.113.50",
		},
		{
			name:   "fallback",
			finish: func(tr *Tracer, e *Event) { tr.EmitFallback(e, "eth1") },
			want:   "14:02:11.123 eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 answered by the fallback server",
		},
		{
			name:   "dropped",
			finish: func(tr *Tracer, e *Event) { tr.EmitDropped(e, "eth1", "max_hops") },
			want:   "14:02:11.123 eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 dropped: max_hops",
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

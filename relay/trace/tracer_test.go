package trace

import (
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestTracerDisabled(t *testing.T) {
	var nilTracer *Tracer
	for name, tr := range map[string]*Tracer{"nil": nilTracer, "no subscribers": New(0, nil)} {
		t.Run(name, func(t *testing.T) {
			if tr.Enabled() {
				t.Error("Enabled() = true")
			}
			tr.Emit(Event{Interface: "eth1"}) // must not panic
			if n := tr.Dropped(); n != 0 {
				t.Errorf("Dropped() = %d", n)
			}
		})
	}
}

// TestEnabledCostsNothing: the relay calls Enabled on every packet.
func TestEnabledCostsNothing(t *testing.T) {
	tr := New(0, nil)
	var e Event
	e.SetMessage(request())
	allocs := testing.AllocsPerRun(1000, func() {
		if tr.Enabled() {
			tr.Emit(e)
		}
	})
	if allocs != 0 {
		t.Errorf("a disabled trace allocates %v times per packet, want 0", allocs)
	}
}

func TestSubscribeFilters(t *testing.T) {
	tr := New(8, func() time.Time { return t0 })
	all, cancelAll := tr.Subscribe("")
	defer cancelAll()
	eth1, cancel1 := tr.Subscribe("eth1")
	defer cancel1()
	if !tr.Enabled() {
		t.Fatal("Enabled() = false with two subscribers")
	}
	tr.Emit(Event{Interface: "eth1", XID: 1})
	tr.Emit(Event{Interface: "eth2", XID: 2})
	tr.Emit(Event{XID: 3})
	want := map[string][]Event{
		"all":  {{Time: t0, Interface: "eth1", XID: 1}, {Time: t0, Interface: "eth2", XID: 2}, {Time: t0, XID: 3}},
		"eth1": {{Time: t0, Interface: "eth1", XID: 1}},
	}
	got := map[string][]Event{"all": drain(all), "eth1": drain(eth1)}
	if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{}, netip.AddrPort{})); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func drain(ch <-chan Event) []Event {
	var out []Event
	for {
		select {
		case e := <-ch:
			out = append(out, e)
		default:
			return out
		}
	}
}

func TestSlowSubscriberDrops(t *testing.T) {
	tr := New(2, nil)
	slow, cancel := tr.Subscribe("")
	defer cancel()
	for i := range 5 {
		tr.Emit(Event{XID: uint32(i)})
	}
	if got := len(drain(slow)); got != 2 {
		t.Errorf("subscriber got %d events, want 2 (its depth)", got)
	}
	if got := tr.Dropped(); got != 3 {
		t.Errorf("Dropped() = %d, want 3", got)
	}
}

func TestCancel(t *testing.T) {
	tr := New(0, nil)
	ch, cancel := tr.Subscribe("eth1")
	cancel()
	cancel() // idempotent
	if _, open := <-ch; open {
		t.Error("channel still open after cancel")
	}
	if tr.Enabled() {
		t.Error("Enabled() = true after the only subscriber left")
	}
	tr.Emit(Event{Interface: "eth1"}) // must not send on the closed channel
}

// TestConcurrentEmitAndCancel is for the race detector: emitters run while
// subscribers come and go.
func TestConcurrentEmitAndCancel(t *testing.T) {
	tr := New(4, nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					if tr.Enabled() {
						tr.Emit(Event{Interface: "eth1"})
					}
					runtime.Gosched()
				}
			}
		})
	}
	for range 50 {
		ch, cancel := tr.Subscribe("")
		<-ch
		cancel()
	}
	close(stop)
	wg.Wait()
}

func BenchmarkDisabled(b *testing.B) {
	tr := New(0, nil)
	var e Event
	e.SetMessage(request())
	b.ReportAllocs()
	for b.Loop() {
		if tr.Enabled() {
			tr.Emit(e)
		}
	}
}

func BenchmarkEmitOneSubscriber(b *testing.B) {
	tr := New(1<<16, nil)
	ch, cancel := tr.Subscribe("")
	defer cancel()
	go func() {
		for range ch {
		}
	}()
	var e Event
	e.SetMessage(request())
	e.Time = t0
	b.ReportAllocs()
	for b.Loop() {
		tr.Emit(e)
	}
}

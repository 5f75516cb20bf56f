package control

import (
	"context"
	"errors"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/trace"
	"github.com/iphelper/iphelper/relay/wire"
)

// traceEvents runs Trace for iface in the background and returns its
// events and its result.
func traceEvents(t *testing.T, ctx context.Context, path, iface string) (<-chan TraceEvent, <-chan error) {
	t.Helper()
	c := dial(t, path)
	events := make(chan TraceEvent, 16)
	errc := make(chan error, 1)
	go func() { errc <- c.Trace(ctx, iface, func(e TraceEvent) { events <- e }) }()
	return events, errc
}

func relayedDiscover(iface string) trace.Event {
	e := trace.Event{
		Time: time.Date(2026, 3, 1, 14, 2, 11, 123e6, time.UTC), Interface: iface, Dir: trace.In, Op: wire.OpRequest, Type: wire.Discover,
		XID: 0x1234abcd, HLen: 6, GIAddr: netip.IPv4Unspecified(), Action: trace.Relayed,
		Helpers: []netip.AddrPort{netip.MustParseAddrPort("198.51.100.2:67")},
	}
	copy(e.CHAddr[:], []byte{2, 0, 0, 0, 0, 0x99})
	return e
}

func TestTrace(t *testing.T) {
	tr := trace.New(0, nil)
	path, _ := startServer(t, Sources{Trace: tr}, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, errc := traceEvents(t, ctx, path, "eth1")
	waitFor(t, "the subscription", tr.Enabled)

	tr.Emit(relayedDiscover("eth2")) // filtered out
	tr.Emit(relayedDiscover("eth1"))
	want := TraceEvent{
		Time: time.Date(2026, 3, 1, 14, 2, 11, 123e6, time.UTC), Interface: "eth1", Direction: "in", Type: "DISCOVER",
		XID: 0x1234abcd, CHAddr: Hex{2, 0, 0, 0, 0, 0x99}, GIAddr: netip.IPv4Unspecified(), Action: "relayed",
		Helpers: []netip.AddrPort{netip.MustParseAddrPort("198.51.100.2:67")},
		Line:    "2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 relayed to 198.51.100.2",
	}
	select {
	case got := <-events:
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			t.Errorf("event (-want +got):\n%s", diff)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}

	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Trace after cancel = %v, want nil", err)
	}
	waitFor(t, "the subscription to end", func() bool { return !tr.Enabled() })
	if len(events) != 0 {
		t.Errorf("%d more events, want none (eth2 is filtered)", len(events))
	}
}

func TestTraceEndsWhenDaemonStops(t *testing.T) {
	tr := trace.New(0, nil)
	path, stop := startServer(t, Sources{Trace: tr}, Options{})
	_, errc := traceEvents(t, context.Background(), path, "")
	waitFor(t, "the subscription", tr.Enabled)
	stop()
	select {
	case err := <-errc:
		if !errors.Is(err, &Error{Code: CodeShuttingDown}) {
			t.Errorf("Trace = %v, want code shutting_down", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Trace did not return when the daemon stopped")
	}
	if tr.Enabled() {
		t.Error("subscription left behind")
	}
}

func TestTraceSlowClientDoesNotBlockRelay(t *testing.T) {
	tr := trace.New(4, nil)
	path, _ := startServer(t, Sources{Trace: tr}, Options{WriteTimeout: 100 * time.Millisecond})
	c := dial(t, path)
	if _, err := c.roundTrip(context.Background(), Request{Cmd: CmdDebug, What: DebugPackets}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the subscription", tr.Enabled)
	// The client reads nothing: the socket buffers fill, the server's write
	// times out and the subscription ends; Emit never blocks meanwhile.
	start := time.Now()
	for tr.Enabled() && time.Since(start) < 10*time.Second {
		tr.Emit(relayedDiscover("eth1"))
	}
	if tr.Enabled() {
		t.Fatal("the server kept a client that does not read")
	}
	if tr.Dropped() == 0 {
		t.Error("no event counted as dropped")
	}
}

func TestStopLeavesNoGoroutines(t *testing.T) {
	base := runtime.NumGoroutine()
	tr := trace.New(0, nil)
	path, stop := startServer(t, Sources{Trace: tr, Status: &fakeStatus{st: testStatus()}}, Options{})
	_, errc := traceEvents(t, context.Background(), path, "")
	idle := dial(t, path)
	if _, err := idle.Helpers(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the subscription", tr.Enabled)
	stop()
	<-errc
	idle.Close()
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= base })
}

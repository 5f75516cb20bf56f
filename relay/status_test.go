package relay

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

// TestStatusForReaders checks what the control socket and the metrics
// collector read from the status without importing the relay: an up
// interface says so in Up as well as in State, and DropReasons names every
// reason the relay counts, in counter order.
func TestStatusForReaders(t *testing.T) {
	links := ifacetest.NewLinks()
	links.Set(upstreamLnk, testLink)
	r := New(testConfig(t, config.Flags{}), links, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Upstream: newFakeUpstream(),
		Listen:   func(l iface.Link) (iface.FrameConn, error) { return ifacetest.NewConn(l.Index, 16), nil },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(5 * time.Second)
	for eth1Status(t, r).State != StateUp.String() {
		if time.Now().After(deadline) {
			t.Fatalf("eth1 never came up: %+v", eth1Status(t, r))
		}
		time.Sleep(time.Millisecond)
	}
	if !eth1Status(t, r).Up {
		t.Errorf("eth1 is %q but Up is false", StateUp)
	}
	var want []string
	for _, reason := range Reasons() {
		want = append(want, reason.String())
	}
	if diff := cmp.Diff(want, r.Status().DropReasons); diff != "" {
		t.Errorf("DropReasons (-want +got):\n%s", diff)
	}
}

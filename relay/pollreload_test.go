package relay

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

// pollConn is a fake packet socket that can be polled (it never has a
// frame ready when polled), so that a read loop may switch to polling.
type pollConn struct{ *ifacetest.Conn }

func (pollConn) TryReadFrame([]byte) (int, iface.FrameInfo, bool, error) {
	return 0, iface.FrameInfo{}, false, nil
}

// TestReloadAppliesPollAbove: a reload that lowers poll-above reaches a
// read loop that is woken per packet at its next packet. The loop used to
// keep the threshold it started with until it had polled once, so a
// reload from off never took effect before a restart.
func TestReloadAppliesPollAbove(t *testing.T) {
	mk := func(rate string) *config.Config { return testConfig(t, config.Flags{PollAbove: &rate}) }
	var logs lockedBuffer
	links := ifacetest.NewLinks()
	conns := make(chan *ifacetest.Conn, 1)
	r := New(mk("off"), links, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Options{
		Upstream: newFakeUpstream(),
		Listen: func(l iface.Link) (iface.FrameConn, error) {
			c := ifacetest.NewConn(l.Index, 16)
			conns <- c
			return pollConn{c}, nil
		},
	})
	runRelay(t, r)
	links.Set(upstreamLnk, testLink)
	conn := waitFor(t, conns, "eth1's packet socket")
	frame := discoverFrame(t)
	const busy = `msg="packet socket busy: batching" iface=eth1`
	for range 3 {
		if err := conn.Deliver(frame, iface.FrameInfo{}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond) // the loop reads them
	if strings.Contains(logs.String(), busy) {
		t.Fatalf("eth1 polls with poll-above off:\n%s", logs.String())
	}

	r.Reload(mk("1/s")) // one packet within 10 ms is enough
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(logs.String(), busy) {
		if time.Now().After(deadline) {
			t.Fatalf("eth1 never polled after a reload set poll-above to 1/s:\n%s", logs.String())
		}
		_ = conn.Deliver(frame, iface.FrameInfo{}) // may be full while the loop polls
		time.Sleep(20 * time.Millisecond)
	}
}

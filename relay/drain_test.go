package relay

import (
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

// gatedConn is a fake packet socket whose frames the test queues first
// and then releases with one wake-up (open), as a burst that is already
// there when the loop wakes. It counts the reads that found it empty.
type gatedConn struct {
	*ifacetest.Conn
	queue   chan []byte
	gate    chan struct{}
	done    chan struct{}
	empties atomic.Int64
}

func newGatedConn(index int) *gatedConn {
	return &gatedConn{Conn: ifacetest.NewConn(index, 16), queue: make(chan []byte, 64), gate: make(chan struct{}, 1), done: make(chan struct{})}
}

// open wakes a loop that waits for the socket to be readable.
func (c *gatedConn) open() { c.gate <- struct{}{} }

// pop returns a queued frame, if there is one.
func (c *gatedConn) pop(b []byte) (int, bool) {
	select {
	case f := <-c.queue:
		return copy(b, f), true
	default:
		return 0, false
	}
}

// wait waits for open, or for Close.
func (c *gatedConn) wait() error {
	select {
	case <-c.gate:
		return nil
	case <-c.done:
		return net.ErrClosed
	}
}

var bcastInfo = iface.FrameInfo{Type: iface.PacketBroadcast}

func (c *gatedConn) ReadFrame(b []byte) (int, iface.FrameInfo, error) { return c.ReadFrameIdle(b, nil) }

func (c *gatedConn) ReadFrameIdle(b []byte, idle func()) (int, iface.FrameInfo, error) {
	for {
		if n, ok := c.pop(b); ok {
			return n, bcastInfo, nil
		}
		c.empties.Add(1)
		if idle != nil {
			idle()
		}
		if err := c.wait(); err != nil {
			return 0, iface.FrameInfo{}, err
		}
	}
}

func (c *gatedConn) TryReadFrame(b []byte) (int, iface.FrameInfo, bool, error) {
	if n, ok := c.pop(b); ok {
		return n, bcastInfo, true, nil
	}
	c.empties.Add(1)
	return 0, iface.FrameInfo{}, false, nil
}

func (c *gatedConn) Close() error {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	return c.Conn.Close()
}

// TestBusyLoopDrainsThenWaits: a read loop that is busy (above
// poll-above) relays every frame that is waiting when it wakes, and the
// read that finds the socket empty waits for it to be readable again: one
// empty read per burst. It used to poll instead: a non-blocking read and a
// sleep of a tick, a thousand times a second, with nothing arriving;
// pinned to one CPU, those sleeps held the only processor and delayed
// every other loop.
func TestBusyLoopDrainsThenWaits(t *testing.T) {
	rate := "1/s" // busy from the first frame
	cfg := testConfig(t, config.Flags{PollAbove: &rate})
	conns := make(chan *gatedConn, 1)
	up := newFakeUpstream()
	links := ifacetest.NewLinks()
	r := New(cfg, links, slog.New(slog.DiscardHandler), Options{
		Upstream: up,
		Listen: func(l iface.Link) (iface.FrameConn, error) {
			c := newGatedConn(l.Index)
			conns <- c
			return c, nil
		},
	})
	runRelay(t, r)
	links.Set(upstreamLnk, testLink)
	conn := waitFor(t, conns, "eth1's packet socket")
	frame := discoverFrame(t)
	for deadline := time.Now().Add(5 * time.Second); conn.empties.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the loop never read its socket")
		}
	}
	const burst = 5
	for round := range 2 {
		for range burst {
			conn.queue <- frame
		}
		before := conn.empties.Load()
		conn.open()
		for i := range burst {
			waitFor(t, up.sent, "relayed DISCOVER "+string(rune('1'+i)))
		}
		time.Sleep(100 * time.Millisecond) // a polling loop would read ~100 times meanwhile
		if got := conn.empties.Load() - before; got != 1 {
			t.Fatalf("round %d: %d reads found the socket empty after a burst of %d; want 1 (drain, then wait)", round, got, burst)
		}
	}
}

// statConn is a fake packet socket with kernel counters.
type statConn struct {
	*ifacetest.Conn
	drops atomic.Uint64
}

func (c *statConn) Stats() (iface.Stats, error) { return iface.Stats{Drops: c.drops.Load()}, nil }

// overflowUpstream is a fake upstream socket whose namespace counts
// receive-buffer overflows.
type overflowUpstream struct {
	*fakeUpstream
	n atomic.Uint64
}

func (u *overflowUpstream) ReceiveOverflows() (uint64, error) { return u.n.Load(), nil }

// TestSocketOverflowsAreCounted: frames the kernel dropped because the
// packet socket was full are socket_overflow drops of the interface, and
// the namespace's UDP receive-buffer overflows since the relay started are
// reply_overflow drops; they used to be counted nowhere, so a DORA lost
// there showed in no counter.
func TestSocketOverflowsAreCounted(t *testing.T) {
	conns := make(chan *statConn, 1)
	up := &overflowUpstream{fakeUpstream: newFakeUpstream()}
	up.n.Store(100) // before the relay ran: not its own
	links := ifacetest.NewLinks()
	r := New(testConfig(t, config.Flags{}), links, slog.New(slog.DiscardHandler), Options{
		Upstream: up,
		Listen: func(l iface.Link) (iface.FrameConn, error) {
			c := &statConn{Conn: ifacetest.NewConn(l.Index, 16)}
			conns <- c
			return c, nil
		},
	})
	runRelay(t, r)
	links.Set(upstreamLnk, testLink)
	conn := waitFor(t, conns, "eth1's packet socket") // Run has taken the baseline
	conn.drops.Store(7)
	up.n.Store(103)
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := r.Stats()
		got := []uint64{eth1Status(t, r).Counters.Drops["socket_overflow"], s.Global.Drops["reply_overflow"]}
		if got[0] == 7 && got[1] == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("socket_overflow, reply_overflow = %v; want [7 3]", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	conn.drops.Store(9)
	deadline = time.Now().Add(5 * time.Second)
	for eth1Status(t, r).Counters.Drops["socket_overflow"] != 9 {
		if time.Now().After(deadline) {
			t.Fatalf("socket_overflow = %d after 2 more drops; want 9", eth1Status(t, r).Counters.Drops["socket_overflow"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBusyLoopGoesQuiet: a busy loop whose packets stop goes quiet by
// itself (show interfaces stops saying polling, the outbox is let go)
// although no packet wakes it: it waits with a read deadline while busy.
// Woken by packets only, it used to stay busy until the next one came.
func TestBusyLoopGoesQuiet(t *testing.T) {
	rate := "1/s" // busy from the first frame
	conns := make(chan *ifacetest.Conn, 1)
	links := ifacetest.NewLinks()
	r := New(testConfig(t, config.Flags{PollAbove: &rate}), links, slog.New(slog.DiscardHandler), Options{
		Upstream: newFakeUpstream(), Listen: listenInto(conns),
	})
	runRelay(t, r)
	links.Set(upstreamLnk, testLink)
	conn := waitFor(t, conns, "eth1's packet socket")
	frame := discoverFrame(t)
	deadline := time.Now().Add(5 * time.Second)
	for !eth1Status(t, r).Polling {
		if time.Now().After(deadline) {
			t.Fatal("eth1 never became busy at poll-above 1/s")
		}
		_ = conn.Deliver(frame, iface.FrameInfo{Type: iface.PacketBroadcast})
		time.Sleep(5 * time.Millisecond)
	}
	deadline = time.Now().Add(5 * time.Second)
	for eth1Status(t, r).Polling {
		if time.Now().After(deadline) {
			t.Fatal("eth1 still busy 5 s after its last frame")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

package iface

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// enableRing calls EnableRing in the socket's namespace, as the relay
// (which lives in one) does.
func (l *lab) enableRing(pc *PacketConn) {
	l.t.Helper()
	var err error
	l.in(l.h1, func() { err = pc.EnableRing() })
	if err != nil {
		l.t.Fatalf("EnableRing: %v", err)
	}
}

// readPayload reads the next frame with TryReadFrame, retrying for up to
// 2 s, and returns its UDP payload and info.
func readPayload(t *testing.T, pc *PacketConn, buf []byte) (string, FrameInfo) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Microsecond) {
		n, info, ok, err := pc.TryReadFrame(buf)
		if err != nil {
			t.Fatalf("TryReadFrame: %v", err)
		}
		if ok {
			d, err := ParseUDP4(buf[:n], info)
			if err != nil {
				t.Fatalf("frame %x: %v", buf[:n], err)
			}
			return string(d.Payload), info
		}
	}
	t.Fatal("no frame within 2 s")
	return "", FrameInfo{}
}

// TestRingReceives: a socket switched to a ring first hands out the frames
// its old queue holds, then the ring's, with what the kernel says of each;
// a blocking read wakes for a ring frame; a short buffer cuts a frame and
// says so; the socket's counters go on across the switch; Close ends a
// blocked read and leaves nothing readable.
func TestRingReceives(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	a0 := l.iface(l.h1, "a0")
	peer := l.udp(l.h2, "203.0.113.2:6767", "")
	buf := make([]byte, 1500)

	sendUDP(t, peer, "203.0.113.1:67", "queued before the ring")
	time.Sleep(20 * time.Millisecond)
	l.enableRing(pc)
	l.enableRing(pc) // a second call does nothing
	sendUDP(t, peer, "203.0.113.1:67", "into the ring")
	for _, want := range []string{"queued before the ring", "into the ring"} {
		got, info := readPayload(t, pc, buf)
		if got != want || info.IfIndex != a0.Index || info.Type != PacketHost || info.Truncated || info.Len != 14+20+8+len(want) {
			t.Errorf("got %q, info %+v; want %q on interface %d, type host, whole", got, info, want, a0.Index)
		}
		if !info.ChecksumNotReady && !info.ChecksumValid {
			t.Errorf("%q: checksum neither not-ready nor valid (a local stack's frame across veth is one of them)", want)
		}
	}
	if _, _, ok, err := pc.TryReadFrame(buf); ok || err != nil {
		t.Fatalf("try-read of an empty ring: ok %v, err %v", ok, err)
	}

	// A blocking read wakes for a ring frame.
	go func() {
		time.Sleep(50 * time.Millisecond)
		sendUDP(t, peer, "203.0.113.1:67", "wakes the reader")
	}()
	if d, _ := readDatagram(t, pc, 2*time.Second); string(d.Payload) != "wakes the reader" {
		t.Errorf("blocking read: %q", d.Payload)
	}

	sendUDP(t, peer, "203.0.113.1:67", "cut short by the buffer")
	var n int
	var info FrameInfo
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		var ok bool
		var err error
		if n, info, ok, err = pc.TryReadFrame(buf[:20]); err != nil || ok {
			break
		}
	}
	if n != 20 || !info.Truncated || info.Len != 14+20+8+len("cut short by the buffer") {
		t.Errorf("short buffer: %d bytes, %+v; want 20, truncated, the whole length", n, info)
	}

	st, err := pc.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Packets < 4 {
		t.Errorf("Stats: %d packets, want the 4 frames on both sides of the switch", st.Packets)
	}

	done := make(chan error, 1)
	go func() {
		_, _, err := pc.ReadFrame(buf)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	pc.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("read across Close: %v, want net.ErrClosed", err)
	}
	if _, _, _, err := pc.TryReadFrame(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("try-read after Close: %v, want net.ErrClosed", err)
	}
}

// TestRingSwitchLosesNothing: frames sent at a steady pace while the socket
// switches to a ring all arrive, in order, once each: none is lost, and
// none that reached both sockets in the switch's overlap is read twice.
func TestRingSwitchLosesNothing(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	peer := l.udp(l.h2, "203.0.113.2:6767", "")
	const total = 2000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // 2,000 frames over ~200 ms
		defer wg.Done()
		for i := range total {
			sendUDP(t, peer, "203.0.113.1:67", strconv.Itoa(i))
			if i%10 == 9 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	buf := make([]byte, 1500)
	seen := make([]int, total)
	last, dups := -1, 0
	for count := 0; count < total; {
		if count == 500 {
			l.enableRing(pc)
		}
		got, _ := readPayload(t, pc, buf)
		i, err := strconv.Atoi(got)
		if err != nil || i < 0 || i >= total {
			t.Fatalf("stray payload %q", got)
		}
		seen[i]++
		if seen[i] > 1 {
			dups++
			continue
		}
		if i < last {
			t.Errorf("frame %d after %d: out of order", i, last)
		}
		last = i
		count++
	}
	wg.Wait()
	var missing []string
	for i, n := range seen {
		if n == 0 {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d frames lost across the switch: %s", len(missing), strings.Join(missing, " "))
	}
	if dups > 0 {
		t.Errorf("%d frames read twice", dups)
	}
	t.Logf("%d frames, %d read twice", total, dups)
}

// TestRingUnsuited: an interface whose frames might not fit a slot (a
// jumbo MTU) keeps its queue.
func TestRingUnsuited(t *testing.T) {
	l := newLab(t)
	run(t, "ip", "-n", l.ns1, "link", "set", "a0", "mtu", "9000")
	pc := l.listen(l.h1, "a0")
	var err error
	l.in(l.h1, func() { err = pc.EnableRing() })
	if !errors.Is(err, ErrRingUnsuited) {
		t.Fatalf("EnableRing with MTU 9000: %v, want ErrRingUnsuited", err)
	}
	peer := l.udp(l.h2, "203.0.113.2:6767", "")
	sendUDP(t, peer, "203.0.113.1:67", "still read")
	if got, _ := readPayload(t, pc, make([]byte, 1500)); got != "still read" {
		t.Errorf("got %q", got)
	}
}

// TestOverlap: the first ring frames that repeat one of the old socket's
// last frames are skipped, and only those.
func TestOverlap(t *testing.T) {
	var o overlap
	if o.seenTwice([]byte("a")) {
		t.Fatal("a frame counted twice before any switch")
	}
	for i := range 20 {
		o.sawOld([]byte("old " + strconv.Itoa(i)))
	}
	for _, tt := range []struct {
		frame string
		twice bool
	}{
		{"old 19", true}, // the overlap
		{"old 4", true},  // within the last 16 of the old socket
		{"old 3", false}, // older: not remembered
		{"new 1", false},
		{"old 18", true},
	} {
		if got := o.seenTwice([]byte(tt.frame)); got != tt.twice {
			t.Errorf("%q: seen twice %v, want %v", tt.frame, got, tt.twice)
		}
	}
	for range overlapFrames {
		o.seenTwice([]byte("new"))
	}
	if o.seenTwice([]byte("old 19")) {
		t.Error("a ring frame compared after the first 16")
	}
}

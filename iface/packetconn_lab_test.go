package iface

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/iface/mmsg"
)

var (
	labIP1 = netip.MustParseAddr("203.0.113.1")
	labIP2 = netip.MustParseAddr("203.0.113.2")
)

// readDatagram reads and parses the next frame, failing after timeout.
func readDatagram(t *testing.T, pc *PacketConn, timeout time.Duration) (Datagram, FrameInfo) {
	t.Helper()
	buf := make([]byte, 2048)
	if err := pc.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		t.Fatalf("SetReadDeadline: %v", err)
	}
	n, info, err := pc.ReadFrame(buf)
	if err != nil {
		t.Fatalf("ReadFrame: %v", err)
	}
	d, err := ParseUDP4(buf[:n], info)
	if err != nil {
		t.Fatalf("ParseUDP4 of a %d-byte frame (%+v): %v", n, info, err)
	}
	return d, info
}

// expectNothing asserts that no frame arrives within timeout.
func expectNothing(t *testing.T, pc *PacketConn, timeout time.Duration) {
	t.Helper()
	buf := make([]byte, 2048)
	if err := pc.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		t.Fatalf("SetReadDeadline: %v", err)
	}
	n, info, err := pc.ReadFrame(buf)
	if err == nil {
		d, perr := ParseUDP4(buf[:n], info)
		t.Fatalf("unexpected frame on %s: %+v %q (parse error %v)", pc.Name(), info, d.Payload, perr)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("ReadFrame: %v, want a deadline error", err)
	}
}

// sendUDP sends payload from c to addr.
func sendUDP(t *testing.T, c *net.UDPConn, addr string, payload string) {
	t.Helper()
	if _, err := c.WriteToUDPAddrPort([]byte(payload), netip.MustParseAddrPort(addr)); err != nil {
		t.Fatalf("send to %s: %v", addr, err)
	}
}

// (a), (b): a datagram to port 67 sent by the peer's kernel is seen and
// parses; port 68 traffic and the socket's own frames are not seen.
func TestListenDHCPReceives(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	a0 := l.iface(l.h1, "a0")
	peer := l.udp(l.h2, "203.0.113.2:6767", "")
	bcast := l.udp(l.h2, "203.0.113.2:6868", "b0")

	sendUDP(t, peer, "203.0.113.1:68", "to port 68")
	sendUDP(t, peer, "203.0.113.1:67", "to port 67")
	d, info := readDatagram(t, pc, 2*time.Second)
	if diff := cmp.Diff("to port 67", string(d.Payload)); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
	if d.Src != labIP2 || d.Dst != labIP1 || d.SrcPort != 6767 || d.DstPort != 67 {
		t.Errorf("datagram %v:%d -> %v:%d, want 203.0.113.2:6767 -> 203.0.113.1:67", d.Src, d.SrcPort, d.Dst, d.DstPort)
	}
	if info.IfIndex != a0.Index || info.Type != PacketHost {
		t.Errorf("info = %+v, want interface %d, type host", info, a0.Index)
	}
	if !info.ChecksumNotReady && !info.ChecksumValid {
		t.Logf("kernel-sent datagram across veth: checksum neither 'not ready' nor 'valid'; it was verified in software")
	}
	t.Logf("kernel-sent datagram across veth: ChecksumNotReady=%v ChecksumValid=%v", info.ChecksumNotReady, info.ChecksumValid)

	// The socket's own frame, to port 67 of the peer, is not read back.
	own := mustBuild(t, UDP4Header{
		DstMAC: l.mac2, SrcMAC: l.mac1, Src: labIP1, Dst: labIP2, SrcPort: 68, DstPort: 67,
	}, []byte("own frame"))
	if err := pc.WriteFrame(own, l.mac2); err != nil {
		t.Fatalf("WriteFrame: %v", err)
	}
	sendUDP(t, bcast, "255.255.255.255:67", "broadcast to port 67")
	d, info = readDatagram(t, pc, 2*time.Second)
	if diff := cmp.Diff("broadcast to port 67", string(d.Payload)); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
	if info.Type != PacketBroadcast {
		t.Errorf("packet type = %v, want broadcast", info.Type)
	}
	expectNothing(t, pc, 200*time.Millisecond)
}

// (c): a frame built by BuildUDP4 and written with WriteFrame reaches a
// plain UDP socket in the peer namespace, which proves both checksums (the
// kernel drops bad ones); tcpdump checks them too.
func TestWriteFrameReachesUDPSocket(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	rcv := l.udp(l.h2, "0.0.0.0:68", "b0")
	dump := startTcpdump(t, l.ns2, "b0", 2, "udp port 68")

	frames := []struct {
		name    string
		dstMAC  net.HardwareAddr
		dst     netip.Addr
		payload string
	}{
		{"unicast", l.mac2, labIP2, "unicast reply"},
		{"broadcast", testBroadMAC, testBroadIP, "broadcast reply, odd"},
	}
	buf := make([]byte, 0, 1500)
	for _, f := range frames {
		frame, err := BuildUDP4(buf, UDP4Header{
			DstMAC: f.dstMAC, SrcMAC: l.mac1, Src: labIP1, Dst: f.dst, SrcPort: 67, DstPort: 68,
		}, []byte(f.payload))
		if err != nil {
			t.Fatalf("%s: BuildUDP4: %v", f.name, err)
		}
		if err := pc.WriteFrame(frame, f.dstMAC); err != nil {
			t.Fatalf("%s: WriteFrame: %v", f.name, err)
		}
		got := make([]byte, 1500)
		_ = rcv.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, from, err := rcv.ReadFromUDPAddrPort(got)
		if err != nil {
			t.Fatalf("%s: UDP socket in the peer namespace got nothing: %v", f.name, err)
		}
		if diff := cmp.Diff(f.payload, string(got[:n])); diff != "" {
			t.Errorf("%s: payload (-want +got):\n%s", f.name, diff)
		}
		if from != netip.AddrPortFrom(labIP1, 67) {
			t.Errorf("%s: source %v, want 203.0.113.1:67", f.name, from)
		}
	}
	out := dump()
	if c := strings.Count(out, "udp sum ok"); c != 2 {
		t.Errorf("tcpdump -vv saw %d frames with 'udp sum ok', want 2:\n%s", c, out)
	}
}

// Frames shorter than the Ethernet minimum cross a veth unpadded.
func TestWriteFrameShort(t *testing.T) {
	l := newLab(t)
	pc1 := l.listen(l.h1, "a0")
	pc2 := l.listen(l.h2, "b0")
	frame := mustBuild(t, UDP4Header{
		DstMAC: l.mac2, SrcMAC: l.mac1, Src: labIP1, Dst: labIP2, SrcPort: 68, DstPort: 67,
	}, []byte("x"))
	// The veth may not carry frames for a moment after it comes up (a frame
	// sent then is dropped silently): send again until one arrives.
	buf := make([]byte, 2048)
	var (
		n    int
		info FrameInfo
		err  error
	)
	for deadline := time.Now().Add(3 * time.Second); ; {
		if err := pc1.WriteFrame(frame, nil); err != nil {
			t.Fatalf("WriteFrame: %v", err)
		}
		_ = pc2.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, info, err = pc2.ReadFrame(buf); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ReadFrame: %v", err)
		}
	}
	t.Logf("a %d-byte frame arrived across veth as %d bytes (info.Len %d)", len(frame), n, info.Len)
	if diff := cmp.Diff(frame, buf[:n]); diff != "" {
		t.Errorf("frame (-want +got):\n%s", diff)
	}
}

// The filter keeps out frames that the kernel also hands to a socket bound
// to a parent link: those of a macvlan on it (received on the macvlan),
// those tagged for a VLAN that has no sub-interface, and unicast to other
// hosts. A priority-tagged frame (VLAN ID 0) belongs to the link itself.
func TestListenDHCPForeignFrames(t *testing.T) {
	l := newLab(t)
	run(t, "ip", "-n", l.ns1, "link", "add", "m0", "link", "a0", "type", "macvlan", "mode", "bridge")
	run(t, "ip", "-n", l.ns1, "link", "set", "m0", "up")
	macM := l.iface(l.h1, "m0").HardwareAddr
	pcA := l.listen(l.h1, "a0")
	pcM := l.listen(l.h1, "m0")
	pcB := l.listen(l.h2, "b0")

	send := func(dstMAC net.HardwareAddr, vlanTCI int, payload string) {
		t.Helper()
		f := mustBuild(t, UDP4Header{
			DstMAC: dstMAC, SrcMAC: l.mac2, Src: labIP2, Dst: labIP1, SrcPort: 68, DstPort: 67,
		}, []byte(payload))
		if vlanTCI >= 0 {
			f = tagged(f, uint16(vlanTCI))
		}
		if err := pcB.WriteFrame(f, nil); err != nil {
			t.Fatalf("WriteFrame: %v", err)
		}
	}
	send(macM, -1, "to the macvlan")
	send(l.mac1, 20, "tagged for VLAN 20")
	send(net.HardwareAddr{0x02, 0, 0x5e, 0, 0, 0x99}, -1, "to another host")
	send(l.mac1, 0x2000, "priority tagged")
	send(l.mac1, -1, "to a0")

	for _, want := range []string{"priority tagged", "to a0"} {
		d, _ := readDatagram(t, pcA, 2*time.Second)
		if diff := cmp.Diff(want, string(d.Payload)); diff != "" {
			t.Errorf("a0: payload (-want +got):\n%s", diff)
		}
	}
	expectNothing(t, pcA, 200*time.Millisecond)
	d, info := readDatagram(t, pcM, 2*time.Second)
	if diff := cmp.Diff("to the macvlan", string(d.Payload)); diff != "" {
		t.Errorf("m0: payload (-want +got):\n%s", diff)
	}
	if m0 := l.iface(l.h1, "m0"); info.IfIndex != m0.Index {
		t.Errorf("m0: frame from interface %d, want %d", info.IfIndex, m0.Index)
	}
	expectNothing(t, pcM, 200*time.Millisecond)
}

// A socket bound to a trunk does not see the frames of its VLAN
// sub-interfaces, which a socket on the sub-interface does.
func TestListenDHCPVLAN(t *testing.T) {
	l := newLab(t)
	needVLAN(t, l)
	pcA := l.listen(l.h1, "a0")
	pcV := l.listen(l.h1, "a0.10")
	pcB := l.listen(l.h2, "b0")
	f := tagged(mustBuild(t, UDP4Header{
		DstMAC: l.iface(l.h1, "a0.10").HardwareAddr, SrcMAC: l.mac2,
		Src: labIP2, Dst: labIP1, SrcPort: 68, DstPort: 67,
	}, []byte("VLAN 10")), 10)
	if err := pcB.WriteFrame(f, nil); err != nil {
		t.Fatalf("WriteFrame: %v", err)
	}
	d, _ := readDatagram(t, pcV, 2*time.Second)
	if diff := cmp.Diff("VLAN 10", string(d.Payload)); diff != "" {
		t.Errorf("a0.10: payload (-want +got):\n%s", diff)
	}
	expectNothing(t, pcA, 200*time.Millisecond)
}

// needVLAN adds a0.10 in ns1, or skips the test if the kernel cannot.
func needVLAN(t *testing.T, l *lab) {
	t.Helper()
	out, err := execOutput("ip", "-n", l.ns1, "link", "add", "link", "a0", "name", "a0.10", "type", "vlan", "id", "10")
	if err != nil {
		if strings.Contains(out, "Unknown device type") || strings.Contains(out, "not supported") {
			t.Skipf("skipping: this kernel cannot create 802.1Q VLAN links (CONFIG_VLAN_8021Q): %s", strings.TrimSpace(out))
		}
		t.Fatalf("ip link add ... type vlan: %v\n%s", err, out)
	}
	run(t, "ip", "-n", l.ns1, "link", "set", "a0.10", "up")
}

// A link going down fails a read and a write with ErrLinkNotReady; the
// same socket receives again once the link is back up.
func TestPacketConnLinkDownUp(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	peer := l.udp(l.h2, "203.0.113.2:6767", "")

	run(t, "ip", "-n", l.ns1, "link", "set", "a0", "down")
	_ = pc.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _, err := pc.ReadFrame(make([]byte, 2048))
	if !errors.Is(err, ErrLinkNotReady) {
		t.Fatalf("ReadFrame on a down link: %v, want ErrLinkNotReady", err)
	}
	if diff := cmp.Diff(`failed to read from packet socket on "a0": recvmsg: network is down`, err.Error()); diff != "" {
		t.Errorf("error text (-want +got):\n%s", diff)
	}
	frame := mustBuild(t, UDP4Header{DstMAC: l.mac2, SrcMAC: l.mac1, Src: labIP1, Dst: labIP2, SrcPort: 67, DstPort: 68}, nil)
	if err := pc.WriteFrame(frame, nil); !errors.Is(err, ErrLinkNotReady) {
		t.Errorf("WriteFrame on a down link: %v, want ErrLinkNotReady", err)
	}

	run(t, "ip", "-n", l.ns1, "link", "set", "a0", "up")
	buf := make([]byte, 2048)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		sendUDP(t, peer, "203.0.113.1:67", "after up")
		_ = pc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, info, err := pc.ReadFrame(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			continue
		}
		if err != nil {
			t.Fatalf("ReadFrame after up: %v", err)
		}
		if d, err := ParseUDP4(buf[:n], info); err != nil || string(d.Payload) != "after up" {
			t.Fatalf("ReadFrame after up: %q, %v", d.Payload, err)
		}
		return
	}
	t.Fatal("nothing received within 5s of the link coming back up")
}

func TestListenDHCPErrors(t *testing.T) {
	l := newLab(t)
	tests := []struct {
		name      string
		ifi       *net.Interface
		wantClass error
		want      string
	}{
		{"nil interface", nil, nil, "failed to open packet socket: no interface index"},
		{"index 0", &net.Interface{Name: "any"}, nil, "failed to open packet socket: no interface index"},
		{"no such link", &net.Interface{Index: 9999, Name: "gone0"}, ErrLinkNotReady,
			`failed to open packet socket on "gone0": bind: no such device`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			l.in(l.h1, func() {
				var pc *PacketConn
				if pc, err = ListenDHCP(tt.ifi, ListenOptions{}); err == nil {
					_ = pc.Close()
				}
			})
			if err == nil {
				t.Fatal("ListenDHCP succeeded")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if got := Classify(err); got != tt.wantClass {
				t.Errorf("Classify = %v, want %v", got, tt.wantClass)
			}
		})
	}
}

func TestPacketConnLifecycle(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	peer := l.udp(l.h2, "203.0.113.2:6767", "")

	size, err := pc.ReadBufferSize()
	if err != nil || size < 2*DefaultReadBuffer {
		t.Errorf("ReadBufferSize = %d, %v; want at least %d (root may force it)", size, err, 2*DefaultReadBuffer)
	}

	// A read, and a write, allocate nothing.
	const frames = 12
	for i := range frames {
		sendUDP(t, peer, "203.0.113.1:67", "frame "+string(rune('a'+i)))
	}
	waitStats(t, pc, frames)
	buf := make([]byte, 2048)
	_ = pc.SetReadDeadline(time.Now().Add(2 * time.Second))
	allocs := testing.AllocsPerRun(frames-1, func() {
		if _, _, err := pc.ReadFrame(buf); err != nil {
			t.Fatalf("ReadFrame: %v", err)
		}
	})
	if allocs != 0 {
		t.Errorf("ReadFrame allocated %v times per call, want 0", allocs)
	}
	out := mustBuild(t, UDP4Header{DstMAC: l.mac2, SrcMAC: l.mac1, Src: labIP1, Dst: labIP2, SrcPort: 67, DstPort: 68}, []byte("x"))
	if allocs := testing.AllocsPerRun(10, func() {
		if err := pc.WriteFrame(out, l.mac2); err != nil {
			t.Fatalf("WriteFrame: %v", err)
		}
	}); allocs != 0 {
		t.Errorf("WriteFrame allocated %v times per call, want 0", allocs)
	}

	// Stats add up; the kernel's counters reset on each query.
	st1, err := pc.Stats()
	if err != nil || st1.Packets < frames {
		t.Errorf("Stats = %+v, %v; want at least %d packets", st1, err, frames)
	}
	st2, _ := pc.Stats()
	if st2.Packets < st1.Packets {
		t.Errorf("Stats went down: %+v after %+v", st2, st1)
	}

	// Write errors.
	if err := pc.WriteFrame(out[:10], nil); err == nil || err.Error() != `failed to write to packet socket on "a0": frame of 10 bytes is shorter than an Ethernet header` {
		t.Errorf("WriteFrame(short) = %v", err)
	}
	if err := pc.WriteFrame(out, l.mac1); err == nil || !strings.Contains(err.Error(), "is not the frame's") {
		t.Errorf("WriteFrame(wrong dst) = %v", err)
	}

	// A deadline in the past fails at once.
	_ = pc.SetReadDeadline(time.Now().Add(-time.Second))
	if _, _, err := pc.ReadFrame(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("ReadFrame after the deadline: %v", err)
	}
	if _, _, err := pc.ReadFrame(nil); err == nil {
		t.Error("ReadFrame(nil) succeeded")
	}

	// Close unblocks a blocked read, and is idempotent.
	_ = pc.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() {
		_, _, err := pc.ReadFrame(buf)
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := pc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("blocked ReadFrame after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not unblock ReadFrame")
	}
	if err := pc.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, err := pc.ReadFrame(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadFrame after Close: %v", err)
	}
	if err := pc.WriteFrame(out, nil); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteFrame after Close: %v", err)
	}
}

// waitStats waits until the socket has queued at least n frames.
func waitStats(t *testing.T, pc *PacketConn, n uint64) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 2*time.Second; time.Sleep(10 * time.Millisecond) {
		if st, err := pc.Stats(); err == nil && st.Packets >= n {
			return
		}
	}
	t.Fatalf("fewer than %d frames arrived", n)
}

// TestPacketConnPollAndBatch: TryReadFrame reports an empty socket at once
// and then reads a waiting frame with what the kernel says of it; SendBatch
// sends every queued frame, in order, to a UDP socket in the peer
// namespace; after Close both fail with net.ErrClosed.
func TestPacketConnPollAndBatch(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	a0 := l.iface(l.h1, "a0")
	peer := l.udp(l.h2, "203.0.113.2:6767", "")
	rcv := l.udp(l.h2, "0.0.0.0:68", "b0")

	buf := make([]byte, 1500)
	if _, _, ok, err := pc.TryReadFrame(buf); ok || err != nil {
		t.Fatalf("try-read of an empty socket: ok %v, err %v; want neither", ok, err)
	}
	sendUDP(t, peer, "203.0.113.1:67", "polled")
	var (
		n    int
		info FrameInfo
		ok   bool
		err  error
	)
	for deadline := time.Now().Add(2 * time.Second); !ok && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if n, info, ok, err = pc.TryReadFrame(buf); err != nil {
			t.Fatal(err)
		}
	}
	if !ok {
		t.Fatal("try-read never read the frame")
	}
	d, err := ParseUDP4(buf[:n], info)
	if err != nil || string(d.Payload) != "polled" || info.IfIndex != a0.Index || info.Type != PacketHost {
		t.Fatalf("try-read: %q (%v), info %+v; want \"polled\" on interface %d, type host", d.Payload, err, info, a0.Index)
	}

	b := mmsg.New(8, 1500, 0)
	for i := range 5 {
		f := mustBuild(t, UDP4Header{DstMAC: l.mac2, SrcMAC: l.mac1, Src: labIP1, Dst: labIP2, SrcPort: 67, DstPort: 68},
			[]byte(fmt.Sprintf("frame %d", i)))
		if _, ok := b.Add(f, nil, netip.AddrPort{}); !ok {
			t.Fatalf("Add %d failed", i)
		}
	}
	if n, err := pc.SendBatch(b); n != 5 || err != nil {
		t.Fatalf("SendBatch: %d, %v; want 5, nil", n, err)
	}
	got := make([]byte, 1500)
	for i := range 5 {
		_ = rcv.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := rcv.ReadFromUDPAddrPort(got)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if want := fmt.Sprintf("frame %d", i); string(got[:n]) != want {
			t.Errorf("got %q, want %q", got[:n], want)
		}
	}

	pc.Close()
	if _, _, _, err := pc.TryReadFrame(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("try-read after Close: %v, want net.ErrClosed", err)
	}
	if _, err := pc.SendBatch(b); !errors.Is(err, net.ErrClosed) || b.Err(0) == nil {
		t.Errorf("SendBatch after Close: %v (slot 0: %v), want net.ErrClosed and a failed slot", err, b.Err(0))
	}
}

// TestPacketConnReadAfterEmptyTry: a loop that drains its socket and then
// waits reads the next frame, whether it arrived before the wait began or
// during it, from the socket's queue and from a ring: the read after an
// empty try skips its own empty recvmsg and waits for readiness at once,
// and must miss no frame that way.
func TestPacketConnReadAfterEmptyTry(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	peer := l.udp(l.h2, "203.0.113.2:6767", "")
	buf := make([]byte, 1500)
	for _, ring := range []bool{false, true} {
		if ring {
			l.enableRing(pc)
		}
		for _, early := range []bool{true, false} {
			if _, _, ok, err := pc.TryReadFrame(buf); ok || err != nil {
				t.Fatalf("ring %v: try-read of an empty socket: ok %v, err %v; want neither", ring, ok, err)
			}
			want := fmt.Sprintf("ring %v, sent before the read %v", ring, early)
			if early {
				sendUDP(t, peer, "203.0.113.1:67", want)
				time.Sleep(50 * time.Millisecond) // queued, and its edge seen, before ReadFrame
			} else {
				time.AfterFunc(50*time.Millisecond, func() { // during the wait
					if _, err := peer.WriteToUDPAddrPort([]byte(want), netip.MustParseAddrPort("203.0.113.1:67")); err != nil {
						t.Errorf("send: %v", err)
					}
				})
			}
			_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, info, err := pc.ReadFrame(buf)
			if err != nil {
				t.Fatalf("%s: %v", want, err)
			}
			if d, err := ParseUDP4(buf[:n], info); err != nil || string(d.Payload) != want {
				t.Fatalf("read %q (%v); want %q", d.Payload, err, want)
			}
		}
	}
}

// TestPacketConnReadFrameIdle: the read of a draining loop calls idle
// when the socket is empty, before it waits, and not while a frame is
// waiting; the frame that comes during the wait is read. From the queue
// and from a ring.
func TestPacketConnReadFrameIdle(t *testing.T) {
	l := newLab(t)
	pc := l.listen(l.h1, "a0")
	peer := l.udp(l.h2, "203.0.113.2:6767", "")
	buf := make([]byte, 1500)
	for _, ring := range []bool{false, true} {
		if ring {
			l.enableRing(pc)
		}
		want := fmt.Sprintf("waiting, ring %v", ring)
		sendUDP(t, peer, "203.0.113.1:67", want)
		time.Sleep(50 * time.Millisecond)
		idles := 0
		_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, info, err := pc.ReadFrameIdle(buf, func() { idles++ })
		if d, perr := ParseUDP4(buf[:n], info); err != nil || perr != nil || string(d.Payload) != want || idles != 0 {
			t.Fatalf("read of a waiting frame: %q, %v, %v, %d idle calls; want %q and none", d.Payload, err, perr, idles, want)
		}
		want = fmt.Sprintf("after the idle call, ring %v", ring)
		n, info, err = pc.ReadFrameIdle(buf, func() {
			if idles++; idles == 1 { // the socket is empty: what a loop sends here makes the next frame
				sendUDP(t, peer, "203.0.113.1:67", want)
			}
		})
		if d, perr := ParseUDP4(buf[:n], info); err != nil || perr != nil || string(d.Payload) != want || idles < 1 {
			t.Fatalf("read of an empty socket: %q, %v, %v, %d idle calls; want %q after at least one", d.Payload, err, perr, idles, want)
		}
	}
}

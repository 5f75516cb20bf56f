package iface

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/iphelper/iphelper/iface/mmsg"
)

// inNewNetns runs fn on a locked thread inside a fresh network namespace
// and restores the thread's namespace afterwards, so nothing binds a port
// in the root namespace.
func inNewNetns(t *testing.T, fn func()) {
	t.Helper()
	needRoot(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	ns, err := netns.New()
	if err != nil {
		t.Fatalf("failed to create a network namespace: %v", err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			panic(fmt.Sprintf("cannot restore the thread's namespace: %v", err))
		}
		ns.Close()
	}()
	fn()
}

func TestListenBootRepliesNamesThePortHolder(t *testing.T) {
	inNewNetns(t, func() {
		first, err := ListenBootReplies(67)
		if err != nil {
			t.Fatalf("first listen: %v", err)
		}
		defer first.Close()
		_, err = ListenBootReplies(67)
		if !errors.Is(err, ErrPortInUse) {
			t.Fatalf("second listen: %v, want ErrPortInUse", err)
		}
		want := fmt.Sprintf("[%d])", os.Getpid())
		if !strings.Contains(err.Error(), "held by ") || !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name this process (%s)", err, want)
		}
	})
}

// loopbackUDPConn brings the loopback of the test's namespace up and opens
// a ListenBootReplies socket on port there.
func loopbackUDPConn(t *testing.T, port int) (netlink.Link, *UDPConn) {
	t.Helper()
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		t.Fatal(err)
	}
	up, err := ListenBootReplies(port)
	if err != nil {
		t.Fatal(err)
	}
	return lo, up
}

// TestUDPConn runs the raw-syscall socket against a plain
// UDP peer on the loopback of a fresh namespace: sends carry the source
// and reach the peer, only BOOTREPLYs are read, with their source and
// ingress interface, concurrent sends all arrive, nothing allocates, and
// Close ends a read with net.ErrClosed.
func TestUDPConn(t *testing.T) {
	inNewNetns(t, func() {
		const port = 10067
		lo, up := loopbackUDPConn(t, port)
		defer up.Close()
		peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		peerAddr := peer.LocalAddr().(*net.UDPAddr).AddrPort()
		loopback := netip.MustParseAddr("127.0.0.1")

		request := []byte{1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef}
		if _, _, err := up.WriteMsgUDPAddrPort(request, PktinfoSource(loopback), peerAddr); err != nil {
			t.Fatalf("write: %v", err)
		}
		buf := make([]byte, 1500)
		n, from, err := peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if string(buf[:n]) != string(request) || from != netip.AddrPortFrom(loopback, port) {
			t.Errorf("peer got % x from %v, want % x from 127.0.0.1:%d", buf[:n], from, request, port)
		}

		// A BOOTREQUEST is filtered out; the BOOTREPLY after it is read.
		to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
		for _, m := range [][]byte{{1, 1, 6, 0, 1}, {2, 1, 6, 0, 2}} {
			if _, err := peer.WriteToUDP(m, to); err != nil {
				t.Fatal(err)
			}
		}
		oob := make([]byte, PktinfoSpace())
		n, oobn, _, src, err := up.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if string(buf[:n]) != string([]byte{2, 1, 6, 0, 2}) || src != peerAddr {
			t.Errorf("read % x from %v, want the BOOTREPLY from %v", buf[:n], src, peerAddr)
		}
		if got := PktinfoIfindex(oob[:oobn]); got != lo.Attrs().Index {
			t.Errorf("ingress ifindex %d, want lo's %d", got, lo.Attrs().Index)
		}

		// Concurrent sends, as every interface's read loop makes them.
		const senders, each = 4, 50
		var wg sync.WaitGroup
		for range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					if _, _, err := up.WriteMsgUDPAddrPort(request, nil, peerAddr); err != nil {
						t.Errorf("concurrent write: %v", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		for i := range senders * each {
			if _, _, err := peer.ReadFromUDPAddrPort(buf); err != nil {
				t.Fatalf("datagram %d of the concurrent sends: %v", i, err)
			}
		}

		allocs := testing.AllocsPerRun(100, func() {
			if _, _, err := up.WriteMsgUDPAddrPort(request, nil, peerAddr); err != nil {
				t.Fatal(err)
			}
			if _, _, err := peer.ReadFromUDPAddrPort(buf); err != nil {
				t.Fatal(err)
			}
		})
		// The peer's read is the net package's: it may allocate; ours
		// must not, so the pair stays at what the peer costs alone.
		peerOnly := testing.AllocsPerRun(100, func() {
			if _, err := peer.WriteToUDPAddrPort(request, peerAddr); err != nil {
				t.Fatal(err)
			}
			if _, _, err := peer.ReadFromUDPAddrPort(buf); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > peerOnly {
			t.Errorf("a send allocates: %.0f allocations with the peer's read, %.0f for the peer alone", allocs, peerOnly)
		}

		for _, bad := range []struct {
			b    []byte
			addr netip.AddrPort
		}{{nil, peerAddr}, {request, netip.MustParseAddrPort("[2001:db8::1]:67")}} {
			if _, _, err := up.WriteMsgUDPAddrPort(bad.b, nil, bad.addr); err == nil {
				t.Errorf("write of %d bytes to %v: no error", len(bad.b), bad.addr)
			}
		}

		done := make(chan error, 1)
		go func() {
			_, _, _, _, err := up.ReadMsgUDPAddrPort(buf, oob)
			done <- err
		}()
		up.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("read after Close: %v, want net.ErrClosed", err)
		}
	})
}

// TestUDPConnDeadHelper: datagrams to a helper whose address does
// not resolve pile up in the kernel's neighbour queue, charged to the
// socket. A send never waits for room (a full buffer is an error, so the
// request path keeps reading), and with the relay's send buffer a dead
// helper leaves room for a live one.
func TestUDPConnDeadHelper(t *testing.T) {
	inNewNetns(t, func() {
		for _, l := range []netlink.Link{
			&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "up0"}, PeerName: "up0p"},
		} {
			if err := netlink.LinkAdd(l); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"lo", "up0", "up0p"} {
			l, err := netlink.LinkByName(name)
			if err != nil {
				t.Fatal(err)
			}
			if name == "up0" {
				if err := netlink.AddrAdd(l, &netlink.Addr{IPNet: &net.IPNet{IP: net.IPv4(198, 51, 100, 1), Mask: net.CIDRMask(24, 32)}}); err != nil {
					t.Fatal(err)
				}
			}
			if err := netlink.LinkSetUp(l); err != nil {
				t.Fatal(err)
			}
		}
		up, err := ListenBootReplies(10068)
		if err != nil {
			t.Fatal(err)
		}
		defer up.Close()
		peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		live := peer.LocalAddr().(*net.UDPAddr).AddrPort()
		dead := netip.MustParseAddrPort("198.51.100.9:67") // nobody answers ARP for it
		msg := make([]byte, 300)
		msg[0] = 1

		// A storm toward the dead helper, then one request to the live one.
		done := make(chan error, 1)
		go func() {
			for range 2000 {
				_, _, _ = up.WriteMsgUDPAddrPort(msg, nil, dead) // some fail once its queue is full
			}
			_, _, err := up.WriteMsgUDPAddrPort(msg, nil, live)
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("send to the live helper after a storm toward a dead one: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("sends toward a dead helper blocked the sender")
		}
		buf := make([]byte, 1500)
		if err := peer.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := peer.ReadFromUDPAddrPort(buf); err != nil {
			t.Errorf("the live helper got nothing: %v", err)
		}

		// With a small buffer the dead helper's queue fills it: the send
		// fails at once instead of waiting.
		s := up
		if err := s.raw.Control(func(fd uintptr) {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
		}); err != nil {
			t.Fatal(err)
		}
		go func() {
			for range 200 {
				if _, _, err := up.WriteMsgUDPAddrPort(msg, nil, netip.MustParseAddrPort("198.51.100.10:67")); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		select {
		case err := <-done:
			if !errors.Is(err, unix.EAGAIN) {
				t.Errorf("200 sends into a 4 KiB buffer toward an unresolved neighbour: %v, want EAGAIN", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a send into a full buffer waited")
		}
	})
}

// TestUDPConnPollAndBatch: the non-blocking read reports an empty
// socket at once and then reads a waiting reply; SendBatch sends each
// datagram to its own destination from the source its control data names,
// and one the kernel refuses (port 0) fails alone; after Close both fail
// with net.ErrClosed.
func TestUDPConnPollAndBatch(t *testing.T) {
	inNewNetns(t, func() {
		const port = 10067
		_, up := loopbackUDPConn(t, port)
		sock := up
		defer up.Close()
		var peers []*net.UDPConn
		for range 2 {
			p, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			p.SetReadDeadline(time.Now().Add(5 * time.Second))
			peers = append(peers, p)
		}
		loopback := netip.MustParseAddr("127.0.0.1")

		buf, oob := make([]byte, 1500), make([]byte, PktinfoSpace())
		if _, _, _, _, ok, err := sock.TryReadMsgUDPAddrPort(buf, oob); ok || err != nil {
			t.Fatalf("try-read of an empty socket: ok %v, err %v; want neither", ok, err)
		}
		reply := []byte{2, 1, 6, 0, 9}
		if _, err := peers[0].WriteToUDP(reply, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}); err != nil {
			t.Fatal(err)
		}
		var (
			n   int
			ok  bool
			err error
		)
		for deadline := time.Now().Add(5 * time.Second); !ok && time.Now().Before(deadline); {
			n, _, _, _, ok, err = sock.TryReadMsgUDPAddrPort(buf, oob)
			if err != nil {
				t.Fatal(err)
			}
		}
		if !ok || string(buf[:n]) != string(reply) {
			t.Fatalf("try-read: ok %v, % x; want % x", ok, buf[:n], reply)
		}

		b := mmsg.New(4, 64, PktinfoSpace())
		dsts := []netip.AddrPort{
			peers[0].LocalAddr().(*net.UDPAddr).AddrPort(),
			netip.AddrPortFrom(loopback, 0), // refused: EINVAL
			peers[1].LocalAddr().(*net.UDPAddr).AddrPort(),
		}
		for i, d := range dsts {
			if _, ok := b.Add([]byte{1, 1, 6, 0, byte(i)}, PktinfoSource(loopback), d); !ok {
				t.Fatalf("Add %d failed", i)
			}
		}
		if n, err := sock.SendBatch(b); n != 2 || err != nil {
			t.Fatalf("SendBatch: %d sent, %v; want 2, nil", n, err)
		}
		if b.Err(0) != nil || b.Err(1) == nil || b.Err(2) != nil {
			t.Errorf("per-datagram errors %v, %v, %v; want only the second", b.Err(0), b.Err(1), b.Err(2))
		}
		for i, p := range peers {
			n, from, err := p.ReadFromUDPAddrPort(buf)
			if err != nil {
				t.Fatalf("peer %d: %v", i, err)
			}
			if want := byte(2 * i); n != 5 || buf[4] != want || from != netip.AddrPortFrom(loopback, port) {
				t.Errorf("peer %d got % x from %v, want datagram %d from 127.0.0.1:%d", i, buf[:n], from, want, port)
			}
		}

		up.Close()
		if _, _, _, _, _, err := sock.TryReadMsgUDPAddrPort(buf, oob); !errors.Is(err, net.ErrClosed) {
			t.Errorf("try-read after Close: %v, want net.ErrClosed", err)
		}
		if _, err := sock.SendBatch(b); !errors.Is(err, net.ErrClosed) || b.Err(0) == nil {
			t.Errorf("SendBatch after Close: %v (slot 0: %v), want net.ErrClosed and a failed slot", err, b.Err(0))
		}
	})
}

// TestUDPConnReadIdle: the read of a draining loop calls idle when the
// socket is empty, before it waits, and not while a datagram is waiting.
func TestUDPConnReadIdle(t *testing.T) {
	inNewNetns(t, func() {
		const port = 10068
		_, up := loopbackUDPConn(t, port)
		defer up.Close()
		peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
		send := func(b byte) {
			if _, err := peer.WriteToUDP([]byte{2, 1, 6, 0, b}, to); err != nil {
				t.Error(err)
			}
		}
		buf, oob := make([]byte, 1500), make([]byte, 128)
		send(1)
		time.Sleep(50 * time.Millisecond)
		idles := 0
		n, _, _, _, err := up.ReadMsgUDPAddrPortIdle(buf, oob, func() { idles++ })
		if err != nil || n != 5 || buf[4] != 1 || idles != 0 {
			t.Fatalf("read of a waiting reply: %d bytes (% x), %v, %d idle calls; want reply 1 and none", n, buf[:n], err, idles)
		}
		n, _, _, _, err = up.ReadMsgUDPAddrPortIdle(buf, oob, func() {
			if idles++; idles == 1 {
				send(2)
			}
		})
		if err != nil || n != 5 || buf[4] != 2 || idles < 1 {
			t.Fatalf("read of an empty socket: %d bytes (% x), %v, %d idle calls; want reply 2 after at least one", n, buf[:n], err, idles)
		}
	})
}

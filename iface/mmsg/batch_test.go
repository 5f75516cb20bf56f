package mmsg

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pair returns a connected pair of Unix datagram sockets; the second has a
// receive timeout so that a missing datagram fails the test instead of
// hanging it.
func pair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	tv := unix.NsecToTimeval(int64(2 * time.Second))
	if err := unix.SetsockoptTimeval(fds[1], unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	return fds[0], fds[1]
}

func TestAdd(t *testing.T) {
	v4 := netip.MustParseAddrPort("198.51.100.2:67")
	tests := []struct {
		name   string
		fill   int // datagrams added before
		p, oob []byte
		to     netip.AddrPort
		ok     bool
	}{
		{"plain", 0, []byte("a"), nil, netip.AddrPort{}, true},
		{"with control and address", 0, []byte("a"), []byte{1, 2, 3}, v4, true},
		{"mapped IPv4 address", 0, []byte("a"), nil, netip.MustParseAddrPort("[::ffff:198.51.100.2]:67"), true},
		{"a whole slot", 0, bytes.Repeat([]byte{7}, 16), nil, netip.AddrPort{}, true},
		{"last slot", 2, []byte("a"), nil, netip.AddrPort{}, true},
		{"full", 3, []byte("a"), nil, netip.AddrPort{}, false},
		{"empty datagram", 0, nil, nil, netip.AddrPort{}, false},
		{"longer than a slot", 0, bytes.Repeat([]byte{7}, 17), nil, netip.AddrPort{}, false},
		{"control longer than its room", 0, []byte("a"), make([]byte, 9), netip.AddrPort{}, false},
		{"IPv6 address", 0, []byte("a"), nil, netip.MustParseAddrPort("[2001:db8::1]:67"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(3, 16, 8)
			for range tt.fill {
				if _, ok := b.Add([]byte("x"), nil, netip.AddrPort{}); !ok {
					t.Fatal("filling: Add failed")
				}
			}
			i, ok := b.Add(tt.p, tt.oob, tt.to)
			if ok != tt.ok {
				t.Fatalf("Add: ok %v, want %v", ok, tt.ok)
			}
			if !ok {
				if b.Len() != tt.fill {
					t.Errorf("Len %d after a refused Add, want %d", b.Len(), tt.fill)
				}
				return
			}
			if i != tt.fill || b.Len() != tt.fill+1 {
				t.Errorf("slot %d, Len %d; want %d, %d", i, b.Len(), tt.fill, tt.fill+1)
			}
			if !bytes.Equal(b.Msg(i), tt.p) || !bytes.Equal(b.OOB(i), tt.oob) {
				t.Errorf("slot holds % x / % x, want % x / % x", b.Msg(i), b.OOB(i), tt.p, tt.oob)
			}
			want := tt.to
			if want.IsValid() {
				want = netip.AddrPortFrom(want.Addr().Unmap(), want.Port())
			}
			if b.To(i) != want {
				t.Errorf("To %v, want %v", b.To(i), want)
			}
		})
	}
}

// TestAddCopies: the batch holds copies, so the caller may reuse its
// buffer at once (the relay's read loops do).
func TestAddCopies(t *testing.T) {
	b := New(2, 16, 8)
	p, oob := []byte("first"), []byte{1}
	b.Add(p, oob, netip.AddrPort{})
	copy(p, "XXXXX")
	oob[0] = 9
	if string(b.Msg(0)) != "first" || b.OOB(0)[0] != 1 {
		t.Errorf("slot changed with the caller's buffer: %q % x", b.Msg(0), b.OOB(0))
	}
}

// TestSend: every datagram arrives, in order, in one call, and the batch
// can be refilled after Reset.
func TestSend(t *testing.T) {
	a, peer := pair(t)
	b := New(8, 64, 0)
	for round := range 2 {
		var want []string
		for i := range 5 + round {
			m := fmt.Sprintf("round %d datagram %d", round, i)
			want = append(want, m)
			if _, ok := b.Add([]byte(m), nil, netip.AddrPort{}); !ok {
				t.Fatalf("Add %d failed", i)
			}
		}
		if n := b.Send(uintptr(a)); n != len(want) {
			t.Fatalf("round %d: sent %d, want %d", round, n, len(want))
		}
		for i, w := range want {
			if err := b.Err(i); err != nil {
				t.Errorf("slot %d: %v", i, err)
			}
			buf := make([]byte, 128)
			n, err := unix.Read(peer, buf)
			if err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
			if string(buf[:n]) != w {
				t.Errorf("datagram %d: %q, want %q", i, buf[:n], w)
			}
		}
		b.Reset()
		if b.Len() != 0 {
			t.Fatalf("Len %d after Reset", b.Len())
		}
	}
}

// TestSendSkipsAFailure: a datagram the kernel refuses is recorded as
// failed and the ones after it are still sent. (An IPv4 address on a Unix
// socket is refused.)
func TestSendSkipsAFailure(t *testing.T) {
	a, peer := pair(t)
	b := New(4, 64, 0)
	b.Add([]byte("one"), nil, netip.AddrPort{})
	b.Add([]byte("bad"), nil, netip.MustParseAddrPort("198.51.100.2:67"))
	b.Add([]byte("three"), nil, netip.AddrPort{})
	if n := b.Send(uintptr(a)); n != 2 {
		t.Fatalf("sent %d, want 2", n)
	}
	if b.Err(0) != nil || b.Err(2) != nil {
		t.Errorf("good slots failed: %v, %v", b.Err(0), b.Err(2))
	}
	var errno unix.Errno
	if err := b.Err(1); !errors.As(err, &errno) {
		t.Errorf("slot 1: error %v, want an errno", err)
	}
	for _, want := range []string{"one", "three"} {
		buf := make([]byte, 64)
		n, err := unix.Read(peer, buf)
		if err != nil {
			t.Fatal(err)
		}
		if string(buf[:n]) != want {
			t.Errorf("got %q, want %q", buf[:n], want)
		}
	}
}

// TestSendNeverWaits: on a full receiver, Send returns at once with the
// datagrams that found no room marked EAGAIN.
func TestSendNeverWaits(t *testing.T) {
	a, _ := pair(t)
	b := New(64, 1024, 0)
	msg := bytes.Repeat([]byte{1}, 1024)
	failed := 0
	for range 100 { // far more than a Unix datagram queue holds
		b.Reset()
		for !b.Full() {
			b.Add(msg, nil, netip.AddrPort{})
		}
		b.Send(uintptr(a))
		for i := range b.Len() {
			if errors.Is(b.Err(i), unix.EAGAIN) {
				failed++
			}
		}
	}
	if failed == 0 {
		t.Error("no datagram failed with EAGAIN on a receiver that reads nothing")
	}
}

func TestSetErr(t *testing.T) {
	b := New(1, 8, 0)
	b.Add([]byte("a"), nil, netip.AddrPort{})
	for _, tt := range []struct {
		err, want error
	}{
		{nil, nil},
		{unix.ENOBUFS, unix.ENOBUFS},
		{errors.New("not an errno"), unix.EIO},
	} {
		b.SetErr(0, tt.err)
		if got := b.Err(0); got != tt.want && !errors.Is(got, tt.want) {
			t.Errorf("SetErr(%v): Err %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestAddAndSendAllocateNothing(t *testing.T) {
	a, peer := pair(t)
	b := New(4, 64, 8)
	buf := make([]byte, 64)
	allocs := testing.AllocsPerRun(50, func() {
		b.Reset()
		b.Add([]byte("datagram"), nil, netip.AddrPort{})
		b.Send(uintptr(a))
		unix.Read(peer, buf)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per add and send, want 0", allocs)
	}
}

package mmsg

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// pair returns two connected datagram sockets that need no network, with a
// short receive timeout on the second.
func pair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	tv := unix.NsecToTimeval(int64(50 * time.Millisecond))
	if err := unix.SetsockoptTimeval(fds[1], unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	return fds[0], fds[1]
}

func TestSendRecv(t *testing.T) {
	tests := []struct {
		name string
		msgs []string
		recv int // receive batch size
		want [][]string
	}{
		{name: "one", msgs: []string{"a"}, recv: 4, want: [][]string{{"a"}}},
		{name: "batch in one call", msgs: []string{"a", "bb", "ccc"}, recv: 4, want: [][]string{{"a", "bb", "ccc"}}},
		{name: "more than the receive batch", msgs: []string{"1", "2", "3"}, recv: 2, want: [][]string{{"1", "2"}, {"3"}}},
		{name: "empty message", msgs: []string{""}, recv: 1, want: [][]string{{""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := pair(t)
			out := New(len(tt.msgs), 16)
			for i, m := range tt.msgs {
				out.SetLen(i, copy(out.Buf(i), m))
			}
			sent, err := out.Send(a, len(tt.msgs))
			if err != nil || sent != len(tt.msgs) {
				t.Fatalf("Send = %d, %v; want %d, nil", sent, err, len(tt.msgs))
			}
			in := New(tt.recv, 16)
			var got [][]string
			for range tt.want {
				n, err := in.Recv(b)
				if err != nil {
					t.Fatal(err)
				}
				var batch []string
				for i := range n {
					batch = append(batch, string(in.Msg(i)))
				}
				got = append(got, batch)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("received (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecvTimeoutAndTruncation(t *testing.T) {
	a, b := pair(t)
	in := New(2, 4)
	if _, err := in.Recv(b); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("Recv on an idle socket: got %v, want EAGAIN", err)
	}
	out := New(1, 16)
	out.SetLen(0, copy(out.Buf(0), "too long"))
	if _, err := out.Send(a, 1); err != nil {
		t.Fatal(err)
	}
	n, err := in.Recv(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{1, true, "too "}, []any{n, in.Truncated(0), string(in.Msg(0))}); diff != "" {
		t.Errorf("truncated message (-want +got):\n%s", diff)
	}
}

func TestSendErrors(t *testing.T) {
	a, _ := pair(t)
	out := New(2, 16)
	if _, err := out.Send(a, 3); err == nil || err.Error() != "mmsg: more messages than buffers" {
		t.Errorf("got error %v, want %q", err, "mmsg: more messages than buffers")
	}
	// A destination address on a connected AF_UNIX socket is refused
	// message by message; Send skips each and reports the first error.
	out.SetDest(0, 1, [4]byte{203, 0, 113, 1}, 67)
	out.SetDest(1, 1, [4]byte{203, 0, 113, 1}, 67)
	sent, err := out.Send(a, 2)
	if sent != 0 || err == nil {
		t.Errorf("Send = %d, %v; want 0 and an error", sent, err)
	}
}

func TestSetDest(t *testing.T) {
	b := New(1, 8)
	b.SetDest(0, 5, [4]byte{198, 51, 100, 2}, 67)
	want := unix.RawSockaddrInet4{Family: unix.AF_INET, Port: 67 << 8, Addr: [4]byte{198, 51, 100, 2}}
	if diff := cmp.Diff(want, b.names[0]); diff != "" {
		t.Errorf("sockaddr (-want +got):\n%s", diff)
	}
}

func TestNoAllocations(t *testing.T) {
	a, b := pair(t)
	out, in := New(8, 64), New(8, 64)
	for i := range 8 {
		out.SetLen(i, 64)
	}
	allocs := testing.AllocsPerRun(50, func() {
		if _, err := out.Send(a, 8); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Recv(b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per batch, want 0", allocs)
	}
}

package mmsg

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsghdr is struct mmsghdr of <sys/socket.h>.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// Batch is a fixed set of message buffers with the kernel headers that point
// at them. A Batch is used by one goroutine at a time, for receiving or for
// sending (each call sets up the headers it needs).
type Batch struct {
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	bufs  [][]byte
	lens  []int
	names []unix.RawSockaddrInet4
	dest  []bool
}

// New returns a batch of n buffers of size bytes each.
func New(n, size int) *Batch {
	if n <= 0 || size <= 0 {
		panic(fmt.Sprintf("mmsg.New(%d, %d): both must be positive", n, size))
	}
	b := &Batch{
		hdrs:  make([]mmsghdr, n),
		iovs:  make([]unix.Iovec, n),
		bufs:  make([][]byte, n),
		lens:  make([]int, n),
		names: make([]unix.RawSockaddrInet4, n),
		dest:  make([]bool, n),
	}
	mem := make([]byte, n*size)
	for i := range b.bufs {
		b.bufs[i] = mem[i*size : (i+1)*size : (i+1)*size]
		b.iovs[i].Base = &b.bufs[i][0]
		b.hdrs[i].hdr.Iov = &b.iovs[i]
		b.hdrs[i].hdr.SetIovlen(1)
	}
	return b
}

// Cap returns the number of buffers.
func (b *Batch) Cap() int { return len(b.bufs) }

// Buf returns buffer i at its full size, to build a message to send in.
func (b *Batch) Buf(i int) []byte { return b.bufs[i] }

// Msg returns the bytes of message i: what Recv received, or what SetLen set.
func (b *Batch) Msg(i int) []byte { return b.bufs[i][:b.lens[i]] }

// Truncated reports whether message i of the last Recv was longer than its
// buffer.
func (b *Batch) Truncated(i int) bool { return b.hdrs[i].hdr.Flags&unix.MSG_TRUNC != 0 }

// SetLen sets the length of message i for Send, with no destination address
// (the socket's bound or connected peer).
func (b *Batch) SetLen(i, n int) {
	b.lens[i] = n
	b.dest[i] = false
}

// SetDest sets the length of message i for Send and its IPv4 destination.
func (b *Batch) SetDest(i, n int, addr [4]byte, port uint16) {
	b.lens[i] = n
	b.dest[i] = true
	b.names[i] = unix.RawSockaddrInet4{Family: unix.AF_INET, Port: port<<8 | port>>8, Addr: addr}
}

// Recv waits for at least one message on fd and returns how many it read
// (up to Cap) without waiting for more; Msg(i) holds message i. It returns
// unix.EAGAIN when the socket's receive timeout passes with nothing read.
// Interrupted calls are retried.
func (b *Batch) Recv(fd int) (int, error) {
	for i := range b.hdrs {
		h := &b.hdrs[i].hdr
		b.iovs[i].SetLen(len(b.bufs[i]))
		h.Name, h.Namelen, h.Flags = nil, 0, 0
		h.Control, h.Controllen = nil, 0
	}
	for {
		r, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(fd),
			uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(len(b.hdrs)), unix.MSG_WAITFORONE, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return 0, errno
		}
		n := int(r)
		for i := range n {
			b.lens[i] = min(int(b.hdrs[i].n), len(b.bufs[i]))
		}
		return n, nil
	}
}

// Send sends messages 0..n-1 (lengths and destinations set with SetLen or
// SetDest) on fd. A message the kernel refuses is skipped and the rest are
// still sent; Send returns how many were sent and the first error.
func (b *Batch) Send(fd int, n int) (int, error) {
	if n > len(b.hdrs) {
		return 0, errors.New("mmsg: more messages than buffers")
	}
	for i := range n {
		h := &b.hdrs[i].hdr
		b.iovs[i].SetLen(b.lens[i])
		h.Control, h.Controllen, h.Flags = nil, 0, 0
		if b.dest[i] {
			h.Name, h.Namelen = (*byte)(unsafe.Pointer(&b.names[i])), unix.SizeofSockaddrInet4
		} else {
			h.Name, h.Namelen = nil, 0
		}
	}
	sent := 0
	var first error
	for i := 0; i < n; {
		r, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd),
			uintptr(unsafe.Pointer(&b.hdrs[i])), uintptr(n-i), 0, 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			if first == nil {
				first = errno
			}
			i++ // the message at i failed: skip it
		case r == 0:
			i++ // cannot happen for a blocking socket; never spin
		default:
			sent += int(r)
			i += int(r)
		}
	}
	return sent, first
}

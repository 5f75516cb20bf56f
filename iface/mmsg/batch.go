// Package mmsg queues datagrams and sends them with sendmmsg(2): one system
// call for a burst instead of one per datagram.
//
// A relay under load reads a burst of requests, then sends a burst: sent
// one by one, each datagram wakes the receiver and, on a veth, runs its
// receive path and often a preemption, on the sender's CPU. Sent together,
// the receiver wakes once for the burst. The relay's read loops queue what
// they send in a Batch and send it when their socket has nothing more to
// read, or when the batch is full.
//
// A Batch is used by one goroutine at a time; it holds copies of what was
// added, in buffers allocated once, so adding and sending allocate nothing.
//
// docs/sockets-and-threads.md, "Waiting, draining and batches", says when
// the relay's loops send their batches.
package mmsg

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsghdr is struct mmsghdr of <sys/socket.h>.
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
	_   [4]byte
}

// Batch is a bounded queue of datagrams, each with optional control data
// and an optional IPv4 destination, to send with one sendmmsg(2).
type Batch struct {
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	bufs  [][]byte
	oobs  [][]byte
	names []unix.RawSockaddrInet4
	errs  []unix.Errno
	n     int
}

// New returns a batch of n slots, each holding a datagram of up to size
// bytes and up to oobSize bytes of control data.
func New(n, size, oobSize int) *Batch {
	n, size, oobSize = max(n, 1), max(size, 1), max(oobSize, 0)
	b := &Batch{
		hdrs:  make([]mmsghdr, n),
		iovs:  make([]unix.Iovec, n),
		bufs:  make([][]byte, n),
		oobs:  make([][]byte, n),
		names: make([]unix.RawSockaddrInet4, n),
		errs:  make([]unix.Errno, n),
	}
	mem := make([]byte, n*(size+oobSize))
	for i := range n {
		slot := mem[i*(size+oobSize) : (i+1)*(size+oobSize)]
		b.bufs[i] = slot[:size:size]
		b.oobs[i] = slot[size:]
	}
	return b
}

// Cap returns the number of slots.
func (b *Batch) Cap() int { return len(b.hdrs) }

// SlotSize returns the largest datagram a slot holds.
func (b *Batch) SlotSize() int { return len(b.bufs[0]) }

// Len returns the number of datagrams queued.
func (b *Batch) Len() int { return b.n }

// Full reports whether no slot is left.
func (b *Batch) Full() bool { return b.n == len(b.hdrs) }

// Add queues a copy of p, with a copy of oob as its control data (none if
// empty), to `to` (invalid: no address, for a connected or packet socket).
// It returns the slot's index, or false when the batch is full, p is empty
// or longer than a slot, oob does not fit, or `to` is not IPv4.
func (b *Batch) Add(p, oob []byte, to netip.AddrPort) (int, bool) {
	i := b.n
	if i == len(b.hdrs) || len(p) == 0 || len(p) > len(b.bufs[i]) || len(oob) > len(b.oobs[i]) {
		return 0, false
	}
	if to.IsValid() && !to.Addr().Unmap().Is4() {
		return 0, false
	}
	copy(b.bufs[i], p)
	b.iovs[i].Base = &b.bufs[i][0]
	b.iovs[i].SetLen(len(p))
	h := &b.hdrs[i]
	*h = mmsghdr{}
	h.hdr.Iov = &b.iovs[i]
	h.hdr.SetIovlen(1)
	if len(oob) > 0 {
		copy(b.oobs[i], oob)
		h.hdr.Control = &b.oobs[i][0]
		h.hdr.SetControllen(len(oob))
	}
	if to.IsValid() {
		sa := &b.names[i]
		*sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: to.Addr().Unmap().As4()}
		port := (*[2]byte)(unsafe.Pointer(&sa.Port))
		port[0], port[1] = byte(to.Port()>>8), byte(to.Port())
		h.hdr.Name = (*byte)(unsafe.Pointer(sa))
		h.hdr.Namelen = unix.SizeofSockaddrInet4
	}
	b.errs[i] = 0
	b.n++
	return i, true
}

// Msg returns the datagram in slot i.
func (b *Batch) Msg(i int) []byte { return b.bufs[i][:b.iovs[i].Len] }

// OOB returns the control data in slot i.
func (b *Batch) OOB(i int) []byte { return b.oobs[i][:b.hdrs[i].hdr.Controllen] }

// To returns the destination of slot i; invalid when it has none.
func (b *Batch) To(i int) netip.AddrPort {
	h := &b.hdrs[i].hdr
	if h.Name == nil {
		return netip.AddrPort{}
	}
	sa := &b.names[i]
	port := (*[2]byte)(unsafe.Pointer(&sa.Port))
	return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(port[0])<<8|uint16(port[1]))
}

// Err returns the error of slot i's last send: nil when it was sent.
func (b *Batch) Err(i int) error {
	if b.errs[i] == 0 {
		return nil
	}
	return b.errs[i]
}

// SetErr records err as slot i's result, for a sender that writes the
// slots one by one.
func (b *Batch) SetErr(i int, err error) {
	switch e := err.(type) {
	case nil:
		b.errs[i] = 0
	case unix.Errno:
		b.errs[i] = e
	default:
		b.errs[i] = unix.EIO
	}
}

// Send sends every queued datagram on fd with sendmmsg(2), MSG_DONTWAIT: it
// never waits for room in the send buffer. A datagram the kernel refuses
// (EAGAIN when the buffer is full, or any other error) is skipped with its
// error recorded (see Err), and the rest are still sent. It returns the
// number sent.
//
// The call is a raw system call (no entry into the Go scheduler's syscall
// state), as it cannot block: see iface.UDPConn for why.
func (b *Batch) Send(fd uintptr) int {
	sent := 0
	for i := 0; i < b.n; {
		r, _, errno := unix.RawSyscall6(unix.SYS_SENDMMSG, fd,
			uintptr(unsafe.Pointer(&b.hdrs[i])), uintptr(b.n-i), unix.MSG_DONTWAIT, 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			b.errs[i] = errno // sendmmsg fails only for its first datagram
			i++
		case r == 0: // not for a datagram socket; never spin
			b.errs[i] = unix.EAGAIN
			i++
		default:
			for j := i; j < i+int(r); j++ {
				b.errs[j] = 0
			}
			sent += int(r)
			i += int(r)
		}
	}
	return sent
}

// Reset empties the batch. The results of the last Send stay readable
// until the slots are reused.
func (b *Batch) Reset() { b.n = 0 }

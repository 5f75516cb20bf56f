package iface

import (
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/iphelper/iphelper/iface/mmsg"
)

// The system calls of the hot paths of both sockets, PacketConn and
// UDPConn: recvmsg(2), sendmsg(2) and sendmmsg(2), made raw and
// non-blocking through the socket's syscall.RawConn, so that the runtime's
// poller still waits for readiness (see UDPConn for why raw). Each call's
// state is reused, with the function handed to RawConn bound once, so that
// a call allocates nothing: unix.Recvmsg would allocate a Sockaddr per
// call, and a closure handed to RawConn.Read escapes to the heap.

// msgCall is the state of one recvmsg(2) or sendmsg(2) of a single buffer:
// its msghdr and iovec, and its result.
type msgCall struct {
	msg   unix.Msghdr
	iov   unix.Iovec
	n     int
	errno unix.Errno
	got   bool   // whether the last non-blocking try read a datagram
	idle  func() // called by recvIdle when the socket is empty; nil: none
}

// set points the msghdr at b (not empty), at the address buffer name of
// namelen bytes and at oob (none if empty), and clears the last result.
func (m *msgCall) set(b []byte, name unsafe.Pointer, namelen uint32, oob []byte) {
	m.iov.Base = &b[0]
	m.iov.SetLen(len(b))
	m.msg = unix.Msghdr{Name: (*byte)(name), Namelen: namelen, Iov: &m.iov}
	m.msg.SetIovlen(1)
	if len(oob) > 0 {
		m.msg.Control = &oob[0]
		m.msg.SetControllen(len(oob))
	}
	m.n, m.errno = 0, 0
}

// clear drops the references to the caller's buffers.
func (m *msgCall) clear() {
	m.iov.Base = nil
	m.iov.SetLen(0)
	m.msg.Control, m.msg.Iov = nil, nil
}

// recv runs one non-blocking recvmsg(2) on fd; it reports false when
// nothing is waiting, so that syscall.RawConn.Read waits for the socket to
// become readable (or the read deadline to pass) and calls it again.
func (m *msgCall) recv(fd uintptr) bool {
	for {
		n, _, errno := unix.RawSyscall(unix.SYS_RECVMSG, fd,
			uintptr(unsafe.Pointer(&m.msg)), unix.MSG_DONTWAIT)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		m.n, m.errno = int(n), errno
		return true
	}
}

// recvIdle is recv that calls m.idle (when set) each time it finds the
// socket empty, before RawConn.Read waits: a loop that drains its socket
// sends what it relayed there, and the read that finds the socket empty
// is the one that waits, not a separate try before it.
func (m *msgCall) recvIdle(fd uintptr) bool {
	if m.recv(fd) {
		return true
	}
	if m.idle != nil {
		m.idle()
	}
	return false
}

// tryRecv is one non-blocking read that never waits, for
// syscall.RawConn.Control: m.got says whether it read anything.
func (m *msgCall) tryRecv(fd uintptr) { m.got = m.recv(fd) }

// truncated reports whether the last datagram was longer than the buffer.
func (m *msgCall) truncated() bool { return m.msg.Flags&unix.MSG_TRUNC != 0 }

// receiver is the state of one recvmsg(2) on a packet socket. It lives in
// the PacketConn and is reused.
type receiver struct {
	msgCall
	from unix.RawSockaddrLinklayer
	oob  []byte

	// read is r.recvIdle, bound once.
	read func(fd uintptr) bool
}

// newReceiver returns a receiver with its control-message buffer.
func newReceiver() *receiver {
	r := &receiver{oob: make([]byte, oobSize)}
	r.read = r.recvIdle
	return r
}

// setBuffer points the next recvmsg at b, which must not be empty.
func (r *receiver) setBuffer(b []byte) {
	r.set(b, unsafe.Pointer(&r.from), unix.SizeofSockaddrLinklayer, r.oob)
}

// clearBuffer drops the reference to the caller's buffer.
func (r *receiver) clearBuffer() { r.clear() }

// control returns the control messages the last recvmsg received.
func (r *receiver) control() []byte {
	n := int(r.msg.Controllen)
	if n < 0 || n > len(r.oob) {
		n = len(r.oob)
	}
	return r.oob[:n]
}

// sender is the state of one send(2) on a packet socket, reused like
// receiver so that a write allocates nothing.
type sender struct {
	frame []byte
	errno unix.Errno

	// write is s.send, bound once.
	write func(fd uintptr) bool
}

// newSender returns a sender.
func newSender() *sender {
	s := &sender{}
	s.write = s.send
	return s
}

// send runs one non-blocking send(2) of s.frame, which must not be empty, on
// fd; it reports false when the socket's send buffer is full.
func (s *sender) send(fd uintptr) bool {
	for {
		_, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, fd,
			uintptr(unsafe.Pointer(&s.frame[0])), uintptr(len(s.frame)),
			unix.MSG_DONTWAIT, 0, 0)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		s.errno = errno
		return true
	}
}

// udpMsg is the state of one recvmsg(2) or sendmsg(2) of a UDPConn: a
// msgCall for one datagram from or to an IPv4 address, with the function
// handed to RawConn bound once.
type udpMsg struct {
	msgCall
	sa unix.RawSockaddrInet4
	do func(fd uintptr) bool // recvIdle for a reader, send for a writer
}

// newUDPReceiver returns the state of a UDPConn's reads.
func newUDPReceiver() *udpMsg {
	m := &udpMsg{}
	m.do = m.recvIdle
	return m
}

// newUDPSender returns the state of one UDPConn write, pooled.
func newUDPSender() *udpMsg {
	m := &udpMsg{}
	m.do = m.send
	return m
}

// setFrom points the msghdr at b (not empty) and oob (may be empty), for a
// read.
func (m *udpMsg) setFrom(b, oob []byte) {
	m.set(b, unsafe.Pointer(&m.sa), unix.SizeofSockaddrInet4, oob)
}

// from returns the source of the last datagram read.
func (m *udpMsg) from() netip.AddrPort {
	p := (*[2]byte)(unsafe.Pointer(&m.sa.Port))
	return netip.AddrPortFrom(netip.AddrFrom4(m.sa.Addr), uint16(p[0])<<8|uint16(p[1]))
}

// setTo points the msghdr at b and oob, to addr, for a write.
func (m *udpMsg) setTo(b, oob []byte, addr netip.AddrPort) {
	m.setFrom(b, oob)
	m.sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: addr.Addr().Unmap().As4()}
	p := (*[2]byte)(unsafe.Pointer(&m.sa.Port))
	p[0], p[1] = byte(addr.Port()>>8), byte(addr.Port())
}

// send runs one non-blocking sendmsg(2) on fd. A full send buffer is an
// error (EAGAIN), not a wait: the caller is a request path's read loop,
// and the buffer fills when a helper's address does not resolve (the
// kernel holds the datagrams for the neighbour, charged to this socket,
// for seconds): waiting would stall every client of the interface, and its
// fallback, exactly when the upstream is down. The request is counted as a
// failed send instead.
func (m *udpMsg) send(fd uintptr) bool {
	for {
		n, _, errno := unix.RawSyscall(unix.SYS_SENDMSG, fd,
			uintptr(unsafe.Pointer(&m.msg)), unix.MSG_DONTWAIT)
		if errno == unix.EINTR {
			continue
		}
		m.n, m.errno = int(n), errno
		return true
	}
}

// batchSend is the state of a socket's SendBatch: the batch handed to the
// sendmmsg(2) function, which is bound once. Its user holds a lock.
type batchSend struct {
	batch *mmsg.Batch
	n     int
	send  func(fd uintptr) // b.sendmmsg, bound once
}

// init binds the function handed to RawConn.
func (b *batchSend) init() { b.send = b.sendmmsg }

// sendmmsg is SendBatch's system call.
func (b *batchSend) sendmmsg(fd uintptr) { b.n = b.batch.Send(fd) }

// run sends the datagrams queued in q on raw's socket with one
// sendmmsg(2), without waiting: a datagram the kernel refuses is skipped
// with its error recorded in q (mmsg.Batch.Err). It returns the number
// sent, and the RawConn's error (the socket is closed) unwrapped, in which
// case nothing was sent and every slot is marked failed.
func (b *batchSend) run(raw syscall.RawConn, q *mmsg.Batch) (int, error) {
	b.batch, b.n = q, 0
	err := raw.Control(b.send)
	b.batch = nil
	if err != nil {
		for i := range q.Len() {
			q.SetErr(i, unix.EBADF)
		}
		return 0, err
	}
	return b.n, nil
}

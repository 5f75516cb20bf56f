package iface

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// receiver is the state of one recvmsg(2) on a packet socket. It lives in
// the PacketConn and is reused, with its read function bound once, so that a
// read allocates nothing: unix.Recvmsg would allocate a Sockaddr per call,
// and a closure handed to syscall.RawConn.Read escapes to the heap.
type receiver struct {
	msg  unix.Msghdr
	iov  unix.Iovec
	from unix.RawSockaddrLinklayer
	oob  []byte

	n     int
	errno unix.Errno
	got   bool // whether the last non-blocking try read a frame

	// read is r.recv, bound once.
	read func(fd uintptr) bool
}

// newReceiver returns a receiver with its control-message buffer.
func newReceiver() *receiver {
	r := &receiver{oob: make([]byte, oobSize)}
	r.read = r.recv
	return r
}

// setBuffer points the next recvmsg at b, which must not be empty.
func (r *receiver) setBuffer(b []byte) {
	r.iov.Base = &b[0]
	r.iov.SetLen(len(b))
}

// clearBuffer drops the reference to the caller's buffer.
func (r *receiver) clearBuffer() {
	r.iov.Base = nil
	r.iov.SetLen(0)
}

// recv runs one non-blocking recvmsg(2) on fd; it reports false when no
// frame is waiting, so that syscall.RawConn.Read waits for the socket to
// become readable (or the read deadline to pass) and calls it again.
func (r *receiver) recv(fd uintptr) bool {
	r.msg = unix.Msghdr{
		Name:    (*byte)(unsafe.Pointer(&r.from)),
		Namelen: unix.SizeofSockaddrLinklayer,
		Iov:     &r.iov,
		Control: &r.oob[0],
	}
	r.msg.SetIovlen(1)
	r.msg.SetControllen(len(r.oob))
	for {
		n, _, errno := unix.RawSyscall(unix.SYS_RECVMSG, fd,
			uintptr(unsafe.Pointer(&r.msg)), unix.MSG_DONTWAIT)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		r.n, r.errno = int(n), errno
		return true
	}
}

// control returns the control messages the last recvmsg received.
func (r *receiver) control() []byte {
	n := int(r.msg.Controllen)
	if n < 0 || n > len(r.oob) {
		n = len(r.oob)
	}
	return r.oob[:n]
}

// truncated reports whether the last frame was longer than the buffer.
func (r *receiver) truncated() bool { return r.msg.Flags&unix.MSG_TRUNC != 0 }

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

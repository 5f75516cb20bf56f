package iface

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/iphelper/iphelper/iface/mmsg"
)

// UDPConn is the relay's UDP socket toward the helpers (see
// ListenBootReplies), with the hot paths' system calls made directly: a non-blocking recvmsg for each reply (or a try
// that never waits, for a polling loop) and a non-blocking sendmmsg for
// each batch of relayed requests (sendmsg for a single one), through the
// socket's RawConn so that the runtime's poller still waits for readiness.
//
// The calls are raw (no entry into the scheduler's syscall state): they
// never block (MSG_DONTWAIT), but a sendmsg on a veth or a bridge runs the
// receiver's path too and takes tens of microseconds, and a goroutine in
// the syscall state that long lets the runtime's monitor hand its P to
// another thread (a futex wake, and a monitor polling at its 20 µs pace
// while the relay is busy). perf on the benchmark showed that hand-off and
// the monitor's sleeps as the largest share of the relay's CPU. Reading
// and writing allocate nothing.
type UDPConn struct {
	c   *net.UDPConn
	raw syscall.RawConn
	rx  *udpReceiver     // used by the one reading goroutine
	try func(fd uintptr) // s.tryRecv, bound once
	tx  sync.Pool        // of *udpSender: writes come from every interface's read loop

	bmu   sync.Mutex       // held by SendBatch
	batch *mmsg.Batch      // SendBatch's argument, for sendBatch
	sendb func(fd uintptr) // s.sendBatch, bound once
	nsent int
}

func newUDPConn(c *net.UDPConn) (*UDPConn, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &UDPConn{c: c, raw: raw, rx: newUDPReceiver()}
	s.tx.New = func() any { return newUDPSender() }
	s.try, s.sendb = s.tryRecv, s.sendBatch
	return s, nil
}

// ReadMsgUDPAddrPort reads one datagram into b and its control messages
// into oob, like net.UDPConn's method of that name. One goroutine reads at
// a time.
func (s *UDPConn) ReadMsgUDPAddrPort(b, oob []byte) (n, oobn, flags int, addr netip.AddrPort, err error) {
	if len(b) == 0 {
		return 0, 0, 0, netip.AddrPort{}, fmt.Errorf("failed to read from the udp socket: empty buffer")
	}
	r := s.rx
	r.set(b, oob)
	err = s.raw.Read(r.read)
	r.clear()
	return s.result(err)
}

// TryReadMsgUDPAddrPort is ReadMsgUDPAddrPort that never waits: when no
// datagram is waiting it returns at once with ok false. The reply loop
// polls with it under load (see relay/pace and PollSleep).
func (s *UDPConn) TryReadMsgUDPAddrPort(b, oob []byte) (n, oobn, flags int, addr netip.AddrPort, ok bool, err error) {
	if len(b) == 0 {
		return 0, 0, 0, netip.AddrPort{}, false, fmt.Errorf("failed to read from the udp socket: empty buffer")
	}
	r := s.rx
	r.set(b, oob)
	r.got = false
	err = s.raw.Control(s.try)
	r.clear()
	if err == nil && !r.got {
		return 0, 0, 0, netip.AddrPort{}, false, nil
	}
	n, oobn, flags, addr, err = s.result(err)
	return n, oobn, flags, addr, err == nil, err
}

// tryRecv is one non-blocking read, for TryReadMsgUDPAddrPort.
func (s *UDPConn) tryRecv(fd uintptr) { s.rx.got = s.rx.recv(fd) }

// result turns the receiver's last read into ReadMsgUDPAddrPort's results.
func (s *UDPConn) result(err error) (n, oobn, flags int, addr netip.AddrPort, _ error) {
	r := s.rx
	if err == nil && r.errno != 0 {
		err = os.NewSyscallError("recvmsg", r.errno)
	}
	if err != nil {
		return 0, 0, 0, netip.AddrPort{}, s.opError("read", err)
	}
	return r.n, int(r.msg.Controllen), int(r.msg.Flags), r.from(), nil
}

// WriteMsgUDPAddrPort sends b with the control data oob to addr, like
// net.UDPConn's method of that name; it may be called concurrently. It never waits: when the send buffer is full it fails with
// EAGAIN (see udpSender.send).
func (s *UDPConn) WriteMsgUDPAddrPort(b, oob []byte, addr netip.AddrPort) (n, oobn int, err error) {
	if len(b) == 0 || !addr.Addr().Unmap().Is4() {
		return 0, 0, fmt.Errorf("failed to write to the udp socket: need a message and an IPv4 address, have %d bytes for %v", len(b), addr)
	}
	w := s.tx.Get().(*udpSender)
	w.setTo(b, oob, addr)
	err = s.raw.Write(w.write)
	n, errno := w.n, w.errno
	w.clear()
	s.tx.Put(w)
	if err == nil && errno != 0 {
		err = os.NewSyscallError("sendmsg", errno)
	}
	if err != nil {
		return 0, 0, s.opError("write", err)
	}
	return n, len(oob), nil
}

// SendBatch sends the datagrams queued in b, each with its own destination
// and control data, with one sendmmsg(2); it may be called concurrently.
// Like WriteMsgUDPAddrPort it never waits: a datagram that finds the send
// buffer full, or that the kernel refuses for another reason, is skipped
// with its error recorded in b (see mmsg.Batch.Err). It returns the number
// sent, and an error only when the socket itself failed (closed), in which
// case nothing was sent.
func (s *UDPConn) SendBatch(b *mmsg.Batch) (int, error) {
	s.bmu.Lock()
	defer s.bmu.Unlock()
	s.batch, s.nsent = b, 0
	err := s.raw.Control(s.sendb)
	s.batch = nil
	if err != nil {
		for i := range b.Len() {
			b.SetErr(i, unix.EBADF)
		}
		return 0, s.opError("write", err)
	}
	return s.nsent, nil
}

// sendBatch is SendBatch's system call.
func (s *UDPConn) sendBatch(fd uintptr) { s.nsent = s.batch.Send(fd) }

// Close closes the socket; a read or write in progress fails with
// net.ErrClosed.
func (s *UDPConn) Close() error { return s.c.Close() }

// opError wraps err like the net package does, so that errors.Is(err,
// net.ErrClosed) holds after Close.
func (s *UDPConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "udp4", Source: s.c.LocalAddr(), Err: err}
}

// udpReceiver is the state of one recvmsg(2), reused, with its read
// function bound once so that reading allocates nothing.
type udpReceiver struct {
	udpMsg
	read func(fd uintptr) bool
}

func newUDPReceiver() *udpReceiver {
	r := &udpReceiver{}
	r.read = r.recv
	return r
}

// udpMsg is a msghdr for one datagram to or from an IPv4 address, with
// the buffers it points into, and the call's result.
type udpMsg struct {
	msg   unix.Msghdr
	iov   unix.Iovec
	sa    unix.RawSockaddrInet4
	n     int
	errno unix.Errno
	got   bool // whether the last non-blocking try read a datagram
}

// set points the msghdr at b (not empty), oob (may be empty) and sa.
func (m *udpMsg) set(b, oob []byte) {
	m.iov.Base = &b[0]
	m.iov.SetLen(len(b))
	m.msg = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&m.sa)), Namelen: unix.SizeofSockaddrInet4, Iov: &m.iov}
	m.msg.SetIovlen(1)
	if len(oob) > 0 {
		m.msg.Control = &oob[0]
		m.msg.SetControllen(len(oob))
	}
	m.n, m.errno = 0, 0
}

// clear drops the references to the caller's buffers.
func (m *udpMsg) clear() {
	m.iov.Base = nil
	m.msg.Control, m.msg.Iov = nil, nil
}

// recv runs one non-blocking recvmsg on fd; false means nothing is waiting,
// so that RawConn.Read waits for readability and calls it again.
func (r *udpReceiver) recv(fd uintptr) bool {
	for {
		n, _, errno := unix.RawSyscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&r.msg)), unix.MSG_DONTWAIT)
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

// from returns the source of the last datagram.
func (r *udpReceiver) from() netip.AddrPort {
	p := (*[2]byte)(unsafe.Pointer(&r.sa.Port))
	return netip.AddrPortFrom(netip.AddrFrom4(r.sa.Addr), uint16(p[0])<<8|uint16(p[1]))
}

// udpSender is the state of one sendmsg(2), pooled.
type udpSender struct {
	udpMsg
	write func(fd uintptr) bool
}

func newUDPSender() *udpSender {
	w := &udpSender{}
	w.write = w.send
	return w
}

// setTo points the msghdr at b and oob, to addr.
func (w *udpSender) setTo(b, oob []byte, addr netip.AddrPort) {
	w.set(b, oob)
	w.sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: addr.Addr().Unmap().As4()}
	p := (*[2]byte)(unsafe.Pointer(&w.sa.Port))
	p[0], p[1] = byte(addr.Port()>>8), byte(addr.Port())
}

// send runs one non-blocking sendmsg on fd. A full send buffer is an error
// (EAGAIN), not a wait: the caller is a request path's read loop, and the
// buffer fills when a helper's address does not resolve (the kernel holds
// the datagrams for the neighbour, charged to this socket, for seconds):
// waiting would stall every client of the interface, and its fallback,
// exactly when the upstream is down. The request is counted as a failed
// send instead.
func (w *udpSender) send(fd uintptr) bool {
	for {
		n, _, errno := unix.RawSyscall(unix.SYS_SENDMSG, fd, uintptr(unsafe.Pointer(&w.msg)), unix.MSG_DONTWAIT)
		if errno == unix.EINTR {
			continue
		}
		w.n, w.errno = int(n), errno
		return true
	}
}

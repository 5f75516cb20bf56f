package iface

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/iphelper/iphelper/iface/mmsg"
)

// UDPConn is the relay's UDP socket toward the helpers (see
// ListenBootReplies), with the hot paths' system calls made directly
// (recvmsg.go): a non-blocking recvmsg for each reply (or a try that never
// waits, for a polling loop) and a non-blocking sendmmsg for
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
	rx  *udpMsg          // used by the one reading goroutine
	try func(fd uintptr) // s.rx.tryRecv, bound once
	tx  sync.Pool        // of *udpMsg: writes come from every interface's read loop

	bmu   sync.Mutex // held by SendBatch
	batch batchSend
}

func newUDPConn(c *net.UDPConn) (*UDPConn, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &UDPConn{c: c, raw: raw, rx: newUDPReceiver()}
	s.tx.New = func() any { return newUDPSender() }
	s.try = s.rx.tryRecv
	s.batch.init()
	return s, nil
}

// ReadMsgUDPAddrPort reads one datagram into b and its control messages
// into oob, like net.UDPConn's method of that name. One goroutine reads at
// a time.
func (s *UDPConn) ReadMsgUDPAddrPort(b, oob []byte) (n, oobn, flags int, addr netip.AddrPort, err error) {
	return s.ReadMsgUDPAddrPortIdle(b, oob, nil)
}

// ReadMsgUDPAddrPortIdle is ReadMsgUDPAddrPort for a loop that drains the
// socket: each time it finds no datagram waiting it calls idle (when not
// nil), then waits for one (see PacketConn.ReadFrameIdle). idle must not
// read from or close s.
func (s *UDPConn) ReadMsgUDPAddrPortIdle(b, oob []byte, idle func()) (n, oobn, flags int, addr netip.AddrPort, err error) {
	if len(b) == 0 {
		return 0, 0, 0, netip.AddrPort{}, fmt.Errorf("failed to read from the udp socket: empty buffer")
	}
	r := s.rx
	r.setFrom(b, oob)
	r.idle = idle
	err = s.raw.Read(r.do)
	r.idle = nil
	r.clear()
	return s.result(err)
}

// TryReadMsgUDPAddrPort is ReadMsgUDPAddrPort that never waits: when no
// datagram is waiting it returns at once with ok false. The reply loop
// drains the socket with it after each wake-up.
func (s *UDPConn) TryReadMsgUDPAddrPort(b, oob []byte) (n, oobn, flags int, addr netip.AddrPort, ok bool, err error) {
	if len(b) == 0 {
		return 0, 0, 0, netip.AddrPort{}, false, fmt.Errorf("failed to read from the udp socket: empty buffer")
	}
	r := s.rx
	r.setFrom(b, oob)
	r.got = false
	err = s.raw.Control(s.try)
	r.clear()
	if err == nil && !r.got {
		return 0, 0, 0, netip.AddrPort{}, false, nil
	}
	n, oobn, flags, addr, err = s.result(err)
	return n, oobn, flags, addr, err == nil, err
}

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
// EAGAIN (see udpMsg.send).
func (s *UDPConn) WriteMsgUDPAddrPort(b, oob []byte, addr netip.AddrPort) (n, oobn int, err error) {
	if len(b) == 0 || !addr.Addr().Unmap().Is4() {
		return 0, 0, fmt.Errorf("failed to write to the udp socket: need a message and an IPv4 address, have %d bytes for %v", len(b), addr)
	}
	w := s.tx.Get().(*udpMsg)
	w.setTo(b, oob, addr)
	err = s.raw.Write(w.do)
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
	n, err := s.batch.run(s.raw, b)
	if err != nil {
		return 0, s.opError("write", err)
	}
	return n, nil
}

// SetReadDeadline bounds blocked and future reads, like net.UDPConn's: a
// read past it fails with an error that matches os.ErrDeadlineExceeded.
func (s *UDPConn) SetReadDeadline(t time.Time) error { return s.c.SetReadDeadline(t) }

// Close closes the socket; a read or write in progress fails with
// net.ErrClosed.
func (s *UDPConn) Close() error { return s.c.Close() }

// opError wraps err like the net package does, so that errors.Is(err,
// net.ErrClosed) holds after Close.
func (s *UDPConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "udp4", Source: s.c.LocalAddr(), Err: err}
}

// ReceiveOverflows returns UdpRcvbufErrors of the process's network
// namespace (/proc/net/snmp): the UDP datagrams the kernel dropped
// because a receive buffer was full. It is the namespace's count, not
// only this socket's: the socket's own drop count (sk_drops) also counts
// every datagram its filter turns away, which for the relay's socket is
// every broadcast BOOTREQUEST of its downstream interfaces.
func (s *UDPConn) ReceiveOverflows() (uint64, error) {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0, fmt.Errorf("failed to read udp receive buffer errors: %w", err)
	}
	return snmpCounter(b, "Udp:", "RcvbufErrors")
}

// snmpCounter returns the counter name of the protocol proto ("Udp:")
// from the contents of /proc/net/snmp: a line of names, then a line of
// values, per protocol.
func snmpCounter(b []byte, proto, name string) (uint64, error) {
	var names []string
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != proto {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == name && i < len(f) {
				v, err := strconv.ParseUint(f[i], 10, 64)
				if err != nil {
					return 0, fmt.Errorf("failed to parse %s %s %q: %w", proto, name, f[i], err)
				}
				return v, nil
			}
		}
		break
	}
	return 0, fmt.Errorf("no %s %s in /proc/net/snmp", proto, name)
}

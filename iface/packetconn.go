package iface

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/iphelper/iphelper/iface/mmsg"
	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// DefaultReadBuffer is the receive buffer ListenDHCP asks for when
// ListenOptions.ReadBuffer is 0: 4 MiB, room for thousands of DHCP frames.
// The kernel default (net.core.rmem_default, ~208 KiB) is where relays lose
// packets in a storm.
const DefaultReadBuffer = 4 << 20

// ListenOptions tune a socket opened by ListenDHCP. The zero value is the
// default configuration.
type ListenOptions struct {
	// ReadBuffer is the receive buffer size in bytes: 0 means
	// DefaultReadBuffer, a negative value leaves the kernel default. It is
	// set with SO_RCVBUFFORCE when the process may (CAP_NET_ADMIN), else with
	// SO_RCVBUF, which the kernel caps at net.core.rmem_max; see
	// PacketConn.ReadBufferSize for what was granted.
	ReadBuffer int
	// ForwardPorts are the UDP ports, besides 67, whose broadcasts the
	// socket receives too (see RelayFilter); none: DHCP only.
	ForwardPorts []uint16
}

// PacketConn is an AF_PACKET SOCK_RAW socket bound to one interface that
// receives, as whole Ethernet frames, the IPv4/UDP datagrams to port 67 that
// arrive on it (see DHCPServerFilter), and sends whole Ethernet frames out
// of it.
//
// ReadFrame must not be called concurrently with itself (one goroutine reads
// a PacketConn); every other method may be called concurrently with any
// method, including ReadFrame.
type PacketConn struct {
	name    string
	ifindex int
	mtu     int
	ports   []uint16   // ListenOptions.ForwardPorts, for the ring's filter
	cmu     sync.Mutex // guards the swap of conn and raw (EnableRing) against Close
	conn    *packet.Conn
	raw     syscall.RawConn
	old     *packet.Conn // the socket a ring's socket replaced, until drained
	oldRaw  syscall.RawConn
	closed  atomic.Bool

	rmu     sync.Mutex // held by ReadFrame, TryReadFrame, EnableRing and Close's unmapping
	rx      *receiver
	try     func(fd uintptr)      // c.rx.tryRecv, bound once
	ring    *rxRing               // nil: frames are read from the socket queue
	rread   func(fd uintptr) bool // c.ringRead, bound once
	ridle   func()                // ReadFrameIdle's idle, while it runs
	rtry    func(fd uintptr)      // c.ringTry, bound once
	rb      []byte                // ringRecv's buffer and results
	rn      int
	rinfo   FrameInfo
	rerr    error
	rgot    bool
	overlap overlap // the switch to a ring's double reads

	wmu   sync.Mutex // held by WriteFrame and SendBatch
	tx    *sender
	batch batchSend

	smu   sync.Mutex // guards stats
	stats Stats
}

var _ FrameConn = (*PacketConn)(nil)

// ListenDHCP opens a packet socket on ifi for DHCP server traffic: incoming
// IPv4/UDP frames to port 67 received on ifi itself. The filter is attached
// before the socket is bound, so no other frame is ever queued on it. The
// socket reports checksum and VLAN metadata (PACKET_AUXDATA) with each frame.
//
// Binding to a link that is down succeeds; the first read then fails with
// ErrLinkNotReady. Errors name the interface and match ErrLinkNotReady or
// ErrPermission where they apply.
func ListenDHCP(ifi *net.Interface, opts ListenOptions) (*PacketConn, error) {
	if ifi == nil || ifi.Index <= 0 {
		return nil, errors.New("failed to open packet socket: no interface index")
	}
	filter, err := RelayFilter(ifi.Index, opts.ForwardPorts)
	if err != nil {
		return nil, fmt.Errorf("failed to open packet socket on %q: %w", ifi.Name, err)
	}
	conn, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_IP, &packet.Config{Filter: filter})
	if err != nil {
		// Drop the *net.OpError: it only says "listen packet" and an
		// address the interface name already stands for.
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			err = opErr.Err
		}
		return nil, classify(fmt.Errorf("failed to open packet socket on %q: %w", ifi.Name, err))
	}
	c, err := newPacketConn(ifi, conn, opts)
	if err != nil {
		_ = conn.Close()
		return nil, classify(fmt.Errorf("failed to set up packet socket on %q: %w", ifi.Name, err))
	}
	return c, nil
}

// newPacketConn sets the socket options and wraps conn.
func newPacketConn(ifi *net.Interface, conn *packet.Conn, opts ListenOptions) (*PacketConn, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	if err := setsockoptInt(raw, unix.SOL_PACKET, unix.PACKET_AUXDATA, 1); err != nil {
		return nil, fmt.Errorf("PACKET_AUXDATA: %w", err)
	}
	if err := setReadBuffer(raw, opts.ReadBuffer); err != nil {
		return nil, err
	}
	c := &PacketConn{
		name:    ifi.Name,
		ifindex: ifi.Index,
		mtu:     ifi.MTU,
		ports:   opts.ForwardPorts,
		conn:    conn,
		raw:     raw,
		rx:      newReceiver(),
		tx:      newSender(),
	}
	c.try, c.rread, c.rtry = c.rx.tryRecv, c.ringRead, c.ringTry
	c.batch.init()
	return c, nil
}

// setReadBuffer sets the socket's receive buffer as ListenOptions.ReadBuffer
// says.
func setReadBuffer(raw syscall.RawConn, size int) error {
	switch {
	case size < 0:
		return nil
	case size == 0:
		size = DefaultReadBuffer
	}
	if setsockoptInt(raw, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, size) == nil {
		return nil
	}
	if err := setsockoptInt(raw, unix.SOL_SOCKET, unix.SO_RCVBUF, size); err != nil {
		return fmt.Errorf("SO_RCVBUF: %w", err)
	}
	return nil
}

// setsockoptInt runs setsockopt(2) on raw's socket.
func setsockoptInt(raw syscall.RawConn, level, opt, value int) error {
	var serr error
	err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), level, opt, value)
	})
	if err != nil {
		return err
	}
	return os.NewSyscallError("setsockopt", serr)
}

// Name returns the name of the interface the socket is bound to.
func (c *PacketConn) Name() string { return c.name }

// Index returns the index of the interface the socket is bound to.
func (c *PacketConn) Index() int { return c.ifindex }

// ReadBufferSize returns the receive buffer the kernel granted, as
// getsockopt(SO_RCVBUF) reports it: twice the size asked for, for the
// kernel's bookkeeping.
func (c *PacketConn) ReadBufferSize() (int, error) {
	var (
		size int
		serr error
	)
	c.cmu.Lock()
	defer c.cmu.Unlock()
	err := c.raw.Control(func(fd uintptr) {
		size, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
	})
	if err == nil {
		err = os.NewSyscallError("getsockopt", serr)
	}
	if err != nil {
		return 0, c.wrap("failed to get receive buffer size of packet socket", err)
	}
	return size, nil
}

// ReadFrame reads the next frame into b and returns its length and what the
// kernel says about it. A frame longer than b is cut to len(b) and reported
// with info.Truncated. It blocks until a frame arrives, the read deadline
// passes (the error then matches os.ErrDeadlineExceeded) or the socket is
// closed (net.ErrClosed). It allocates nothing; b should be a buffer the
// caller reuses, as it is handed to the kernel.
//
// ReadFrame must not be called concurrently with itself.
func (c *PacketConn) ReadFrame(b []byte) (n int, info FrameInfo, err error) {
	return c.ReadFrameIdle(b, nil)
}

// ReadFrameIdle is ReadFrame for a loop that drains its socket: each time
// it finds no frame waiting it calls idle (when not nil), then waits for
// one. The loop sends what it relayed in idle, so the read that finds the
// socket empty is the one that waits, with no separate try before it.
// idle runs on the calling goroutine with the socket's read side locked:
// it must not read from or close c.
func (c *PacketConn) ReadFrameIdle(b []byte, idle func()) (n int, info FrameInfo, err error) {
	if len(b) == 0 {
		return 0, FrameInfo{}, fmt.Errorf("failed to read from packet socket on %q: empty buffer", c.name)
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.ring != nil {
		c.rb, c.ridle = b, idle
		err = c.raw.Read(c.rread)
		c.rb, c.ridle = nil, nil
		if err == nil {
			err = c.rerr
		}
		if err != nil {
			return 0, FrameInfo{}, c.wrap("failed to read from packet socket", err)
		}
		return c.rn, c.rinfo, nil
	}
	r := c.rx
	r.setBuffer(b)
	r.idle = idle
	err = c.raw.Read(r.read)
	r.idle = nil
	r.clearBuffer()
	return c.result(b, err)
}

// EnableRing makes the socket receive into a TPACKET_V2 ring of RingBytes
// from now until it is closed (see rxring.go): for a socket that is read
// in a tight loop. It fails with ErrRingUnsuited when the interface's
// frames might not fit a slot, and does nothing on a socket that has a
// ring. It is called by the reading goroutine, between reads.
//
// A ring set on a live socket loses the frames that arrive while the
// kernel swaps its receive path (an RCU grace period, milliseconds), so a
// second socket takes over instead: it is opened with a filter that
// passes nothing, given its ring, then the DHCP filter; only then does
// the first socket's filter close. Every frame reaches at least one of the
// two; one that arrives in the microseconds between the two filter changes
// reaches both, and is read once (see overlap). The frames the first socket
// holds are read before the ring's, and it is closed when it has none left.
func (c *PacketConn) EnableRing() error {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.ring != nil {
		return nil
	}
	if c.closed.Load() {
		return c.wrap("failed to set up receive ring", net.ErrClosed)
	}
	if c.mtu <= 0 || c.mtu > ringMaxMTU {
		return fmt.Errorf("failed to set up receive ring on %q (MTU %d): %w", c.name, c.mtu, ErrRingUnsuited)
	}
	filter, err := RelayFilter(c.ifindex, c.ports)
	if err != nil {
		return fmt.Errorf("failed to set up receive ring on %q: %w", c.name, err)
	}
	ifi := &net.Interface{Index: c.ifindex, Name: c.name}
	conn, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_IP, &packet.Config{Filter: passNothing})
	if err != nil {
		return c.wrap("failed to open the ring's packet socket", err)
	}
	raw, err := conn.SyscallConn()
	var ring *rxRing
	if err == nil {
		ring, err = newRxRing(raw)
	}
	if err == nil {
		err = conn.SetBPF(filter) // the new socket's gate opens
	}
	if err != nil {
		if ring != nil {
			ring.unmap()
		}
		conn.Close()
		return c.wrap("failed to set up receive ring", err)
	}
	c.cmu.Lock()
	if c.closed.Load() {
		c.cmu.Unlock()
		ring.unmap()
		conn.Close()
		return c.wrap("failed to set up receive ring", net.ErrClosed)
	}
	c.wmu.Lock()
	c.smu.Lock()
	if st, err := c.conn.Stats(); err == nil {
		c.stats.Packets += uint64(st.Packets)
		c.stats.Drops += uint64(st.Drops)
	}
	c.old, c.oldRaw = c.conn, c.raw
	c.conn, c.raw = conn, raw
	c.smu.Unlock()
	c.wmu.Unlock()
	c.cmu.Unlock()
	// The old socket's gate closes. Should that fail, it still stops
	// being read, and is closed, the first time its queue is empty.
	_ = c.old.SetBPF(passNothing)
	c.ring = ring
	return nil
}

// passNothing is a socket filter that passes no frame.
var passNothing = []bpf.RawInstruction{{Op: unix.BPF_RET | unix.BPF_K, K: 0}}

// closeOld closes the drained socket a ring's socket replaced.
func (c *PacketConn) closeOld() {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	c.old.Close()
	c.old, c.oldRaw = nil, nil
}

// ringRead is ringRecv for ReadFrameIdle: it calls the read's idle
// when the ring is empty.
func (c *PacketConn) ringRead(fd uintptr) bool {
	if c.ringRecv(fd) {
		return true
	}
	if c.ridle != nil {
		c.ridle()
	}
	return false
}

// ringTry is ringRecv for TryReadFrame.
func (c *PacketConn) ringTry(fd uintptr) { c.rgot = c.ringRecv(fd) }

// ringRecv is one non-blocking read of a ringed socket: a frame left in
// the socket the ring's replaced, else the ring's next frame. It reports
// false when neither has one, so that RawConn.Read waits.
func (c *PacketConn) ringRecv(uintptr) bool {
	c.rerr = nil
	if c.oldRaw != nil {
		r := c.rx
		r.setBuffer(c.rb)
		r.got = false
		err := c.oldRaw.Control(c.try)
		r.clearBuffer()
		if err == nil && r.got {
			c.rn, c.rinfo, c.rerr = c.result(c.rb, nil)
			c.overlap.sawOld(c.rb[:c.rn])
			return true
		}
		c.closeOld() // drained: its filter passes nothing new
	}
	for {
		var ok bool
		c.rn, c.rinfo, ok = c.ring.take(c.rb)
		if !ok || !c.overlap.seenTwice(c.rb[:c.rn]) {
			return ok
		}
	}
}

// overlap finds the frames that reached both sockets in the microseconds
// of a switch to a ring (see EnableRing), so that each is read once: the
// last frames read from the old socket are remembered, and the first ones
// of the ring that are byte for byte one of them are skipped. Two distinct
// frames are never byte for byte the same within microseconds (a
// retransmission comes seconds later, with another secs field).
type overlap struct {
	last  [overlapFrames]uint64 // hashes of the last frames of the old socket
	n     int                   // how many of last hold one
	check int                   // ring frames still to compare
}

// overlapFrames bounds the overlap: far more than arrive in microseconds.
const overlapFrames = 16

// sawOld remembers a frame read from the old socket.
func (o *overlap) sawOld(frame []byte) {
	o.last[o.n%overlapFrames] = frameHash(frame)
	o.n++
	o.check = overlapFrames
}

// seenTwice reports whether a ring frame is one already read from the old
// socket.
func (o *overlap) seenTwice(frame []byte) bool {
	if o.check == 0 {
		return false
	}
	o.check--
	h := frameHash(frame)
	for i := range min(o.n, overlapFrames) {
		if o.last[i] == h {
			return true
		}
	}
	return false
}

// frameHash is FNV-1a over a frame.
func frameHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// TryReadFrame is ReadFrame that never waits: when no frame is waiting it
// returns at once with ok false. A read loop drains its socket with it
// after each wake-up, until it reports ok false.
func (c *PacketConn) TryReadFrame(b []byte) (n int, info FrameInfo, ok bool, err error) {
	if len(b) == 0 {
		return 0, FrameInfo{}, false, fmt.Errorf("failed to read from packet socket on %q: empty buffer", c.name)
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.ring != nil {
		c.rb = b
		err = c.raw.Control(c.rtry)
		c.rb = nil
		if err == nil {
			err = c.rerr
		}
		if err != nil {
			return 0, FrameInfo{}, false, c.wrap("failed to read from packet socket", err)
		}
		return c.rn, c.rinfo, c.rgot, nil
	}
	r := c.rx
	r.setBuffer(b)
	r.got = false
	err = c.raw.Control(c.try)
	r.clearBuffer()
	if err == nil && !r.got {
		return 0, FrameInfo{}, false, nil
	}
	n, info, err = c.result(b, err)
	return n, info, err == nil, err
}

// result turns the receiver's last read into ReadFrame's results.
func (c *PacketConn) result(b []byte, err error) (int, FrameInfo, error) {
	r := c.rx
	if err == nil && r.errno != 0 {
		err = os.NewSyscallError("recvmsg", r.errno)
	}
	if err != nil {
		return 0, FrameInfo{}, c.wrap("failed to read from packet socket", err)
	}
	info := FrameInfo{
		IfIndex:   int(r.from.Ifindex),
		Type:      PacketType(r.from.Pkttype),
		Len:       r.n,
		Truncated: r.truncated(),
	}
	parseControl(r.control(), &info)
	return min(r.n, len(b)), info, nil
}

// SendBatch sends the frames queued in b (whole Ethernet frames, no
// addresses) out of the interface with one sendmmsg(2), without waiting
// for room in the send buffer: a frame that finds none, or that the kernel
// refuses for another reason, is skipped with its error recorded in b (see
// mmsg.Batch.Err). It returns the number of frames sent, and an error only
// when the socket itself failed (closed), in which case no frame was sent.
func (c *PacketConn) SendBatch(b *mmsg.Batch) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	n, err := c.batch.run(c.raw, b)
	if err != nil {
		return 0, c.wrap("failed to write to packet socket", err)
	}
	return n, nil
}

// WriteFrame sends frame, a whole Ethernet frame, out of the interface as
// it is. dst is the frame's destination address, which the frame already
// holds in its first six bytes (a SOCK_RAW socket sends the frame as is): it
// may be nil, and if it is not, it must match. The frame must fit the link's
// MTU. WriteFrame allocates nothing on success.
func (c *PacketConn) WriteFrame(frame []byte, dst net.HardwareAddr) error {
	if len(frame) < etherHeaderLen {
		return fmt.Errorf("failed to write to packet socket on %q: frame of %d bytes is shorter than an Ethernet header",
			c.name, len(frame))
	}
	if dst != nil && !bytes.Equal(dst, frame[:6]) {
		return fmt.Errorf("failed to write to packet socket on %q: destination %s is not the frame's %s",
			c.name, dst, net.HardwareAddr(frame[:6]))
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	s := c.tx
	s.frame = frame
	err := c.raw.Write(s.write)
	s.frame = nil
	if err == nil && s.errno != 0 {
		err = os.NewSyscallError("send", s.errno)
	}
	if err != nil {
		return c.wrap("failed to write to packet socket", err)
	}
	return nil
}

// SetReadDeadline sets the time after which a blocked or future ReadFrame
// fails with an error matching os.ErrDeadlineExceeded; the zero time means
// no deadline.
func (c *PacketConn) SetReadDeadline(t time.Time) error {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	if err := c.conn.SetReadDeadline(t); err != nil {
		return c.wrap("failed to set read deadline on packet socket", err)
	}
	return nil
}

// Close closes the socket; a blocked ReadFrame returns net.ErrClosed.
// Closing a closed PacketConn does nothing and returns nil.
func (c *PacketConn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.cmu.Lock()
	err := c.conn.Close()
	if c.old != nil {
		c.old.Close()
	}
	c.cmu.Unlock()
	// The reader, woken by the close, leaves before the ring goes.
	c.rmu.Lock()
	if c.ring != nil {
		if uerr := c.ring.unmap(); uerr != nil && err == nil {
			err = uerr
		}
		c.ring = nil
	}
	c.rmu.Unlock()
	if err != nil {
		return fmt.Errorf("failed to close packet socket on %q: %w", c.name, err)
	}
	return nil
}

// Stats are cumulative counters of a PacketConn since it was opened.
type Stats struct {
	// Packets counts the frames that passed the filter, including those
	// dropped.
	Packets uint64

	// Drops counts the frames dropped because the receive buffer was full.
	Drops uint64
}

// Stats returns the socket's cumulative counters. (The kernel resets its
// own on each query; PacketConn adds them up.)
func (c *PacketConn) Stats() (Stats, error) {
	c.smu.Lock()
	defer c.smu.Unlock()
	st, err := c.conn.Stats()
	if err != nil {
		return c.stats, c.wrap("failed to get statistics of packet socket", err)
	}
	c.stats.Packets += uint64(st.Packets)
	c.stats.Drops += uint64(st.Drops)
	return c.stats, nil
}

// wrap names the operation and the interface in err and classifies it.
func (c *PacketConn) wrap(op string, err error) error {
	if c.closed.Load() {
		return fmt.Errorf("%s on %q: %w", op, c.name, net.ErrClosed)
	}
	return classify(fmt.Errorf("%s on %q: %w", op, c.name, err))
}

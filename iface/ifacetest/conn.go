package ifacetest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/iphelper/iphelper/iface"
)

// Frame is a frame written to, or delivered by, a Conn.
type Frame struct {
	Data []byte
	Info iface.FrameInfo
}

// Conn is an in-memory iface.FrameConn. Frames given to Deliver are read by
// ReadFrame in order; frames passed to WriteFrame appear on Sent, or, for a
// Conn made by Pipe, are delivered to its peer. Like a PacketConn, it
// supports read deadlines and an idempotent Close that unblocks ReadFrame.
// All methods may be called concurrently.
type Conn struct {
	ifindex int
	sent    chan Frame

	mu       sync.Mutex
	queue    []readResult
	deadline time.Time
	closed   bool
	writeErr error
	peer     *Conn
	wake     chan struct{} // capacity 1: the queue, deadline or closed changed
}

var _ iface.FrameConn = (*Conn)(nil)

// readResult is what one ReadFrame returns.
type readResult struct {
	frame Frame
	err   error
}

// NewConn returns a Conn whose frames report interface index ifindex and
// whose Sent channel buffers up to sendQueue written frames (WriteFrame
// fails when it is full).
func NewConn(ifindex, sendQueue int) *Conn {
	return &Conn{
		ifindex: ifindex,
		sent:    make(chan Frame, sendQueue),
		wake:    make(chan struct{}, 1),
	}
}

// Pipe returns two Conns wired together: a frame written to one is read
// from the other, with FrameInfo.Type set from its destination address.
func Pipe(aIndex, bIndex int) (a, b *Conn) {
	a, b = NewConn(aIndex, 0), NewConn(bIndex, 0)
	a.peer, b.peer = b, a
	return a, b
}

// Sent returns the channel of frames written to c (never for a piped Conn).
func (c *Conn) Sent() <-chan Frame { return c.sent }

// Deliver queues a copy of frame for ReadFrame. info.IfIndex and info.Len
// are filled in when 0.
func (c *Conn) Deliver(frame []byte, info iface.FrameInfo) error {
	if info.IfIndex == 0 {
		info.IfIndex = c.ifindex
	}
	if info.Len == 0 {
		info.Len = len(frame)
	}
	return c.push(readResult{frame: Frame{Data: slices.Clone(frame), Info: info}})
}

// DeliverError makes a ReadFrame, after the frames already queued, return
// err, e.g. one wrapping iface.ErrLinkNotReady.
func (c *Conn) DeliverError(err error) error { return c.push(readResult{err: err}) }

// SetWriteError makes WriteFrame fail with err from now on; nil restores it.
func (c *Conn) SetWriteError(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeErr = err
}

// push queues r and wakes a blocked reader.
func (c *Conn) push(r readResult) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	c.queue = append(c.queue, r)
	c.poke()
	return nil
}

// poke wakes a blocked reader; c.mu must be held.
func (c *Conn) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// ReadFrame returns the next delivered frame, copied into b, or waits for
// one until the read deadline (os.ErrDeadlineExceeded) or Close
// (net.ErrClosed).
func (c *Conn) ReadFrame(b []byte) (int, iface.FrameInfo, error) {
	for {
		r, wait, err := c.next()
		if err != nil {
			return 0, iface.FrameInfo{}, err
		}
		if wait == 0 {
			if r.err != nil {
				return 0, iface.FrameInfo{}, r.err
			}
			n := copy(b, r.frame.Data)
			info := r.frame.Info
			info.Truncated = info.Truncated || n < len(r.frame.Data)
			return n, info, nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-c.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// next pops the next result, or says how long to wait for one (0 when r is
// valid; a negative duration is never returned).
func (c *Conn) next() (r readResult, wait time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return readResult{}, 0, fmt.Errorf("ifacetest: read: %w", net.ErrClosed)
	case len(c.queue) > 0:
		r = c.queue[0]
		c.queue = c.queue[1:]
		return r, 0, nil
	case c.deadline.IsZero():
		return readResult{}, time.Hour, nil
	}
	wait = time.Until(c.deadline)
	if wait <= 0 {
		return readResult{}, 0, fmt.Errorf("ifacetest: read: %w", os.ErrDeadlineExceeded)
	}
	return readResult{}, wait, nil
}

// WriteFrame records a copy of frame on Sent, or delivers it to the peer.
func (c *Conn) WriteFrame(frame []byte, dst net.HardwareAddr) error {
	c.mu.Lock()
	closed, werr, peer := c.closed, c.writeErr, c.peer
	c.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("ifacetest: write: %w", net.ErrClosed)
	case werr != nil:
		return werr
	case len(frame) < 14:
		return fmt.Errorf("ifacetest: write: frame of %d bytes is too short", len(frame))
	case dst != nil && !slices.Equal(dst, frame[:6]):
		return fmt.Errorf("ifacetest: write: destination %s is not the frame's %s", dst, net.HardwareAddr(frame[:6]))
	case peer != nil:
		return peer.Deliver(frame, iface.FrameInfo{Type: packetType(frame[:6])})
	}
	select {
	case c.sent <- Frame{Data: slices.Clone(frame), Info: iface.FrameInfo{IfIndex: c.ifindex, Type: iface.PacketOutgoing, Len: len(frame)}}:
		return nil
	default:
		return errors.New("ifacetest: write: Sent queue is full")
	}
}

// packetType classifies a destination MAC address the way a receiving
// kernel would.
func packetType(dst []byte) iface.PacketType {
	switch {
	case slices.Equal(dst, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}):
		return iface.PacketBroadcast
	case dst[0]&1 != 0:
		return iface.PacketMulticast
	default:
		return iface.PacketHost
	}
}

// SetReadDeadline sets the time after which ReadFrame fails with
// os.ErrDeadlineExceeded; the zero time means none.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return fmt.Errorf("ifacetest: set deadline: %w", net.ErrClosed)
	}
	c.deadline = t
	c.poke()
	return nil
}

// Close closes c, unblocking ReadFrame; closing again does nothing.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.poke()
	return nil
}

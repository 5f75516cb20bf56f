package relay

import (
	"errors"
	"net"
	"net/netip"

	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/mmsg"
	"github.com/iphelper/iphelper/relay/trace"
	"github.com/iphelper/iphelper/relay/wire"
)

// outboxSlots is how many datagrams a polling read loop queues before it
// sends them: at 1 ms ticks, ~30,000 packets/s per loop in one system call
// per tick. A loop that waits for each packet needs only one slot per
// helper, and an interface that has never seen a packet needs none: with
// a thousand VLANs the outboxes must not cost megabytes.
const outboxSlots = 32

// slotSize is a slot's size to start with: a DHCP message on a 1500-byte
// MTU, or its Ethernet frame. A slot grows when a larger one comes.
const slotSize = 1536

// grow returns b, or when it is nil or too small for slots datagrams of
// size bytes, a larger batch (b must be empty).
func grow(b *mmsg.Batch, slots, size, oobSize int) *mmsg.Batch {
	if b != nil && b.Cap() >= slots && b.SlotSize() >= size {
		return b
	}
	if b != nil {
		slots, size = max(slots, b.Cap()), max(size, b.SlotSize())
	}
	return mmsg.New(slots, max(size, slotSize), oobSize)
}

// errOutboxFull is a send that found no room in an outbox that was made
// room for: a bug, counted rather than silent.
var errOutboxFull = errors.New("outbox has no room (bug)")

// batchSender is a socket that sends a queued batch with one system call:
// the real upstream socket and the real packet sockets. The in-memory
// sockets of the tests lack it, and get the batch one write at a time.
type batchSender interface {
	SendBatch(b *mmsg.Batch) (int, error)
}

// outbox is what one read loop has queued and not yet sent: datagrams in
// a batch, each with a tag T that says what to count once its send is
// settled. The loop sends it before it waits or sleeps, and when it is
// full, so that a burst read in one wake-up leaves in one system call.
// requestOut and replyOut are its two kinds; what they share is here.
type outbox[T any] struct {
	b    *mmsg.Batch // nil until the first datagram
	tags []T         // by slot
	errs []error     // by slot: the write's error, when sent one at a time
	want int         // the capacity the loop wants: outboxSlots while polling
}

// fits reports whether o has room for k more datagrams of size bytes, at
// the capacity the loop wants.
func (o *outbox[T]) fits(k, size int) bool {
	return o.b != nil && o.b.Len()+k <= o.b.Cap() && size <= o.b.SlotSize() && o.want <= o.b.Cap()
}

// grow makes the empty o hold at least k datagrams of size bytes with
// oobSize bytes of control data each, and the capacity the loop wants.
func (o *outbox[T]) grow(k, size, oobSize int) {
	o.b = grow(o.b, max(k, o.want), size, oobSize)
	if len(o.tags) < o.b.Cap() {
		o.tags = make([]T, o.b.Cap())
		o.errs = make([]error, o.b.Cap())
	}
}

// queued returns how many datagrams o holds.
func (o *outbox[T]) queued() int {
	if o.b == nil {
		return 0
	}
	return o.b.Len()
}

// send sends what o holds on conn: with one system call when conn is a
// batchSender, else with one write per slot (write). Each slot's fate is
// then its result.
func (o *outbox[T]) send(conn any, write func(i int) error) {
	if bs, ok := conn.(batchSender); ok {
		bs.SendBatch(o.b) // a failure is recorded per slot
		return
	}
	for i := range o.b.Len() {
		o.errs[i] = write(i)
	}
}

// result returns the error of slot i's send; nil when it was sent.
func (o *outbox[T]) result(i int) error {
	if err := o.errs[i]; err != nil {
		return err
	}
	return o.b.Err(i)
}

// reset drops the references of the settled slots and empties o.
func (o *outbox[T]) reset() {
	n := o.b.Len()
	clear(o.tags[:n])
	clear(o.errs[:n])
	o.b.Reset()
}

// requestOut is what one interface's read loop has relayed and not yet
// sent: the requests for the helpers. A request's sends are never split
// across two flushes, so that the request is counted as relayed once, when
// its last send is settled.
type requestOut struct {
	outbox[requestTag]
}

// requestTag is what to count once a slot's send is settled.
type requestTag struct {
	c    *ifaceCounters
	hc   *helperCounters
	name string
	mt   wire.MessageType
	ev   *trace.Event // the request's trace event; nil while nobody traces
	last bool         // the request's last slot: settle the request
}

// roomForRequest makes space in o for k sends of a size-byte request,
// flushing it or growing it.
func (r *Relay) roomForRequest(o *requestOut, k, size int) {
	if o.fits(k, size) {
		return
	}
	r.flushRequests(o)
	o.grow(k, size, pktinfoOOB)
}

// flushRequests sends what o holds and counts each send: sent or failed
// for its helper, a failed send as a drop (send_failed), and a request
// with at least one send as relayed.
func (r *Relay) flushRequests(o *requestOut) {
	n := o.queued()
	if n == 0 {
		return
	}
	o.send(r.up, func(i int) error {
		_, _, err := r.up.WriteMsgUDPAddrPort(o.b.Msg(i), o.b.OOB(i), o.b.To(i))
		return err
	})
	var to []netip.AddrPort // the request's helpers that were sent it, while it is traced
	sent := false
	for i := range n {
		t := &o.tags[i]
		if err := o.result(i); err != nil {
			t.hc.sendErrors.Add(1)
			r.dropSend(t.c, t.ev, ReasonSendFailed, t.name, o.b.To(i), err)
		} else {
			t.hc.sent.Add(1)
			t.hc.byType.add(0, t.mt)
			sent = true
			if t.ev != nil {
				to = append(to, o.b.To(i))
			}
		}
		if t.last {
			if sent {
				t.c.requestsRelayed.Add(1)
				r.tracer.EmitRelayed(t.ev, t.name, to)
			}
			sent, to = false, nil
		}
	}
	o.reset()
}

// replyOut is what the reply loop has delivered and not yet sent: frames
// for one interface's packet socket. Besides when the loop waits or
// sleeps and when it is full, it is sent when a reply is for another
// interface (a batch goes out of one socket).
type replyOut struct {
	outbox[replyTag]
	conn iface.FrameConn // the socket the queued frames are for
}

// replyTag is what to count once a reply's frame is settled.
type replyTag struct {
	c     *ifaceCounters
	name  string
	mt    wire.MessageType
	ev    *trace.Event
	to    netip.Addr
	bcast bool
}

// roomForReply makes space in o for a size-byte frame for conn, flushing
// it when it is full or holds frames for another socket, or growing it.
func (r *Relay) roomForReply(o *replyOut, conn iface.FrameConn, size int) {
	if o.fits(1, size) && (o.conn == conn || o.b.Len() == 0) {
		o.conn = conn
		return
	}
	r.flushReplies(o)
	o.grow(1, size, 0)
	o.conn = conn
}

// flushReplies sends what o holds and counts each frame: delivered, or a
// drop (deliver_failed).
func (r *Relay) flushReplies(o *replyOut) {
	n := o.queued()
	if n == 0 {
		return
	}
	o.send(o.conn, func(i int) error {
		return o.conn.WriteFrame(o.b.Msg(i), frameDst(o.b.Msg(i)))
	})
	for i := range n {
		t := &o.tags[i]
		if err := o.result(i); err != nil {
			r.drop(t.c, t.ev, ReasonDeliverFailed, t.name, err)
			continue
		}
		r.tracer.EmitDelivered(t.ev, t.name, t.to, t.bcast)
		t.c.repliesOut.Add(1)
		t.c.byType.add(1, t.mt)
		if t.bcast {
			t.c.repliesBcast.Add(1)
		}
	}
	o.reset()
	o.conn = nil
}

// frameDst is the destination MAC of a frame the reply path built, which
// BuildUDP4 wrote into its first six bytes: what WriteFrame checks the
// frame against.
func frameDst(frame []byte) net.HardwareAddr { return net.HardwareAddr(frame[:min(len(frame), 6)]) }

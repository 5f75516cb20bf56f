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

// requestOut is what one interface's read loop has relayed and not yet
// sent: the requests for the helpers, with what each send must count. The
// loop sends it (flushRequests) before it waits or sleeps, and when it is
// full, so that a burst read in one wake-up leaves in one system call.
// A request's sends are never split across two flushes, so that the
// request is counted as relayed once, when its last send is settled.
type requestOut struct {
	b    *mmsg.Batch  // nil until the first request
	tags []requestTag // by slot
	want int          // the capacity the loop wants: outboxSlots while polling
}

// requestTag is what to count once a slot's send is settled.
type requestTag struct {
	c    *ifaceCounters
	hc   *helperCounters
	name string
	mt   wire.MessageType
	ev   *trace.Event // the request's trace event; nil while nobody traces
	last bool         // the request's last slot: settle the request
	err  error        // the send's error, when sent one by one
}

// room makes space in o for k sends of a size-byte request, flushing it
// or growing it.
func (r *Relay) room(o *requestOut, k, size int) {
	if o.b != nil && o.b.Len()+k <= o.b.Cap() && size <= o.b.SlotSize() && o.want <= o.b.Cap() {
		return
	}
	r.flushRequests(o)
	o.b = grow(o.b, max(k, o.want), size, pktinfoOOB)
	if len(o.tags) < o.b.Cap() {
		o.tags = make([]requestTag, o.b.Cap())
	}
}

// flushRequests sends what o holds and counts each send: sent or failed
// for its helper, a failed send as a drop (send_failed), and a request
// with at least one send as relayed.
func (r *Relay) flushRequests(o *requestOut) {
	if o.b == nil || o.b.Len() == 0 {
		return
	}
	n := o.b.Len()
	if bs, ok := r.up.(batchSender); ok {
		bs.SendBatch(o.b) // a failure is recorded per slot
	} else {
		for i := range n {
			_, _, o.tags[i].err = r.up.WriteMsgUDPAddrPort(o.b.Msg(i), o.b.OOB(i), o.b.To(i))
		}
	}
	var to []netip.AddrPort // the request's helpers that were sent it, while it is traced
	sent := false
	for i := range n {
		t := &o.tags[i]
		err := t.err
		if err == nil {
			err = o.b.Err(i)
		}
		if err != nil {
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
		*t = requestTag{} // drop the references
	}
	o.b.Reset()
}

// replyOut is what the reply loop has delivered and not yet sent: frames
// for one interface's packet socket, with what each must count. Like
// requestOut it is sent before the loop waits or sleeps, when full, and
// when a reply is for another interface (a batch goes out of one socket).
type replyOut struct {
	b    *mmsg.Batch     // nil until the first reply
	conn iface.FrameConn // the socket the queued frames are for
	tags []replyTag      // by slot
	want int             // the capacity the loop wants: outboxSlots while polling
}

// replyTag is what to count once a reply's frame is settled.
type replyTag struct {
	c     *ifaceCounters
	name  string
	mt    wire.MessageType
	ev    *trace.Event
	to    netip.Addr
	bcast bool
	dst   net.HardwareAddr // the frame's destination MAC, for WriteFrame
	err   error            // the write's error, when sent one by one
}

// roomReply makes space in o for a size-byte frame for conn, flushing it
// when it is full or holds frames for another socket, or growing it.
func (r *Relay) roomReply(o *replyOut, conn iface.FrameConn, size int) {
	if o.b != nil && o.b.Len() < o.b.Cap() && size <= o.b.SlotSize() && o.want <= o.b.Cap() && (o.conn == conn || o.b.Len() == 0) {
		o.conn = conn
		return
	}
	r.flushReplies(o)
	o.b = grow(o.b, max(1, o.want), size, 0)
	if len(o.tags) < o.b.Cap() {
		o.tags = make([]replyTag, o.b.Cap())
	}
	o.conn = conn
}

// flushReplies sends what o holds and counts each frame: delivered, or a
// drop (deliver_failed).
func (r *Relay) flushReplies(o *replyOut) {
	if o.b == nil || o.b.Len() == 0 {
		return
	}
	n := o.b.Len()
	if bs, ok := o.conn.(batchSender); ok {
		bs.SendBatch(o.b) // a failure is recorded per slot
	} else {
		for i := range n {
			o.tags[i].err = o.conn.WriteFrame(o.b.Msg(i), o.tags[i].dst)
		}
	}
	for i := range n {
		t := &o.tags[i]
		err := t.err
		if err == nil {
			err = o.b.Err(i)
		}
		if err != nil {
			r.drop(t.c, t.ev, ReasonDeliverFailed, t.name, err)
		} else {
			r.tracer.EmitDelivered(t.ev, t.name, t.to, t.bcast)
			t.c.repliesOut.Add(1)
			t.c.byType.add(1, t.mt)
			if t.bcast {
				t.c.repliesBcast.Add(1)
			}
		}
		*t = replyTag{}
	}
	o.b.Reset()
	o.conn = nil
}

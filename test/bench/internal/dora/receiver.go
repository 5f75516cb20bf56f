package dora

import (
	"errors"
	"fmt"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/dhcpwire"
	"github.com/iphelper/iphelper/test/bench/internal/latency"
	"github.com/iphelper/iphelper/test/bench/internal/mmsg"
	"golang.org/x/sys/unix"
)

// recvStats are the receiver's counters and histograms.
type recvStats struct {
	frames     uint64 // frames read
	bad        uint64 // frames that are not a well-formed reply
	stray      uint64 // replies to no client of ours
	late       uint64 // replies to a transaction already over (timed out, or a duplicate)
	unexpected uint64 // replies of the wrong type for the phase
	offers     uint64
	completed  uint64
	naks       uint64
	sendErrors uint64
	offerLat   latency.Histogram
	ackLat     latency.Histogram
}

// receiver is the state of the receiving goroutine.
type receiver struct {
	g       *Generator
	in, out *mmsg.Batch
	pending []int32 // clients of the REQUESTs in out
	n       int
	reply   dhcpwire.Reply
	msg     dhcpwire.ClientMsg
}

// receive reads replies until the pacer says stop, answering OFFERs with
// REQUESTs and completing DORAs on ACKs.
func (g *Generator) receive() error {
	r := &receiver{
		g: g, in: mmsg.New(batchSize, frameBuf), out: mmsg.New(batchSize, dhcpwire.MaxFrame),
		pending: make([]int32, batchSize),
		msg:     dhcpwire.ClientMsg{Type: dhcpwire.TypeRequest, Broadcast: g.cfg.Broadcast},
	}
	for !g.stop.Load() {
		n, err := r.in.Recv(g.conn.FD())
		if errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil {
			return fmt.Errorf("failed to read from %q: %w", g.conn.Name(), err)
		}
		now := g.now()
		for i := range n {
			r.frame(i, now)
		}
		r.flush()
	}
	return nil
}

// frame handles received frame i.
func (r *receiver) frame(i int, now int64) {
	s := &r.g.r
	s.frames++
	if r.in.Truncated(i) || dhcpwire.ParseReplyFrame(r.in.Msg(i), &r.reply) != nil {
		s.bad++
		return
	}
	rep := &r.reply
	idx := int(rep.XID & 0xffff)
	if idx >= len(r.g.clients) || r.g.clients[idx].mac != rep.CHAddr {
		s.stray++
		return
	}
	c := &r.g.clients[idx]
	w := c.state.Load()
	if xidOf(w) != rep.XID || phaseOf(w) == phaseIdle {
		s.late++
		return
	}
	switch {
	case rep.Type == dhcpwire.TypeOffer && phaseOf(w) == phaseOffer:
		r.offer(idx, c, w, now)
	case (rep.Type == dhcpwire.TypeAck || rep.Type == dhcpwire.TypeNak) && phaseOf(w) == phaseAck:
		if !c.state.CompareAndSwap(w, word(rep.XID, phaseIdle)) {
			s.late++ // timed out just now
			return
		}
		if rep.Type == dhcpwire.TypeAck {
			s.completed++
			s.ackLat.Record(time.Duration(now - c.reqSent.Load()))
		} else {
			s.naks++
		}
		r.g.inflight.Add(-1)
		r.g.free <- int32(idx)
	default:
		s.unexpected++
	}
}

// offer moves client c to the REQUEST phase and queues its REQUEST.
func (r *receiver) offer(idx int, c *client, w uint64, now int64) {
	s := &r.g.r
	c.reqSent.Store(now)
	if !c.state.CompareAndSwap(w, word(xidOf(w), phaseAck)) {
		s.late++ // timed out just now
		return
	}
	s.offers++
	s.offerLat.Record(time.Duration(now - c.started.Load()))
	r.msg.MAC, r.msg.XID = c.mac, r.reply.XID
	r.msg.RequestedIP, r.msg.ServerID = r.reply.YIAddr, r.reply.ServerID
	n, _ := dhcpwire.BuildClientFrame(r.out.Buf(r.n), &r.msg) // the buffer is MaxFrame long
	r.out.SetLen(r.n, n)
	r.pending[r.n] = int32(idx)
	r.n++
}

// flush sends the queued REQUESTs, stamping each client with the time just
// before.
func (r *receiver) flush() {
	if r.n == 0 {
		return
	}
	t := r.g.now()
	for _, idx := range r.pending[:r.n] {
		r.g.clients[idx].reqSent.Store(t)
	}
	sent, _ := r.out.Send(r.g.conn.FD(), r.n)
	r.g.r.sendErrors += uint64(r.n - sent)
	r.n = 0
}

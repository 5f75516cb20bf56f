package dora

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/dhcpwire"
	"github.com/iphelper/iphelper/test/bench/internal/mmsg"
	"golang.org/x/sys/unix"
)

// scanEvery is how often the pacer looks for transactions that timed out.
const scanEvery = 5 * time.Millisecond

// evenSlack is the pacing thread's timer slack in even mode, in
// nanoseconds: the kernel's default (50 µs) would let a sleep to the next
// start's due time end up to 50 µs late, and starts bunch up.
const evenSlack = 1000

// pacerStats are the pacer's counters.
type pacerStats struct {
	scheduled  uint64 // starts due (attempted + skipped)
	attempted  uint64 // DISCOVERs sent
	skipped    uint64 // starts due while the in-flight bound was reached
	lostOffer  uint64 // no OFFER within the timeout
	lostAck    uint64 // no ACK within the timeout
	sendErrors uint64
	firstErr   error
	schedNanos int64 // how long scheduling lasted
}

// pacer is the state of the pacing goroutine.
type pacer struct {
	g        *Generator
	batch    *mmsg.Batch
	started  []int32 // clients of the frames in batch
	n        int     // frames in batch
	msg      dhcpwire.ClientMsg
	lastScan int64
}

// pace schedules the DORAs, then waits for the last ones to finish or time
// out. It returns the first send error.
func (g *Generator) pace(ctx context.Context) error {
	p := &pacer{g: g, batch: mmsg.New(batchSize, dhcpwire.MaxFrame), started: make([]int32, batchSize)}
	p.msg = dhcpwire.ClientMsg{Type: dhcpwire.TypeDiscover, Broadcast: g.cfg.Broadcast}
	if g.cfg.Even && g.cfg.Rate > 0 {
		// Timer slack is a thread's: keep the pacer on this one.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := unix.Prctl(unix.PR_SET_TIMERSLACK, evenSlack, 0, 0, 0); err != nil {
			return fmt.Errorf("failed to set the pacer's timer slack: %w", err)
		}
	}
	t0 := g.now()
	if g.cfg.Rate > 0 {
		p.openLoop(ctx, t0)
	} else {
		p.closedLoop(ctx, t0)
	}
	g.p.schedNanos = g.now() - t0
	p.drain(ctx)
	if g.p.firstErr != nil {
		return fmt.Errorf("failed to send on %q: %w", g.conn.Name(), g.p.firstErr)
	}
	return nil
}

// done reports whether scheduling is over at time now.
func (p *pacer) done(ctx context.Context, t0, now int64) bool {
	c := p.g.cfg
	return now-t0 >= int64(c.Duration) || (c.Count > 0 && p.g.p.scheduled >= uint64(c.Count)) || ctx.Err() != nil
}

// openLoop starts DORAs on schedule, Rate per second from t0: every start
// that is due is made or, when the in-flight bound is reached, skipped.
func (p *pacer) openLoop(ctx context.Context, t0 int64) {
	g := p.g
	perNanos := g.cfg.Rate / 1e9
	perSend := batchSize
	if g.cfg.Even {
		perSend = 1 // one start per send, each at its due time
	}
	for {
		now := g.now()
		if p.done(ctx, t0, now) {
			return
		}
		due := uint64(float64(now-t0)*perNanos) + 1
		if g.cfg.Count > 0 {
			due = min(due, uint64(g.cfg.Count))
		}
		for g.p.scheduled < due && p.n < perSend {
			g.p.scheduled++
			if !p.startOne() {
				g.p.skipped++
			}
		}
		p.flush()
		p.scan(now)
		if g.p.scheduled >= due {
			next := t0 + int64(float64(g.p.scheduled)/perNanos)
			sleep(min(next-g.now(), int64(time.Millisecond)))
		}
	}
}

// closedLoop keeps Outstanding transactions in flight until the end.
func (p *pacer) closedLoop(ctx context.Context, t0 int64) {
	g := p.g
	for {
		now := g.now()
		if p.done(ctx, t0, now) {
			return
		}
		for p.n < batchSize && (g.cfg.Count == 0 || g.p.scheduled < uint64(g.cfg.Count)) && p.startOne() {
			g.p.scheduled++
		}
		started := p.n
		p.flush()
		p.scan(now)
		if started == 0 {
			sleep(int64(50 * time.Microsecond))
		}
	}
}

// drain waits until no transaction is in flight; each one ends by a reply or
// by its timeout, so this is bounded by twice the timeout.
func (p *pacer) drain(ctx context.Context) {
	g := p.g
	limit := g.now() + 2*int64(g.cfg.Timeout) + int64(100*time.Millisecond)
	for g.inflight.Load() > 0 && g.now() < limit && ctx.Err() == nil {
		sleep(int64(time.Millisecond))
		p.scan(g.now())
	}
}

// startOne starts a transaction with an idle client, building its DISCOVER
// into the batch. It reports false when the in-flight bound is reached or no
// client is idle.
func (p *pacer) startOne() bool {
	g := p.g
	if g.inflight.Load() >= int64(g.cfg.Outstanding) {
		return false
	}
	var idx int32
	select {
	case idx = <-g.free:
	default:
		return false
	}
	c := &g.clients[idx]
	c.gen++
	xid := uint32(c.gen)<<16 | uint32(idx)
	g.inflight.Add(1)
	c.started.Store(g.now())
	c.state.Store(word(xid, phaseOffer))
	p.msg.MAC, p.msg.XID = c.mac, xid
	n, _ := dhcpwire.BuildClientFrame(p.batch.Buf(p.n), &p.msg) // the buffer is MaxFrame long
	p.batch.SetLen(p.n, n)
	p.started[p.n] = idx
	p.n++
	return true
}

// flush sends the batch, stamping each client with the time just before.
func (p *pacer) flush() {
	if p.n == 0 {
		return
	}
	g := p.g
	t := g.now()
	for _, idx := range p.started[:p.n] {
		g.clients[idx].started.Store(t)
	}
	sent, err := p.batch.Send(g.conn.FD(), p.n)
	g.p.attempted += uint64(sent)
	if err != nil {
		g.p.sendErrors += uint64(p.n - sent)
		if g.p.firstErr == nil {
			g.p.firstErr = err
		}
	}
	p.n = 0
}

// scan times out, every scanEvery, the transactions whose current phase has
// lasted longer than the timeout, and makes their clients idle again.
func (p *pacer) scan(now int64) {
	if now-p.lastScan < int64(scanEvery) {
		return
	}
	p.lastScan = now
	g := p.g
	timeout := int64(g.cfg.Timeout)
	for i := range g.clients {
		c := &g.clients[i]
		w := c.state.Load()
		var since int64
		switch phaseOf(w) {
		case phaseOffer:
			since = c.started.Load()
		case phaseAck:
			since = c.reqSent.Load()
		default:
			continue
		}
		if now-since <= timeout || !c.state.CompareAndSwap(w, word(xidOf(w), phaseIdle)) {
			continue
		}
		if phaseOf(w) == phaseOffer {
			g.p.lostOffer++
		} else {
			g.p.lostAck++
		}
		g.inflight.Add(-1)
		g.free <- int32(i)
	}
}

// sleep sleeps for d nanoseconds with a system call, which keeps sub-
// millisecond pacing (the runtime's timers may round up to a millisecond).
func sleep(d int64) {
	if d <= 0 {
		return
	}
	ts := unix.NsecToTimespec(d)
	_ = unix.Nanosleep(&ts, nil)
}

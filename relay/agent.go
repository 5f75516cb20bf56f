package relay

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/pace"
	"github.com/iphelper/iphelper/relay/ratelimit"
)

// AgentState is the state of one downstream interface's listener.
type AgentState uint8

// The agent states.
const (
	StateWaitingLink    AgentState = iota // the link is down (or not there yet)
	StateWaitingAddress                   // the link is up but has no IPv4 address (and no giaddr)
	StateUp                               // the packet socket is open and read
	StateError                            // opening the socket failed; retrying with back-off
	StateStopped                          // the agent has ended
)

func (s AgentState) String() string {
	switch s {
	case StateWaitingLink:
		return "waiting for link"
	case StateWaitingAddress:
		return "waiting for address"
	case StateUp:
		return "up"
	case StateError:
		return "error"
	default:
		return "stopped"
	}
}

// readBufSize is the agent's read buffer: a jumbo frame plus room for our
// option 82 (at most 257 bytes) after the payload, so the request path can
// edit in place.
const readBufSize = 9216 + 512

// agent owns the packet socket of one downstream interface: it opens it when
// the link is up and has an address, reads and relays requests inline, and
// re-opens it when the link is re-created or comes back. Link and config
// changes arrive through update, from the Relay's reconcile loop.
type agent struct {
	r          *Relay
	log        *slog.Logger
	state      atomic.Pointer[ifState]
	conn       atomic.Pointer[connBox] // the open socket, for the reply path; nil when closed
	wake       chan struct{}           // capacity 1: a new state is there
	status     atomic.Uint32           // AgentState
	polling    atomic.Bool             // the read loop polls its socket (package pace)
	ringed     atomic.Bool             // the packet socket receives into a ring
	cancel     context.CancelFunc
	done       chan struct{}
	settled    chan struct{}                       // closed at the first setStatus
	limiter    atomic.Pointer[ratelimit.Interface] // read by the agent's goroutine only; swapped on a config change
	udpLimiter atomic.Pointer[ratelimit.Interface] // the same limits, for forwarded UDP broadcasts: their own buckets
	limitCfg   config.RateLimit                    // the limiter's configuration; owned by the reconcile goroutine
	settleOnce sync.Once
}

// connBox lets an interface value live in an atomic.Pointer, with the
// socket's drops counted so far (countSocketDrops).
type connBox struct {
	c     iface.FrameConn
	drops atomic.Uint64
}

func newAgent(r *Relay, st *ifState) *agent {
	a := &agent{r: r, log: r.log.With("iface", st.name), wake: make(chan struct{}, 1), done: make(chan struct{}), settled: make(chan struct{})}
	a.state.Store(st)
	a.setLimits(st.cfg.RateLimit)
	return a
}

// setLimits gives the agent a new limiter when the limits changed (its
// buckets start full); unchanged limits keep their buckets across reloads.
func (a *agent) setLimits(rl config.RateLimit) {
	if a.limiter.Load() != nil && rl == a.limitCfg {
		return
	}
	a.limitCfg = rl
	a.limiter.Store(ratelimit.NewInterface(ratelimit.Config(rl), time.Now()))
	a.udpLimiter.Store(ratelimit.NewInterface(ratelimit.Config(rl), time.Now()))
}

// start runs the agent until stop is called or ctx ends.
func (a *agent) start(ctx context.Context) {
	ctx, a.cancel = context.WithCancel(ctx)
	go func() {
		defer close(a.done)
		defer a.status.Store(uint32(StateStopped))
		if err := a.run(ctx); err != nil {
			a.r.fatal(err)
		}
	}()
}

// stop ends the agent and waits for it. It is idempotent.
func (a *agent) stop() {
	a.cancel()
	<-a.done
}

// update hands the agent a new state. When the link was re-created (new
// index) or went down, the socket is closed so that run re-opens it.
func (a *agent) update(st *ifState) {
	old := a.state.Swap(st)
	if old.link.Index != st.link.Index || (old.ready() && !st.ready()) || !slices.Equal(old.forwardPorts(), st.forwardPorts()) {
		if b := a.conn.Load(); b != nil {
			b.c.Close()
		}
	}
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *agent) setStatus(s AgentState) {
	old := AgentState(a.status.Swap(uint32(s)))
	defer a.settleOnce.Do(func() { close(a.settled) })
	switch {
	case old == s:
	case s == StateWaitingAddress:
		a.log.Warn("interface has no IPv4 address: waiting for one to use as giaddr", "from", old.String())
	default:
		a.log.Info("interface state changed", "from", old.String(), "to", s.String())
	}
}

// run is the agent's life: wait until ready, open, read until the socket
// fails or is closed, and again. Only a permission error ends it early.
func (a *agent) run(ctx context.Context) error {
	backoff := newBackoff(100*time.Millisecond, 5*time.Second)
	for ctx.Err() == nil {
		st := a.state.Load()
		if !st.ready() {
			if !st.link.Up || st.link.Index == 0 {
				a.setStatus(StateWaitingLink)
			} else {
				a.setStatus(StateWaitingAddress)
			}
			a.waitWake(ctx, 0)
			continue
		}
		c, err := a.r.listen(st.link, st.forwardPorts())
		if err != nil {
			if errors.Is(err, iface.ErrPermission) {
				return err
			}
			a.setStatus(StateError)
			a.log.Warn("failed to open packet socket", "err", err)
			a.waitWake(ctx, backoff.next())
			continue
		}
		a.conn.Store(&connBox{c: c})
		a.setStatus(StateUp)
		err = a.readLoop(ctx, c)
		box := a.conn.Swap(nil)
		countSocketDrops(box, a.state.Load().counters) // its last drops, before they go with it
		c.Close()
		if ctx.Err() != nil {
			return nil
		}
		if !errors.Is(err, net.ErrClosed) {
			a.log.Warn("packet socket failed, re-opening", "err", err)
			a.setStatus(StateError)
			a.waitWake(ctx, backoff.next())
			continue
		}
		backoff.reset()
	}
	return nil
}

// waitWake waits for an update, for d (when d > 0) or for ctx.
func (a *agent) waitWake(ctx context.Context, d time.Duration) {
	var tc <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		tc = t.C
	}
	select {
	case <-ctx.Done():
	case <-a.wake:
	case <-tc:
	}
}

// frameDrainer is a packet socket whose read calls a function each time
// it finds the socket empty, before it waits: the real one.
type frameDrainer interface {
	ReadFrameIdle(b []byte, idle func()) (n int, info iface.FrameInfo, err error)
}

// ringEnabler is a packet socket that can receive into a ring: the real
// one.
type ringEnabler interface {
	EnableRing() error
}

// ringAfter is how long a loop is busy (package pace) before its socket
// gets a receive ring: a ring is for a storm, not a burst, and setting one
// up (a socket, 4 MiB, a few milliseconds) is worth it only then.
const ringAfter = 100 * time.Millisecond

// maxRings bounds the packet sockets that receive into a ring (4 MiB of
// kernel memory each, kept until the socket closes): the busiest few of a
// box with a thousand VLANs, 32 MiB at most. The others read their queues.
const maxRings = 8

// quietCheck is how long a busy loop waits for its socket before it asks
// its pacer again whether it is still busy (a read deadline): a loop that
// waits is woken by packets only, and a storm that ends sends none. The
// deadline is moved at most every quietCheck/2, not per packet.
const quietCheck = 100 * time.Millisecond

// drainBudget is how many frames a loop relays before it sends its
// outbox, while it drains its socket: the first of a long burst leave
// before the last is read.
const drainBudget = outboxSlots

// requestDrain is the state an agent's read loop keeps across reads: its
// outbox, its pacer, and what the end of a drain decided.
type requestDrain struct {
	a         *agent
	out       *requestOut
	p         *pace.Pacer
	rate      int       // the poll-above p was made for
	k         int       // frames relayed since the socket was last found empty
	busySince time.Time // when the loop became busy; zero once the ring was tried
	wantRing  bool      // busy long enough: give the socket a ring after this read
	deadline  time.Time // the socket's read deadline (quietCheck); zero: none
}

// checkQuiet keeps a read deadline on c while the loop is busy, so that
// it wakes to go quiet when the packets stop (quietCheck), and clears it
// once the loop is quiet. It reports whether err is that deadline passing,
// which the loop then takes as the end of a drain.
func (d *requestDrain) checkQuiet(c iface.FrameConn, now time.Time, err error) bool {
	timedOut := err != nil && errors.Is(err, os.ErrDeadlineExceeded)
	if timedOut {
		d.idle()
		now = time.Now()
	}
	switch {
	case d.p.Polling() && (d.deadline.IsZero() || d.deadline.Sub(now) < quietCheck/2):
		d.deadline = now.Add(quietCheck)
		_ = c.SetReadDeadline(d.deadline)
	case !d.p.Polling() && !d.deadline.IsZero():
		d.deadline = time.Time{}
		_ = c.SetReadDeadline(d.deadline)
	}
	return timedOut
}

// idle ends a drain: the socket is empty. It sends the outbox, and on a
// busy loop asks the pacer whether it still is.
func (d *requestDrain) idle() {
	d.k = 0
	d.a.r.flushRequests(d.out)
	if !d.p.Polling() {
		return
	}
	now := time.Now()
	if !d.p.Idle(now) {
		*d.out = requestOut{} // flushed: let the slots go
		d.a.polling.Store(false)
		d.a.log.Debug("packet socket quiet again")
		return
	}
	if !d.busySince.IsZero() && now.Sub(d.busySince) >= ringAfter {
		d.busySince = time.Time{} // one try per busy spell
		d.wantRing = true
	}
}

// readLoop reads and relays requests until the socket fails or ctx ends.
// It waits for the socket to be readable (the runtime's poller: the
// goroutine parks, and its processor runs the others), then drains it,
// relaying every frame that is waiting; the read that finds it empty
// sends what the drain relayed in one batch (requestDrain.idle) and waits
// again. Batches come from what is there when the loop wakes, never from
// sleeping (NAPI's scheme).
func (a *agent) readLoop(ctx context.Context, c iface.FrameConn) error {
	stopClose := context.AfterFunc(ctx, func() { c.Close() })
	defer stopClose()
	buf := make([]byte, readBufSize)
	out := &requestOut{}
	defer a.r.flushRequests(out)
	rate := a.r.cfg.Load().PollRate
	d := &requestDrain{a: a, out: out, p: pace.New(rate), rate: rate}
	idle := d.idle // bound once: no allocation per read
	dr, _ := c.(frameDrainer)
	ringed := false
	defer func() {
		if ringed { // the caller closes the socket, and the ring with it
			a.r.rings.Add(-1)
		}
		a.polling.Store(false)
		a.ringed.Store(false)
	}()
	for {
		var (
			n    int
			info iface.FrameInfo
			err  error
		)
		if dr != nil {
			n, info, err = dr.ReadFrameIdle(buf[:readBufSize-512], idle)
		} else {
			idle()
			n, info, err = c.ReadFrame(buf[:readBufSize-512])
		}
		now := time.Now()
		if d.checkQuiet(c, now, err) {
			continue
		}
		if err != nil {
			return err
		}
		if d.wantRing {
			d.wantRing = false
			if !ringed {
				ringed = a.enableRing(c)
				a.ringed.Store(ringed)
			}
		}
		d.p, d.rate = repace(d.p, d.rate, a.r.cfg.Load().PollRate)
		if d.p.Read(now) && out.want == 0 {
			out.want, d.busySince = outboxSlots, now
			a.polling.Store(true)
			a.log.Debug("packet socket busy: batching", "poll_above", d.rate)
			d.checkQuiet(c, now, nil)
		}
		a.handleFrame(buf[:n:readBufSize], info, out, now)
		if d.k++; d.k%drainBudget == 0 {
			a.r.flushRequests(out)
		}
	}
}

// repace returns a pacer for a reloaded poll-above: p itself while the
// rate it was made for is still the configured one. A loop that is woken
// per packet calls it after each read, so that a reload takes effect at
// its next packet, not only after it next polls; a polling loop takes the
// new rate when it goes quiet.
func repace(p *pace.Pacer, rate, configured int) (*pace.Pacer, int) {
	if rate == configured {
		return p, rate
	}
	return pace.New(configured), configured
}

// enableRing gives the loop's socket a receive ring when it can have one
// and the relay has one to spare, and reports whether it did.
func (a *agent) enableRing(c iface.FrameConn) bool {
	re, ok := c.(ringEnabler)
	if !ok {
		return false
	}
	if a.r.rings.Add(1) > maxRings {
		a.r.rings.Add(-1)
		return false
	}
	if err := re.EnableRing(); err != nil {
		a.r.rings.Add(-1)
		a.log.Debug("packet socket polls its queue: no receive ring", "err", err)
		return false
	}
	a.log.Debug("packet socket receives into a ring", "bytes", iface.RingBytes)
	return true
}

// backoff is a capped exponential back-off, used by one goroutine.
type backoff struct{ min, max, cur time.Duration }

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max} }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else if b.cur *= 2; b.cur > b.max {
		b.cur = b.max
	}
	return b.cur
}

func (b *backoff) reset() {
	b.cur = 0
}

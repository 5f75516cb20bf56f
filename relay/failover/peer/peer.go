package peer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/relay/failover/wire"
)

// Errors Send returns.
var (
	// ErrNotConnected: there is no live connection.
	ErrNotConnected = errors.New("failover peer: not connected")
	// ErrQueueFull: MaxPending messages already wait to be written.
	ErrQueueFull = errors.New("failover peer: send queue full")
)

// Peer is this node's end of the pair's connection. Send, SetHello and
// Counters may be called from any goroutine; Run once.
type Peer struct {
	cfg     Config
	hello   atomic.Pointer[wire.Hello]
	live    atomic.Pointer[conn] // written by the event loop only
	events  chan event
	downc   chan struct{} // a live connection ended (to the dialer)
	stopped chan struct{} // closed when the event loop ends
	slots   chan struct{} // handshakes in progress
	wg      sync.WaitGroup
	c       counters
}

// New checks cfg and makes a Peer; Run starts it.
func New(cfg Config) (*Peer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Peer{
		cfg:     cfg,
		events:  make(chan event),
		downc:   make(chan struct{}, 1),
		stopped: make(chan struct{}),
		slots:   make(chan struct{}, maxHandshakes),
	}
	p.SetHello(cfg.Hello)
	return p, nil
}

// SetHello sets the Hello sent on the next connections.
func (p *Peer) SetHello(h wire.Hello) {
	h.Version, h.Role = wire.Version, p.cfg.Role
	p.hello.Store(&h)
}

// Counters returns a snapshot of the counters.
func (p *Peer) Counters() Counters { return p.c.snapshot() }

// Send queues m for the live connection without blocking. It fails with
// ErrNotConnected, ErrQueueFull (counted) or m's encoding error.
func (p *Peer) Send(m wire.Message) error {
	c := p.live.Load()
	if c == nil {
		return ErrNotConnected
	}
	b, err := wire.Append(nil, m)
	if err != nil {
		return fmt.Errorf("failover peer: %w", err)
	}
	select {
	case c.out <- b:
		return nil
	default:
		p.c.queueFull.Add(1)
		return ErrQueueFull
	}
}

// Run listens and dials until ctx ends, then writes what is queued on the
// live connection (within MaxResponseDelay), closes it and returns nil once
// every goroutine it started has ended.
func (p *Peer) Run(ctx context.Context) error {
	p.wg.Add(2)
	go p.listenLoop(ctx)
	go p.dialLoop(ctx)
	p.eventLoop(ctx)
	p.wg.Wait()
	return nil
}

// event is what the connection goroutines tell the event loop.
type event struct {
	c    *conn
	kind eventKind
	m    wire.Message // evMessage
}

type eventKind uint8

const (
	evUp eventKind = iota
	evMessage
	evDown
)

// eventLoop owns the live connection and calls the handler.
func (p *Peer) eventLoop(ctx context.Context) {
	defer close(p.stopped)
	for {
		select {
		case e := <-p.events:
			p.handle(e)
		case <-ctx.Done():
			if c := p.live.Load(); c != nil {
				p.live.Store(nil)
				c.shutdown()
				p.cfg.Handler.Down("shutting down")
			}
			return
		}
	}
}

func (p *Peer) handle(e event) {
	cur := p.live.Load()
	switch e.kind {
	case evUp:
		p.up(cur, e.c)
	case evMessage:
		if e.c == cur {
			p.cfg.Handler.Message(e.m)
		}
	case evDown:
		if e.c != cur {
			return
		}
		p.live.Store(nil)
		p.c.disconnects.Add(1)
		p.cfg.Log.Warn("failover connection down", "peer", e.c.remote, "reason", e.c.reason)
		p.cfg.Handler.Down(e.c.reason)
		select {
		case p.downc <- struct{}{}:
		default:
		}
	}
}

// up makes c the live connection, unless the live one wins (package doc).
func (p *Peer) up(cur, c *conn) {
	if cur != nil {
		if !replaces(cur, c) {
			p.c.kept.Add(1)
			p.cfg.Log.Info("failover connection closed: the one dialed by the primary is up", "peer", c.remote)
			c.close("the connection dialed by the primary is up")
			return
		}
		p.c.replaced.Add(1)
		cur.close("replaced by a new connection")
		p.cfg.Log.Info("failover connection replaced by a new one", "peer", c.remote)
		p.cfg.Handler.Down("replaced by a new connection")
	}
	p.live.Store(c)
	p.c.up.Add(1)
	p.cfg.Log.Info("failover connection up", "peer", c.remote, "dialed", c.dialed,
		"partner", c.hello.NodeName, "partner_state", c.hello.State)
	p.wg.Add(2)
	go p.readLoop(c)
	go p.writeLoop(c)
	p.cfg.Handler.Up(c.hello)
}

// replaces reports whether the authenticated connection c replaces the live
// one, cur: always, except that one dialed by the secondary never replaces
// one dialed by the primary. Both nodes decide alike.
func replaces(cur, c *conn) bool { return c.byPrimary || !cur.byPrimary }

// deliver hands e to the event loop; false when the Peer stops first.
func (p *Peer) deliver(ctx context.Context, e event) bool {
	select {
	case p.events <- e:
		return true
	case <-ctx.Done():
		return false
	}
}

// listenLoop listens (again after an error, with backoff: the pair-link
// address may appear later) and accepts until ctx ends.
func (p *Peer) listenLoop(ctx context.Context) {
	defer p.wg.Done()
	b := p.newBackoff()
	for ctx.Err() == nil {
		l, err := p.cfg.Transport.Listen(ctx)
		if err != nil {
			p.cfg.Log.Warn("failover peer failed to listen", "err", err)
			b.wait(ctx)
			continue
		}
		b.reset()
		p.acceptLoop(ctx, l)
	}
}

func (p *Peer) acceptLoop(ctx context.Context, l net.Listener) {
	stop := context.AfterFunc(ctx, func() { _ = l.Close() })
	defer stop()
	defer l.Close()
	for {
		raw, err := l.Accept()
		if err != nil {
			if ctx.Err() == nil {
				p.cfg.Log.Warn("failover peer failed to accept", "err", err)
			}
			return
		}
		p.c.accepted.Add(1)
		select {
		case p.slots <- struct{}{}:
		default:
			p.c.refused.Add(1)
			p.cfg.Log.Warn("failover connection refused: too many handshakes at once", "peer", raw.RemoteAddr())
			_ = raw.Close()
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer func() { <-p.slots }()
			if c, ok := p.setup(ctx, raw, false); ok {
				if !p.deliver(ctx, event{c: c, kind: evUp}) {
					c.close("shutting down")
				}
			}
		}()
	}
}

// dialLoop dials the partner whenever there is no live connection.
func (p *Peer) dialLoop(ctx context.Context) {
	defer p.wg.Done()
	b := p.newBackoff()
	for ctx.Err() == nil {
		if p.live.Load() != nil {
			select {
			case <-p.downc:
			case <-ctx.Done():
			}
			continue
		}
		c, ok := p.dialOnce(ctx)
		if !ok || !p.deliver(ctx, event{c: c, kind: evUp}) {
			if c != nil {
				c.close("shutting down")
			}
			b.wait(ctx)
			continue
		}
		b.reset()
		select {
		case <-c.done: // replaced, kept out, or down
		case <-ctx.Done():
		}
		b.wait(ctx) // both nodes redial at once after a drop: spread them
	}
}

func (p *Peer) dialOnce(ctx context.Context) (*conn, bool) {
	dctx, cancel := context.WithTimeout(ctx, p.cfg.HandshakeTimeout)
	defer cancel()
	raw, err := p.cfg.Transport.Dial(dctx)
	if err != nil {
		p.c.dialFailed.Add(1)
		p.cfg.Log.Debug("failover peer failed to dial", "err", err)
		return nil, false
	}
	p.c.dialed.Add(1)
	return p.setup(ctx, raw, true)
}

// backoff doubles the wait between attempts, from MinBackoff to MaxBackoff.
type backoff struct {
	min, max, next time.Duration
}

func (p *Peer) newBackoff() *backoff {
	return &backoff{min: p.cfg.MinBackoff, max: p.cfg.MaxBackoff, next: p.cfg.MinBackoff}
}

func (b *backoff) reset() { b.next = b.min }

func (b *backoff) wait(ctx context.Context) {
	t := time.NewTimer(b.next)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	b.next = min(2*b.next, b.max)
}

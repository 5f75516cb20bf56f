package peer

import (
	"context"
	"crypto/hmac"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/iphelper/iphelper/relay/failover/wire"
)

// conn is one authenticated connection.
type conn struct {
	raw       net.Conn
	tls       *tls.Conn
	remote    string
	dialed    bool       // this node dialed it
	byPrimary bool       // the primary dialed it
	hello     wire.Hello // the partner's
	out       chan []byte
	done      chan struct{} // closed by close
	flush     chan struct{} // closed by shutdown: write what is queued, then close
	once      sync.Once
	flushOnce sync.Once
	reason    string // why it closed; read after done
}

// close closes the connection for reason, once. The TLS close_notify is not
// sent: the protocol has its own goodbye (State.Shutdown), and a partner
// that does not read must not hold the close up.
func (c *conn) close(reason string) {
	c.once.Do(func() {
		c.reason = reason
		close(c.done)
		_ = c.raw.Close()
	})
}

func (c *conn) shutdown() { c.flushOnce.Do(func() { close(c.flush) }) }

// setup authenticates raw and exchanges the Hellos. On failure it has
// counted, logged and closed the connection.
func (p *Peer) setup(ctx context.Context, raw net.Conn, dialed bool) (*conn, bool) {
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	defer stop()
	c := &conn{raw: raw, remote: raw.RemoteAddr().String(), dialed: dialed,
		done: make(chan struct{}), flush: make(chan struct{})}
	log := p.cfg.Log.With("peer", c.remote, "dialed", dialed)
	_ = raw.SetDeadline(time.Now().Add(p.cfg.HandshakeTimeout))
	if err := p.authenticate(c); err != nil {
		p.c.authFailed.Add(1)
		log.Warn("failover connection refused: authentication failed", "err", err)
		_ = raw.Close()
		return nil, false
	}
	if err := p.exchangeHello(c); err != nil {
		if errors.Is(err, wire.ErrVersion) {
			p.c.versionMismatch.Add(1)
		} else {
			p.c.refused.Add(1)
		}
		log.Warn("failover connection refused", "err", err)
		_ = raw.Close()
		return nil, false
	}
	_ = raw.SetDeadline(time.Time{})
	c.byPrimary = dialed == (p.cfg.Role == wire.RolePrimary)
	c.out = make(chan []byte, p.cfg.MaxPending)
	return c, true
}

// authenticate runs the TLS handshake and, with a pre-shared key, the key
// proofs: the dialing side proves first, so nothing is sent to a partner
// that has not proved.
func (p *Peer) authenticate(c *conn) error {
	if c.dialed {
		c.tls = tls.Client(c.raw, p.cfg.Auth.client)
	} else {
		c.tls = tls.Server(c.raw, p.cfg.Auth.server)
	}
	if err := c.tls.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	key := p.cfg.Auth.psk
	if key == nil {
		return nil
	}
	cs := c.tls.ConnectionState()
	mine, err := proof(key, p.cfg.Role, cs)
	if err != nil {
		return err
	}
	theirs, err := proof(key, 1-p.cfg.Role, cs)
	if err != nil {
		return err
	}
	if c.dialed {
		if _, err := c.tls.Write(mine); err != nil {
			return fmt.Errorf("failed to send the key proof: %w", err)
		}
		return readProof(c.tls, theirs)
	}
	if err := readProof(c.tls, theirs); err != nil {
		return err
	}
	if _, err := c.tls.Write(mine); err != nil {
		return fmt.Errorf("failed to send the key proof: %w", err)
	}
	return nil
}

// readProof reads the partner's key proof and compares it in constant time.
func readProof(r io.Reader, want []byte) error {
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil {
		return fmt.Errorf("failed to read the partner's key proof: %w", err)
	}
	if !hmac.Equal(got, want) {
		return errors.New("the partner's key proof is wrong: the keys differ")
	}
	return nil
}

// exchangeHello sends this node's Hello and reads the partner's, the dialing
// side first.
func (p *Peer) exchangeHello(c *conn) error {
	send := func() error {
		b, err := wire.Append(nil, *p.hello.Load())
		if err != nil {
			return err
		}
		if _, err := c.tls.Write(b); err != nil {
			return fmt.Errorf("failed to send the Hello: %w", err)
		}
		return nil
	}
	if c.dialed {
		if err := send(); err != nil {
			return err
		}
	}
	m, err := wire.Read(c.tls, nil)
	if err != nil {
		return fmt.Errorf("failed to read the partner's Hello: %w", err)
	}
	h, ok := m.(wire.Hello)
	switch {
	case !ok:
		return fmt.Errorf("the partner sent %s before its Hello", m.Type())
	case h.Role == p.cfg.Role:
		return fmt.Errorf("the partner is %s too", h.Role)
	}
	c.hello = h
	if !c.dialed {
		return send()
	}
	return nil
}

// readLoop reads the live connection until it fails, then reports it down.
func (p *Peer) readLoop(c *conn) {
	defer p.wg.Done()
	buf := make([]byte, wire.MaxFrame)
	for {
		_ = c.raw.SetReadDeadline(time.Now().Add(p.cfg.MaxResponseDelay))
		m, err := wire.Read(c.tls, buf)
		if err != nil {
			c.close(p.readFailure(err))
			break
		}
		p.c.messagesIn.Add(1)
		if m.Type() == wire.TypeHeartbeat {
			continue
		}
		if !p.deliverUntil(c, event{c: c, kind: evMessage, m: m}) {
			break
		}
	}
	p.deliverUntil(nil, event{c: c, kind: evDown})
}

// readFailure is the reason a read failure closes the connection with.
func (p *Peer) readFailure(err error) string {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		p.c.timeouts.Add(1)
		return fmt.Sprintf("no message for %s", p.cfg.MaxResponseDelay)
	case errors.Is(err, io.EOF):
		return "closed by the partner"
	}
	return fmt.Sprintf("read failed: %v", err)
}

// deliverUntil hands e to the event loop unless c (when not nil) closes
// first or the event loop has stopped.
func (p *Peer) deliverUntil(c *conn, e event) bool {
	var done <-chan struct{}
	if c != nil {
		done = c.done
	}
	select {
	case p.events <- e:
		return true
	case <-done:
		return false
	case <-p.stopped:
		return false
	}
}

// writeLoop writes queued messages, batched, and the heartbeats.
func (p *Peer) writeLoop(c *conn) {
	defer p.wg.Done()
	t := time.NewTicker(p.cfg.Heartbeat)
	defer t.Stop()
	var seq uint64
	buf := make([]byte, 0, 4096)
	for {
		buf = buf[:0]
		select {
		case b := <-c.out:
			buf = drain(c.out, append(buf, b...))
		case <-t.C:
			seq++
			buf, _ = wire.Append(buf, wire.Heartbeat{Seq: seq})
		case <-c.flush:
			buf = drain(c.out, buf)
			p.write(c, buf)
			c.close("shutting down")
			return
		case <-c.done:
			return
		}
		if !p.write(c, buf) {
			return
		}
	}
}

// drain appends what out holds now, up to a batch of about MaxFrame bytes.
func drain(out chan []byte, buf []byte) []byte {
	for len(buf) < wire.MaxFrame {
		select {
		case b := <-out:
			buf = append(buf, b...)
		default:
			return buf
		}
	}
	return buf
}

// write writes buf within MaxResponseDelay; a failure closes c.
func (p *Peer) write(c *conn, buf []byte) bool {
	if len(buf) == 0 {
		return true
	}
	_ = c.raw.SetWriteDeadline(time.Now().Add(p.cfg.MaxResponseDelay))
	if _, err := c.tls.Write(buf); err != nil {
		c.close(fmt.Sprintf("write failed: %v", err))
		return false
	}
	p.c.messagesOut.Add(uint64(countFrames(buf)))
	return true
}

// countFrames counts the frames in buf (well formed: this node wrote them).
func countFrames(buf []byte) int {
	n := 0
	for len(buf) >= wire.HeaderLen {
		l := wire.HeaderLen + int(binary.BigEndian.Uint32(buf[6:wire.HeaderLen]))
		buf = buf[min(l, len(buf)):]
		n++
	}
	return n
}

package responder

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/dhcpwire"
	"github.com/iphelper/iphelper/test/bench/internal/mmsg"
	"github.com/iphelper/iphelper/test/bench/internal/sock"
	"golang.org/x/sys/unix"
)

// Sizes of the socket side.
const (
	batchSize   = 64
	msgBuf      = 2048
	readBuffer  = 8 << 20 // the responder must never be where requests are lost
	readTimeout = 100 * time.Millisecond
)

// Stats counts what a Responder did.
type Stats struct {
	Received   uint64 `json:"received"`    // datagrams read
	Offers     uint64 `json:"offers"`      // OFFERs sent
	Acks       uint64 `json:"acks"`        // ACKs sent
	Ignored    uint64 `json:"ignored"`     // well-formed requests of other types
	Bad        uint64 `json:"bad"`         // datagrams that are not a BOOTREQUEST
	SendErrors uint64 `json:"send_errors"` // replies the kernel refused
}

// Responder answers requests on one UDP socket. Run is called once; Stats
// may be called from any goroutine.
type Responder struct {
	cfg   Config
	fd    int
	mask  [4]byte
	base  uint32 // the pool's network address
	hosts uint32 // how many addresses it gives

	received, offers, acks, ignored, bad, sendErrors atomic.Uint64
}

// New validates cfg and opens the responder's socket. Open it inside the
// network namespace it serves: the socket stays there.
func New(cfg Config) (*Responder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("invalid responder configuration: %w", err)
	}
	fd, err := sock.ListenUDP(sock.UDPConfig{
		Addr: cfg.Listen, Device: cfg.Device, ReadBuffer: readBuffer, ReadTimeout: readTimeout,
	})
	if err != nil {
		return nil, err
	}
	size := uint32(1) << (32 - cfg.Pool.Bits())
	s := &Responder{
		cfg: cfg, fd: fd,
		base:  binary.BigEndian.Uint32(cfg.Pool.Addr().AsSlice()),
		hosts: size - 3, // not the network, the relay's first address, nor broadcast
	}
	binary.BigEndian.PutUint32(s.mask[:], ^uint32(0)<<(32-cfg.Pool.Bits()))
	return s, nil
}

// Close closes the socket.
func (s *Responder) Close() error { return unix.Close(s.fd) }

// Stats returns the counters so far.
func (s *Responder) Stats() Stats {
	return Stats{
		Received: s.received.Load(), Offers: s.offers.Load(), Acks: s.acks.Load(),
		Ignored: s.ignored.Load(), Bad: s.bad.Load(), SendErrors: s.sendErrors.Load(),
	}
}

// AddrFor returns the address the responder gives the client with chaddr
// mac: host 2 + (mac[2:6] mod hosts) of the pool, the same every time.
func (s *Responder) AddrFor(mac [6]byte) netip.Addr {
	h := binary.BigEndian.Uint32(mac[2:6])
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], s.base+2+h%s.hosts)
	return netip.AddrFrom4(a)
}

// Run answers requests until ctx ends. It fails only if the socket fails.
func (s *Responder) Run(ctx context.Context) error {
	in, out := mmsg.New(batchSize, msgBuf), mmsg.New(batchSize, msgBuf)
	reply := dhcpwire.ServerReply{ServerID: s.cfg.ServerID.As4(), Mask: s.mask, LeaseSecs: uint32(s.cfg.Lease / time.Second)}
	var q dhcpwire.Request
	for ctx.Err() == nil {
		n, err := in.Recv(s.fd)
		if errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil {
			return fmt.Errorf("failed to read requests on %s: %w", s.cfg.Listen, err)
		}
		s.received.Add(uint64(n))
		k := 0
		for i := range n {
			if s.answer(in, i, out, k, &q, &reply) {
				k++
			}
		}
		if k > 0 {
			sent, _ := out.Send(s.fd, k)
			s.sendErrors.Add(uint64(k - sent))
		}
	}
	return nil
}

// answer builds into slot k of out the reply to message i of in, and
// reports whether there is one.
func (s *Responder) answer(in *mmsg.Batch, i int, out *mmsg.Batch, k int, q *dhcpwire.Request, reply *dhcpwire.ServerReply) bool {
	if in.Truncated(i) || dhcpwire.ParseRequest(in.Msg(i), q) != nil {
		s.bad.Add(1)
		return false
	}
	counter := &s.offers
	switch q.Type {
	case dhcpwire.TypeDiscover:
		reply.Type = dhcpwire.TypeOffer
	case dhcpwire.TypeRequest:
		reply.Type, counter = dhcpwire.TypeAck, &s.acks
	default:
		s.ignored.Add(1)
		return false
	}
	reply.YIAddr = s.AddrFor(q.CHAddr()).As4()
	n, err := dhcpwire.BuildReply(out.Buf(k), q, reply)
	if err != nil {
		s.bad.Add(1)
		return false
	}
	counter.Add(1)
	if gi := q.GIAddr(); gi != [4]byte{} {
		out.SetDest(k, n, gi, dhcpwire.PortServer)
	} else {
		out.SetDest(k, n, [4]byte{255, 255, 255, 255}, dhcpwire.PortClient)
	}
	return true
}

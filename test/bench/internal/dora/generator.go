package dora

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/latency"
	"github.com/iphelper/iphelper/test/bench/internal/sock"
)

// Sizes of the socket side.
const (
	batchSize   = 64      // frames per recvmmsg / sendmmsg
	frameBuf    = 2048    // receive buffer per frame
	readBuffer  = 8 << 20 // socket receive buffer: the generator must never drop
	readTimeout = 20 * time.Millisecond
)

// Generator runs DORAs on one interface. Run may be called once; Close
// releases the socket. Open the Generator inside the network namespace of
// its interface: the socket stays there.
type Generator struct {
	cfg     Config
	conn    *sock.Packet
	clients []client
	free    chan int32 // idle clients
	base    time.Time

	inflight atomic.Int64
	stop     atomic.Bool

	p pacerStats // owned by the pacer
	r recvStats  // owned by the receiver until it returns
}

// New validates cfg and opens the generator's socket: an AF_PACKET socket
// on cfg.Interface that receives only IPv4/UDP frames to port 68, in
// promiscuous mode (unicast replies go to the emulated clients' MACs), with
// an 8 MiB receive buffer.
func New(cfg Config) (*Generator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("invalid load generator configuration: %w", err)
	}
	conn, err := sock.ListenPacket(sock.PacketConfig{
		Interface:   cfg.Interface,
		Filter:      replyFilter(),
		Promiscuous: true,
		ReadBuffer:  readBuffer,
		ReadTimeout: readTimeout,
	})
	if err != nil {
		return nil, err
	}
	g := &Generator{cfg: cfg, conn: conn, clients: make([]client, cfg.Clients), free: make(chan int32, cfg.Clients)}
	var seed [2]byte
	if _, err := rand.Read(seed[:]); err != nil {
		conn.Close()
		return nil, fmt.Errorf("failed to seed transaction IDs: %w", err)
	}
	for i := range g.clients {
		g.clients[i].mac = clientMAC(i)
		g.clients[i].gen = binary.BigEndian.Uint16(seed[:])
		g.free <- int32(i)
	}
	return g, nil
}

// Close closes the socket.
func (g *Generator) Close() error { return g.conn.Close() }

// now returns the time since the run's base, in nanoseconds (monotonic).
func (g *Generator) now() int64 { return int64(time.Since(g.base)) }

// Run runs the load until Count DORAs are scheduled, Duration passes or ctx
// ends, then waits for the transactions in flight to finish or time out, and
// returns what happened. It fails only if the socket fails.
func (g *Generator) Run(ctx context.Context) (Result, error) {
	g.base = time.Now()
	_, _, _ = g.conn.Stats() // reset the kernel's counters
	var wg sync.WaitGroup
	var recvErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		recvErr = g.receive()
	}()
	sendErr := g.pace(ctx)
	g.stop.Store(true)
	wg.Wait()
	res := g.result()
	if _, drops, err := g.conn.Stats(); err == nil {
		res.SocketDrops = drops
	}
	if recvErr != nil {
		return res, recvErr
	}
	return res, sendErr
}

// Histograms returns the DISCOVER→OFFER and REQUEST→ACK latencies of the
// finished run.
func (g *Generator) Histograms() (offer, ack *latency.Histogram) {
	return &g.r.offerLat, &g.r.ackLat
}

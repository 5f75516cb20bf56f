package relay

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// gatedStore is a MemStore whose first Apply waits until open is closed,
// like a flush to a slow disk, and which records every batch's length.
// Apply has no context: a test releases the gate with release, also in a
// cleanup, so that a failing test's relay can stop.
type gatedStore struct {
	*leasestore.MemStore
	open    chan struct{}
	entered chan struct{}
	once    sync.Once
	mu      sync.Mutex
	batches []int
}

// release opens the gate; it may be called more than once.
func (g *gatedStore) release() { g.once.Do(func() { close(g.open) }) }

func (g *gatedStore) Apply(ws []leasestore.Write) error {
	g.mu.Lock()
	first := len(g.batches) == 0
	g.batches = append(g.batches, len(ws))
	g.mu.Unlock()
	if first {
		close(g.entered)
		<-g.open
	}
	return g.MemStore.Apply(ws)
}

func (g *gatedStore) seen() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.batches)
}

// TestFallbackGroupCommit: the REQUESTs that arrive while a lease is being
// written are answered together and their leases written in one
// transaction; no ACK leaves before its lease is in the store.
func TestFallbackGroupCommit(t *testing.T) {
	store := &gatedStore{MemStore: leasestore.NewMemStore(), open: make(chan struct{}), entered: make(chan struct{})}
	rig := startFallbackRigWith(t, store, nil, sharedSource)
	t.Cleanup(store.release) // runs before the rig's own cleanup waits for the relay to stop
	const clients = 6
	request := func(i int) {
		t.Helper()
		addr := netip.AddrFrom4([4]byte{203, 0, 113, byte(100 + i)})
		m, err := dhcpv4.New(dhcpv4.WithHwAddr(rigClient(i)), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice())),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(relayAddr.Addr().AsSlice())))
		if err != nil {
			t.Fatal(err)
		}
		rig.send(t, m, zeroAddr, ipBroadcast) // SELECTING our server identifier
	}
	request(0)
	waitFor(t, store.entered, "the first lease's write")
	for i := 1; i < clients; i++ {
		request(i)
	}
	f := rig.r.fbs["eth1"]
	deadline := time.Now().Add(5 * time.Second)
	for len(f.jobs) < clients-1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := len(f.jobs); n != clients-1 {
		t.Fatalf("%d REQUESTs queued behind the write, want %d", n, clients-1)
	}
	select {
	case fr := <-rig.conn.Sent():
		t.Fatalf("a frame left while its lease was being written: % x", fr.Data[:42])
	default:
	}
	store.release()
	acked := make(map[string]bool)
	for range clients {
		m := rig.delivered(t, "an ACK")
		if m.MessageType() != dhcpv4.MessageTypeAck {
			t.Fatalf("got %v, want ACK", m.MessageType())
		}
		if _, ok := store.Snapshot("eth1", netip.AddrFrom4([4]byte(m.YourIPAddr.To4()))); !ok {
			t.Errorf("ACK of %v sent, but its lease is not in the store", m.YourIPAddr)
		}
		acked[m.ClientHWAddr.String()] = true
	}
	if len(acked) != clients {
		t.Errorf("ACKs for %d clients, want %d", len(acked), clients)
	}
	if got, want := store.seen(), []int{1, clients - 1}; !slices.Equal(got, want) {
		t.Errorf("store transactions of %v leases, want %v: the queued REQUESTs in one", got, want)
	}
}

// failingStore is a MemStore whose Apply fails while fail is set, and
// reports each failure on failed.
type failingStore struct {
	*leasestore.MemStore
	fail   atomic.Bool
	failed chan struct{}
}

func (s *failingStore) Apply(ws []leasestore.Write) error {
	if s.fail.Load() {
		select { // never block the worker: a test that stopped reading must still end
		case s.failed <- struct{}{}:
		default:
		}
		return errors.New("disk full")
	}
	return s.MemStore.Apply(ws)
}

// TestFallbackStoreFailureSendsNoAck: in the daemon's own path (the
// fallback worker's commit), a lease whose write fails gets no ACK and is
// counted as store_failed; the client's retransmission is ACKed once the
// store works again.
func TestFallbackStoreFailureSendsNoAck(t *testing.T) {
	store := &failingStore{MemStore: leasestore.NewMemStore(), failed: make(chan struct{}, 4)}
	rig := startFallbackRigWith(t, store, nil, sharedSource)
	addr := netip.MustParseAddr("203.0.113.100")
	request := func(xid byte) {
		t.Helper()
		m, err := dhcpv4.New(dhcpv4.WithHwAddr(rigClient(0)), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
			dhcpv4.WithTransactionID(dhcpv4.TransactionID{0, 0, 8, xid}),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice())),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(relayAddr.Addr().AsSlice())))
		if err != nil {
			t.Fatal(err)
		}
		rig.send(t, m, zeroAddr, ipBroadcast)
	}
	store.fail.Store(true)
	request(1)
	waitFor(t, store.failed, "the failing write of the first REQUEST's lease")
	store.fail.Store(false)
	request(2) // the client retransmits; the worker answers in order
	m := rig.delivered(t, "the ACK of the retransmission")
	if m.TransactionID != (dhcpv4.TransactionID{0, 0, 8, 2}) || m.MessageType() != dhcpv4.MessageTypeAck {
		t.Fatalf("first frame to the client: %v of xid %v, want the ACK of xid 0x00000802: an ACK left although its lease was not written",
			m.MessageType(), m.TransactionID)
	}
	if _, ok := store.Snapshot("eth1", addr); !ok {
		t.Errorf("lease of %v not in the store after its ACK", addr)
	}
	if got := rig.r.Status().Scopes[0].Outcomes; got["store_failed"] != 1 || got["ack"] != 1 {
		t.Errorf("outcomes %v, want one store_failed and one ack", got)
	}
}

// sharedSource lets the rig's clients, which share its Ethernet source, each
// use their own chaddr.
func sharedSource(ic *config.Interface) { ic.VerifyCHAddr = false }

// rigClient is the chaddr of the rig's client i.
func rigClient(i int) net.HardwareAddr { return net.HardwareAddr{2, 0, 0x5e, 0x20, 0, byte(i)} }

// gatedProber is a conflict prober whose first round waits until open is
// closed, like a slow ARP wait, and which records each round's size.
type gatedProber struct {
	open    chan struct{}
	entered chan struct{}
	mu      sync.Mutex
	rounds  []int
}

func (g *gatedProber) InUse(ctx context.Context, addrs []netip.Addr) ([]bool, error) {
	g.mu.Lock()
	first := len(g.rounds) == 0
	g.rounds = append(g.rounds, len(addrs))
	g.mu.Unlock()
	if first {
		close(g.entered)
		select {
		case <-g.open:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return make([]bool, len(addrs)), nil
}

func (g *gatedProber) seen() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.rounds)
}

// TestFallbackProbesTogether: the DISCOVERs that come due while a probe
// round runs are probed in one next round, not one after the other, and
// every client gets its OFFER, each of its own address.
func TestFallbackProbesTogether(t *testing.T) {
	prober := &gatedProber{open: make(chan struct{}), entered: make(chan struct{})}
	rig := startFallbackRigWith(t, leasestore.NewMemStore(), prober, func(ic *config.Interface) {
		sharedSource(ic)
		ic.Fallback.MaxOffers = -1 // the rig's pool is 11 addresses: the default cap is 4 offers to new clients
	})
	const clients = 5
	discover := func(i int) {
		t.Helper()
		m, err := dhcpv4.New(dhcpv4.WithHwAddr(rigClient(i)), dhcpv4.WithMessageType(dhcpv4.MessageTypeDiscover),
			dhcpv4.WithTransactionID(dhcpv4.TransactionID{0, 0, 1, byte(i)}))
		if err != nil {
			t.Fatal(err)
		}
		rig.send(t, m, zeroAddr, ipBroadcast)
		<-rig.up.sent // it goes upstream too, and the upstream stays silent
	}
	discover(0)
	waitFor(t, prober.entered, "the first probe round")
	for i := 1; i < clients; i++ {
		discover(i)
	}
	// Let every later DISCOVER's offer-delay (200 ms) pass while the first
	// round still waits.
	f := rig.r.fbs["eth1"]
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		n := len(f.pending)
		f.mu.Unlock()
		if n == clients-1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	close(prober.open)
	offered := make(map[string]string)
	for range clients {
		m := rig.delivered(t, "an OFFER")
		if m.MessageType() != dhcpv4.MessageTypeOffer {
			t.Fatalf("got %v, want OFFER", m.MessageType())
		}
		offered[m.ClientHWAddr.String()] = m.YourIPAddr.String()
	}
	addrs := make(map[string]bool)
	for _, a := range offered {
		addrs[a] = true
	}
	if len(offered) != clients || len(addrs) != clients {
		t.Errorf("offers %v: want %d clients with distinct addresses", offered, clients)
	}
	if got, want := prober.seen(), []int{1, clients - 1}; !slices.Equal(got, want) {
		t.Errorf("probe rounds of %v addresses, want %v: the DISCOVERs due meanwhile in one", got, want)
	}
}

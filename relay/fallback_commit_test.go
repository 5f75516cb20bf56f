package relay

import (
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// gatedStore is a MemStore whose first Apply waits until open is closed,
// like a flush to a slow disk, and which records every batch's length.
type gatedStore struct {
	*leasestore.MemStore
	open    chan struct{}
	entered chan struct{}
	mu      sync.Mutex
	batches []int
}

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
	rig := startFallbackRigWith(t, store, func(ic *config.Interface) {
		ic.VerifyCHAddr = false // the clients share the rig's Ethernet source
	})
	const clients = 6
	request := func(i int) {
		t.Helper()
		mac := net.HardwareAddr{2, 0, 0x5e, 0x20, 0, byte(i)}
		addr := netip.AddrFrom4([4]byte{203, 0, 113, byte(100 + i)})
		m, err := dhcpv4.New(dhcpv4.WithHwAddr(mac), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
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
	close(store.open)
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

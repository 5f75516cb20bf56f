package control

import (
	"context"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
)

// t0 is the tests' "now".
var t0 = time.Date(2026, 3, 1, 14, 2, 11, 0, time.UTC)

var cmpOpts = cmp.Options{cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}, netip.AddrPort{}), cmpopts.EquateEmpty()}

// fakeStatus is a StatusSource with a fixed status.
type fakeStatus struct {
	mu sync.Mutex
	st status.Status
}

func (f *fakeStatus) Status() status.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

// set changes the status the fake reports.
func (f *fakeStatus) set(change func(*status.Status)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.st)
}

var _ StatusSource = (*fakeStatus)(nil)

// fakeLeases is a LeaseSource with fixed leases.
type fakeLeases []leasestore.Lease

func (f fakeLeases) FallbackLeases() []leasestore.Lease { return f }

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// testStatus is a relay with one interface up, one waiting and two helpers.
func testStatus() status.Status {
	return status.Status{
		Interfaces: []status.InterfaceStatus{
			{
				Name: "eth1", State: "up", Index: 3, Address: netip.MustParsePrefix("203.0.113.1/25"), GIAddr: addr("203.0.113.1"),
				Helpers: []netip.Addr{addr("198.51.100.2"), addr("198.51.100.3")}, Option82: true, Policy: "replace",
				CircuitID: "eth1", RemoteID: "\x02\x00\x00\x00\x00\x01",
				Counters: status.InterfaceStats{
					Name: "eth1", RequestsIn: 12, RequestsRelayed: 10, Opt82Inserted: 10, RepliesOut: 9, RepliesBcast: 4, FallbackReplies: 1,
					Drops: map[string]uint64{"max_hops": 1, "untrusted_option82": 1},
				},
			},
			{
				Name: "eth2.20", State: "waiting for link", VLAN: 20, Helpers: []netip.Addr{addr("198.51.100.2")},
				Trusted: true, Policy: "keep", Counters: status.InterfaceStats{Name: "eth2.20", Drops: map[string]uint64{}},
			},
		},
		Helpers: []status.HelperStats{
			{Addr: addr("198.51.100.2"), Sent: 10, Replies: 9},
			{Addr: addr("198.51.100.3"), Sent: 10, SendErrors: 1},
		},
		Global: status.InterfaceStats{Drops: map[string]uint64{"unknown_giaddr": 3}},
	}
}

// testBindings is a table with two live bindings and an expired one.
func testBindings() *bindings.Table {
	tb := bindings.New(0)
	tb.Learn(bindings.Binding{Addr: addr("203.0.113.50"), MAC: []byte{2, 0, 0, 0, 0, 0x50}, ClientID: []byte{1, 2, 0, 0, 0, 0, 0x50},
		Interface: "eth1", Hostname: "pc-50", Expiry: t0.Add(time.Hour)})
	tb.Learn(bindings.Binding{Addr: addr("203.0.113.51"), MAC: []byte{2, 0, 0, 0, 0, 0x51}, Interface: "eth1", VLAN: 0})
	tb.Learn(bindings.Binding{Addr: addr("203.0.113.52"), MAC: []byte{2, 0, 0, 0, 0, 0x52}, Interface: "eth1", Expiry: t0.Add(-time.Second)})
	return tb
}

// startServer runs a server on a socket in a temporary directory until the
// test ends, and returns the socket path.
func startServer(t *testing.T, src Sources, opts Options) (path string, stop func()) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "run", "control.sock")
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0 }
	}
	s := NewServer(path, src, opts)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		cancel()
		t.Fatalf("Run: %v", err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("Run returned %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return path, stop
}

func dial(t *testing.T, path string) *Client {
	t.Helper()
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

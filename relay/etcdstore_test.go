package relay

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/fallback/leasestore/etcdtest"
)

// TestEtcdStoreUnreachableAtStart: a node whose etcd cluster does not
// answer at start relays, shows its fallback scope off with the reason,
// and starts the scope by itself (a timer, no reload) once the cluster
// answers; the scope then learns the leases another node writes to the
// shared store.
func TestEtcdStoreUnreachableAtStart(t *testing.T) {
	dir := t.TempDir()
	kind := config.LeaseStoreEtcd
	cfg := testConfig(t, config.Flags{FallbackPools: []string{"eth1=203.0.113.100-203.0.113.110"},
		LeaseStore: &kind, EtcdEndpoints: []string{etcdtest.Endpoint(dir)}})
	cfg.Interfaces[0].Fallback.ProbeCount = 0
	cfg.Etcd.RequestTimeout, cfg.Etcd.DialTimeout = 300*time.Millisecond, 300*time.Millisecond

	links := ifacetest.NewLinks()
	conns := make(chan *ifacetest.Conn, 1)
	up := newFakeUpstream()
	r := New(cfg, links, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Upstream: up, Listen: listenInto(conns)})
	r.storeRetryEvery = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	links.Set(upstreamLnk, testLink)
	var conn *ifacetest.Conn
	select {
	case conn = <-conns:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for eth1's packet socket")
	}

	if err := conn.Deliver(discoverFrame(t), iface.FrameInfo{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, up.sent, "the relayed DISCOVER")
	const want = "the fallback server failed to start: failed to load the fallback leases of \"eth1\""
	if is := eth1Status(t, r); !strings.HasPrefix(is.FallbackDisabled, want) || !strings.HasSuffix(is.FallbackDisabled, "(retried on a timer)") {
		t.Errorf("eth1's fallback disabled %q; want a reason starting %q, retried", is.FallbackDisabled, want)
	}

	_, stopEtcd := etcdtest.StartIn(t, dir)
	waitUntil(t, 10*time.Second, "the fallback scope served once etcd answers", func() bool {
		return eth1Status(t, r).FallbackDisabled == "" && len(r.Status().Scopes) == 1
	})

	// Another node binds an address in the shared store.
	other, err := leasestore.OpenEtcd(leasestore.EtcdConfig{Endpoints: []string{etcdtest.Endpoint(dir)}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	addr := netip.MustParseAddr("203.0.113.105")
	l := leasestore.Lease{Interface: "eth1", Addr: addr, State: leasestore.StateBound, Expiry: time.Now().Add(time.Hour),
		MAC: net.HardwareAddr{2, 0, 0, 0, 0, 0x42}}
	if err := other.Put(l); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "the other node's lease in this node's table", func() bool {
		for _, got := range r.FallbackLeases() {
			if got.Addr == addr && got.State == leasestore.StateBound {
				return true
			}
		}
		return false
	})

	// The cluster goes away: the next request finds no quorum, and Status
	// says since when.
	if !r.Status().LeaseStore.QuorumLostSince.IsZero() {
		t.Fatal("quorum lost while the cluster answers")
	}
	stopEtcd()
	if _, err := r.storePub.Load().shared.Load("eth1"); !errors.Is(err, leasestore.ErrUnavailable) {
		t.Fatalf("Load without the cluster: %v, want ErrUnavailable", err)
	}
	if ls := r.Status().LeaseStore; ls.Kind != config.LeaseStoreEtcd || ls.QuorumLostSince.IsZero() {
		t.Errorf("Status().LeaseStore = %+v, want etcd with the quorum lost", ls)
	}
}

// waitUntil polls cond until it holds or d passes.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

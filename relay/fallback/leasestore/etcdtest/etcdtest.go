package etcdtest

import (
	"net/url"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// startTimeout bounds the wait for the member to elect itself leader.
const startTimeout = 30 * time.Second

// Start starts a one-member cluster for t and returns its client endpoint
// and a function that stops the member (the cluster is then unreachable);
// the member stops when t ends anyway. It changes t's working directory (etcd
// names a unix peer socket by a path relative to it), so t must not run in
// parallel.
func Start(t testing.TB) (string, func()) {
	t.Helper()
	return StartIn(t, t.TempDir())
}

// Endpoint is the client endpoint of a member StartIn(t, dir) starts, known
// before it runs.
func Endpoint(dir string) string { return "unix://" + dir + "/client.sock" }

// StartIn is Start with the member's sockets and data in dir.
func StartIn(t testing.TB, dir string) (string, func()) {
	t.Helper()
	t.Chdir(dir)
	cfg := embed.NewConfig()
	cfg.Dir = dir + "/data"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	peer := url.URL{Scheme: "unix", Host: "peer.sock"}
	client := url.URL{Scheme: "unix", Host: "client.sock"}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatalf("failed to start the embedded etcd: %v", err)
	}
	var once sync.Once
	stop := func() { once.Do(e.Close) }
	t.Cleanup(stop)
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		t.Fatalf("embedded etcd failed: %v", err)
	case <-time.After(startTimeout):
		t.Fatalf("embedded etcd not ready after %v", startTimeout)
	}
	return Endpoint(dir), stop
}

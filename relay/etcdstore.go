package relay

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
)

// storeRetryEvery is how often the reconcile loop tries again to start
// the fallback servers that could not load their leases from a shared
// store that did not answer (docs/cluster.md).
const storeRetryEvery = 5 * time.Second

// openEtcd opens the shared lease store of cfg.Etcd. It does not wait for
// the cluster: a node started while the cluster does not answer relays,
// and its fallback servers start once their leases load.
func (r *Relay) openEtcd(cfg *config.Config) (leasestore.Store, error) {
	e := cfg.Etcd
	ec := leasestore.EtcdConfig{Endpoints: e.Endpoints, Prefix: e.Prefix, DialTimeout: e.DialTimeout,
		OpTimeout: e.RequestTimeout, Username: e.Username, Log: r.log.With("part", "lease-store"), Now: r.clock.Now}
	if e.PasswordFile != "" {
		pw, err := os.ReadFile(e.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("failed to read the etcd password: %w", err)
		}
		ec.Password = strings.TrimRight(string(pw), "\r\n")
	}
	if e.TLS() {
		t, err := etcdTLS(e)
		if err != nil {
			return nil, err
		}
		ec.TLS = t
	}
	return leasestore.OpenEtcd(ec)
}

// etcdTLS builds the client side of TLS to the etcd members.
func etcdTLS(e *config.Etcd) (*tls.Config, error) {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if e.TLSCert != "" {
		c, err := tls.LoadX509KeyPair(e.TLSCert, e.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("failed to load the etcd client certificate: %w", err)
		}
		t.Certificates = []tls.Certificate{c}
	}
	if e.TLSCA != "" {
		pem, err := os.ReadFile(e.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("failed to read the etcd CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("etcd CA %s holds no PEM certificate", e.TLSCA)
		}
		t.RootCAs = pool
	}
	return t, nil
}

// storeName names the lease store of cfg in logs.
func storeName(cfg *config.Config) string {
	if cfg.Etcd != nil {
		return "etcd " + strings.Join(cfg.Etcd.Endpoints, ",")
	}
	return cfg.LeaseDB
}

// sameEtcd reports whether two etcd: blocks reach the same store the same
// way.
func sameEtcd(a, b *config.Etcd) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.Equal(a.Endpoints, b.Endpoints) && a.Prefix == b.Prefix && a.DialTimeout == b.DialTimeout &&
		a.RequestTimeout == b.RequestTimeout && a.TLSCert == b.TLSCert && a.TLSKey == b.TLSKey &&
		a.TLSCA == b.TLSCA && a.Username == b.Username && a.PasswordFile == b.PasswordFile
}

// subscribe hands a fallback server the leases the other nodes of a
// shared store bind, until the returned stop is called; a store of one
// node has nothing to tell, and stop does nothing.
func (r *Relay) subscribe(name string, apply func(leasestore.Lease)) (stop func()) {
	es, ok := r.store.(*leasestore.EtcdStore)
	if !ok {
		return func() {}
	}
	return es.Subscribe(name, apply)
}

// retryTimer is the reconcile loop's timer for storeRetryEvery.
type retryTimer struct {
	every time.Duration // 0: storeRetryEvery
	t     *time.Timer
}

// after returns a channel that fires storeRetryEvery from now when on,
// and nil (never) otherwise.
func (rt *retryTimer) after(on bool) <-chan time.Time {
	if !on {
		return nil
	}
	if rt.every <= 0 {
		rt.every = storeRetryEvery
	}
	if rt.t == nil {
		rt.t = time.NewTimer(rt.every)
	} else {
		rt.t.Reset(rt.every)
	}
	return rt.t.C
}

func (rt *retryTimer) stop() {
	if rt.t != nil {
		rt.t.Stop()
	}
}

// leaseStorePub is the open lease store as Status reads it.
type leaseStorePub struct {
	kind   string
	shared *leasestore.EtcdStore // nil for a bolt file
}

// publishStore makes the open lease store visible to Status (called on
// Run's goroutine whenever the store may have changed).
func (r *Relay) publishStore() {
	switch s := r.store.(type) {
	case nil:
		r.storePub.Store(nil)
	case *leasestore.EtcdStore:
		r.storePub.Store(&leaseStorePub{kind: config.LeaseStoreEtcd, shared: s})
	default:
		r.storePub.Store(&leaseStorePub{kind: config.LeaseStoreBolt})
	}
}

// leaseStoreStatus returns the lease store's state; it may be called
// concurrently with Run.
func (r *Relay) leaseStoreStatus() status.LeaseStore {
	p := r.storePub.Load()
	if p == nil {
		return status.LeaseStore{}
	}
	out := status.LeaseStore{Kind: p.kind}
	if p.shared != nil {
		out.QuorumLostSince, _ = p.shared.QuorumLostSince()
	}
	return out
}

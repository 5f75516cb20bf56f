package leasestore

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Defaults of EtcdConfig's zero values.
const (
	DefaultEtcdPrefix      = "/iphelper/"
	DefaultEtcdDialTimeout = 5 * time.Second
	// DefaultEtcdOpTimeout bounds one transaction: a node cut off from the
	// quorum fails its writes after this long, and sends no ACK.
	DefaultEtcdOpTimeout = 3 * time.Second
)

// EtcdConfig says how to reach the etcd cluster of a shared store.
type EtcdConfig struct {
	Endpoints   []string
	Prefix      string        // every key starts with it; "" means DefaultEtcdPrefix
	DialTimeout time.Duration // 0: DefaultEtcdDialTimeout
	OpTimeout   time.Duration // 0: DefaultEtcdOpTimeout
	TLS         *tls.Config   // nil: plain connections
	Username    string
	Password    string
	Log         *slog.Logger     // nil discards
	Now         func() time.Time // nil: time.Now; stamps QuorumLostSince
}

// Subscriber is handed the records of one interface that another node (or
// this one, before it learns the write's revision) wrote: every record of
// the interface once, then each change, in revision order. It is called
// from the store's own goroutine, or from Apply after a conflict, with no
// lock of the store held that Apply would need, and must not call the store.
type Subscriber func(Lease)

// EtcdStore is a Store shared by the nodes of a site, on an etcd cluster.
// Every Apply is one etcd transaction that succeeds only when each record
// it replaces is still at the revision the writer expected (Write.Expect):
// an address is bound once, by whichever node commits first, without a
// lock or a leader; the others get a ConflictError and send no ACK. See
// docs/cluster.md. It is safe for concurrent use.
type EtcdStore struct {
	cli     *clientv3.Client
	prefix  string
	timeout time.Duration
	log     *slog.Logger
	now     func() time.Time

	mu        sync.Mutex
	subs      map[string]Subscriber
	lostSince time.Time // zero while the cluster answers
	closed    bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ Store = (*EtcdStore)(nil)

// OpenEtcd connects to the cluster of cfg. It does not wait for it: a node
// started while cut off from the quorum serves nothing from the fallback
// until the cluster answers, and relays meanwhile.
func OpenEtcd(cfg EtcdConfig) (*EtcdStore, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, errors.New("failed to open the etcd lease store: no endpoints")
	}
	s := &EtcdStore{prefix: cfg.Prefix, timeout: cfg.OpTimeout, log: cfg.Log, now: cfg.Now, subs: make(map[string]Subscriber)}
	if s.prefix == "" {
		s.prefix = DefaultEtcdPrefix
	}
	if !strings.HasSuffix(s.prefix, "/") {
		s.prefix += "/"
	}
	if s.timeout <= 0 {
		s.timeout = DefaultEtcdOpTimeout
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	dial := cfg.DialTimeout
	if dial <= 0 {
		dial = DefaultEtcdDialTimeout
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: cfg.Endpoints, DialTimeout: dial, TLS: cfg.TLS,
		Username: cfg.Username, Password: cfg.Password, Logger: zap.NewNop()})
	if err != nil {
		return nil, fmt.Errorf("failed to open the etcd lease store at %v: %w", cfg.Endpoints, err)
	}
	s.cli = cli
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// leaseKey is the key of addr's record on iface.
func (s *EtcdStore) leaseKey(iface string, addr netip.Addr) string {
	return s.prefix + "leases/" + iface + "/" + addr.String()
}

// clientKey is the key of the index entry of l's client: its option 61
// when it sent one, else its chaddr, in hex.
func (s *EtcdStore) clientKey(l Lease) string {
	k := "hw-" + hex.EncodeToString(l.MAC)
	if len(l.ClientID) > 0 {
		k = "id-" + hex.EncodeToString(l.ClientID)
	}
	return s.prefix + "clients/" + l.Interface + "/" + k
}

// addrOfKey returns the address of a record key of iface.
func (s *EtcdStore) addrOfKey(iface string, key []byte) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimPrefix(string(key), s.prefix+"leases/"+iface+"/"))
	return a, err == nil && a.Is4()
}

// decodeKV decodes the record stored under key, of iface.
func (s *EtcdStore) decodeKV(iface string, key, value []byte, rev int64) (Lease, error) {
	a, ok := s.addrOfKey(iface, key)
	if !ok {
		return Lease{}, fmt.Errorf("%w: key %q", ErrCorruptRecord, key)
	}
	b := a.As4()
	l, err := decodeLease(iface, b[:], value)
	l.Rev = rev
	return l, err
}

// Load implements Store: a linearizable read of iface's records, each with
// its revision (Lease.Rev).
func (s *EtcdStore) Load(iface string) ([]Lease, error) {
	ctx, cancel := s.opContext()
	defer cancel()
	resp, err := s.cli.Get(ctx, s.prefix+"leases/"+iface+"/", clientv3.WithPrefix())
	if err = s.noteResult(err); err != nil {
		return nil, fmt.Errorf("failed to load the leases of %q from etcd: %w", iface, err)
	}
	var (
		out []Lease
		bad []error
	)
	for _, kv := range resp.Kvs {
		l, err := s.decodeKV(iface, kv.Key, kv.Value, kv.ModRevision)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Lease) int { return a.Addr.Compare(b.Addr) })
	if len(bad) > 0 {
		return out, fmt.Errorf("skipped %d records of %q in etcd: %w", len(bad), iface, errors.Join(bad...))
	}
	return out, nil
}

// Put implements Store; the record must be absent (Expect 0).
func (s *EtcdStore) Put(l Lease) error { return s.Apply([]Write{PutWrite(l)}) }

// Delete implements Store; it removes the record whatever its revision.
func (s *EtcdStore) Delete(iface string, addr netip.Addr) error {
	ctx, cancel := s.opContext()
	defer cancel()
	_, err := s.cli.Delete(ctx, s.leaseKey(iface, addr))
	if err = s.noteResult(err); err != nil {
		return fmt.Errorf("failed to delete the lease of %v on %q in etcd: %w", addr, iface, err)
	}
	return nil
}

// Apply implements Store: one etcd transaction for the whole batch, so it
// is durable on a quorum of the members when Apply returns nil. Each
// record written must still be at its Write.Expect revision; if some are
// not, nothing is written, the error is a *ConflictError naming them, and
// the current records of those addresses go to the interface's
// Subscriber. Apply's error wraps ErrUnavailable when the cluster did not
// answer within the operation timeout.
func (s *EtcdStore) Apply(ws []Write) error {
	_, err := s.ApplyRev(ws)
	return err
}

// ApplyRev is Apply that also returns the revision of the transaction:
// every record the batch wrote has it as its Rev from then on.
func (s *EtcdStore) ApplyRev(ws []Write) (int64, error) {
	if len(ws) == 0 {
		return 0, nil
	}
	t, err := s.buildTxn(ws)
	if err != nil {
		return 0, err
	}
	ctx, cancel := s.opContext()
	defer cancel()
	resp, err := s.cli.Txn(ctx).If(t.cmps...).Then(t.ops...).Else(t.gets...).Commit()
	if err = s.noteResult(err); err != nil {
		return 0, fmt.Errorf("failed to write %d lease records (first %v on %q) to etcd: %w", len(ws), ws[0].Lease.Addr, ws[0].Lease.Interface, err)
	}
	if resp.Succeeded {
		return resp.Header.Revision, nil
	}
	return 0, s.conflicts(ws, t, resp)
}

// txn is an Apply batch as an etcd transaction: one compare and one write
// per distinct record (the last write of a record wins, compared at the
// first one's Expect), the client index entries, and the reads that tell,
// on a conflict, which records changed.
type txn struct {
	keys  []string          // the distinct records, in the batch's order
	first map[string]int    // key → index in ws of its first write
	iface map[string]string // key → interface
	cmps  []clientv3.Cmp
	ops   []clientv3.Op
	gets  []clientv3.Op
}

func (s *EtcdStore) buildTxn(ws []Write) (*txn, error) {
	t := &txn{first: make(map[string]int), iface: make(map[string]string)}
	last := make(map[string]clientv3.Op)
	index := make(map[string]string)
	for i, w := range ws {
		if err := w.check(); err != nil {
			return nil, fmt.Errorf("failed to store lease: %w", err)
		}
		k := s.leaseKey(w.Lease.Interface, w.Lease.Addr)
		if _, seen := t.first[k]; !seen {
			t.first[k], t.iface[k] = i, w.Lease.Interface
			t.keys = append(t.keys, k)
			t.cmps = append(t.cmps, clientv3.Compare(clientv3.ModRevision(k), "=", w.Expect))
			t.gets = append(t.gets, clientv3.OpGet(k))
		}
		if w.Delete {
			last[k] = clientv3.OpDelete(k)
			continue
		}
		v, err := encodeLease(w.Lease)
		if err != nil {
			return nil, err
		}
		last[k] = clientv3.OpPut(k, string(v))
		if len(w.Lease.ClientID) > 0 || len(w.Lease.MAC) > 0 {
			index[s.clientKey(w.Lease)] = w.Lease.Addr.String()
		}
	}
	for _, k := range t.keys {
		t.ops = append(t.ops, last[k])
	}
	for k, v := range index {
		t.ops = append(t.ops, clientv3.OpPut(k, v))
	}
	return t, nil
}

// conflicts reads the failed transaction's Else answers: the records whose
// revision is not the one expected go to their subscribers, and their
// writes into the ConflictError.
func (s *EtcdStore) conflicts(ws []Write, t *txn, resp *clientv3.TxnResponse) error {
	ce := &ConflictError{}
	for i, k := range t.keys {
		rr := resp.Responses[i].GetResponseRange()
		cur := Lease{Interface: t.iface[k], Addr: ws[t.first[k]].Lease.Addr, Deleted: true}
		if rr != nil && len(rr.Kvs) == 1 {
			l, err := s.decodeKV(t.iface[k], rr.Kvs[0].Key, rr.Kvs[0].Value, rr.Kvs[0].ModRevision)
			if err != nil {
				l = Lease{Interface: cur.Interface, Addr: cur.Addr, State: StateDeclined, Rev: rr.Kvs[0].ModRevision}
			}
			cur = l
		}
		if cur.Rev == ws[t.first[k]].Expect {
			continue
		}
		for j, w := range ws {
			if s.leaseKey(w.Lease.Interface, w.Lease.Addr) == k {
				ce.Index = append(ce.Index, j)
			}
		}
		s.deliver(cur)
	}
	slices.Sort(ce.Index)
	return ce
}

// deliver hands l to its interface's subscriber, if any.
func (s *EtcdStore) deliver(l Lease) {
	s.mu.Lock()
	fn := s.subs[l.Interface]
	s.mu.Unlock()
	if fn != nil {
		fn(l)
	}
}

// metaKey is the key of a PutMeta value.
func (s *EtcdStore) metaKey(key string) string { return s.prefix + "meta/" + key }

// GetMeta implements Store.
func (s *EtcdStore) GetMeta(key string) ([]byte, error) {
	ctx, cancel := s.opContext()
	defer cancel()
	resp, err := s.cli.Get(ctx, s.metaKey(key))
	if err = s.noteResult(err); err != nil {
		return nil, fmt.Errorf("failed to read %q from etcd: %w", key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, nil
	}
	return resp.Kvs[0].Value, nil
}

// PutMeta implements Store.
func (s *EtcdStore) PutMeta(key string, value []byte) error {
	ctx, cancel := s.opContext()
	defer cancel()
	_, err := s.cli.Put(ctx, s.metaKey(key), string(value))
	if err = s.noteResult(err); err != nil {
		return fmt.Errorf("failed to write %q to etcd: %w", key, err)
	}
	return nil
}

// Close implements Store: it stops the watches and the connection. It is
// idempotent.
func (s *EtcdStore) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.subs = make(map[string]Subscriber)
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	if err := s.cli.Close(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("failed to close the etcd lease store: %w", err)
	}
	return nil
}

// QuorumLostSince returns when the cluster stopped answering this node's
// requests in time, and false while it answers.
func (s *EtcdStore) QuorumLostSince() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lostSince, !s.lostSince.IsZero()
}

// opContext bounds one request to the cluster.
func (s *EtcdStore) opContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, s.timeout)
}

// noteResult records whether the cluster answered: a request that timed
// out or found no leader marks the quorum lost (logged once), any answer
// marks it back. It returns err, wrapped with ErrUnavailable when the
// cluster did not answer, and ErrClosed after Close.
func (s *EtcdStore) noteResult(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	unavailable := err != nil && (errors.Is(err, context.DeadlineExceeded) || isNoLeader(err))
	switch {
	case unavailable && s.lostSince.IsZero():
		s.lostSince = s.now()
		s.log.Error("lease store: quorum lost; no fallback lease is acknowledged until it is back", "err", err)
	case err == nil && !s.lostSince.IsZero():
		s.log.Info("lease store: quorum back", "lost_for", s.now().Sub(s.lostSince).Round(time.Second))
		s.lostSince = time.Time{}
	}
	if unavailable {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// isNoLeader reports an etcd error that says the member has no leader.
func isNoLeader(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "no leader") || strings.Contains(msg, "leader changed")
}

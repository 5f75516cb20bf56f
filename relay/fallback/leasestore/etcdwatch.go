package leasestore

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// watchRetry is how long a watch that failed waits before it starts again.
const watchRetry = time.Second

// Subscribe hands fn every record of iface, then every change to them, in
// revision order, until the returned stop is called or the store is
// closed; a second Subscribe for iface replaces the first. This is how a
// node learns the leases the other nodes bind: its server puts them in its
// table, and no longer offers their addresses. When the cluster cannot be
// reached, the watch starts again where it left off once it can; after a
// compaction of the history it missed, it reads every record again.
func (s *EtcdStore) Subscribe(iface string, fn Subscriber) (stop func()) {
	ctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		return func() {}
	}
	s.subs[iface] = fn
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		s.watchLoop(ctx, iface, fn)
	}()
	return func() {
		cancel()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.subs[iface] != nil && ctx.Err() != nil {
			delete(s.subs, iface)
		}
	}
}

// watchLoop feeds fn until ctx ends: a full read, then the changes from
// the revision after it.
func (s *EtcdStore) watchLoop(ctx context.Context, iface string, fn Subscriber) {
	var next int64 // 0: read everything first
	for ctx.Err() == nil {
		if next == 0 {
			rev, err := s.readAll(ctx, iface, fn)
			if err != nil {
				s.log.Debug("lease store: reading the records failed; retrying", "iface", iface, "err", err)
				sleepCtx(ctx, watchRetry)
				continue
			}
			next = rev + 1
		}
		next = s.watchFrom(ctx, iface, fn, next)
		sleepCtx(ctx, watchRetry)
	}
}

// readAll hands fn every record of iface and returns the read's revision.
func (s *EtcdStore) readAll(ctx context.Context, iface string, fn Subscriber) (int64, error) {
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	resp, err := s.cli.Get(rctx, s.prefix+"leases/"+iface+"/", clientv3.WithPrefix())
	if err := s.noteResult(err); err != nil {
		return 0, err
	}
	for _, kv := range resp.Kvs {
		if l, err := s.decodeKV(iface, kv.Key, kv.Value, kv.ModRevision); err == nil {
			fn(l)
		}
	}
	return resp.Header.Revision, nil
}

// watchFrom hands fn the changes of iface's records from revision rev on,
// until the watch ends; it returns the revision to resume from, 0 when the
// history was compacted.
func (s *EtcdStore) watchFrom(ctx context.Context, iface string, fn Subscriber, rev int64) int64 {
	prefix := s.prefix + "leases/" + iface + "/"
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	for wr := range s.cli.Watch(wctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(rev)) {
		if wr.CompactRevision != 0 {
			return 0
		}
		if err := wr.Err(); err != nil {
			s.log.Debug("lease store: watch ended; resuming", "iface", iface, "err", err)
			return rev
		}
		for _, ev := range wr.Events {
			l := Lease{Interface: iface, Deleted: true, Rev: ev.Kv.ModRevision}
			if ev.Type == clientv3.EventTypePut {
				var err error
				if l, err = s.decodeKV(iface, ev.Kv.Key, ev.Kv.Value, ev.Kv.ModRevision); err != nil {
					continue
				}
			} else if a, ok := s.addrOfKey(iface, ev.Kv.Key); ok {
				l.Addr = a
			} else {
				continue
			}
			fn(l)
			rev = ev.Kv.ModRevision + 1
		}
	}
	return rev
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

package leasestore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long OpenBolt waits for the database's file lock
// when it is handed a timeout of 0 or less. bbolt itself would wait forever.
const DefaultLockTimeout = time.Second

// BoltStore is the durable Store: one bbolt file, one bucket per interface.
// It is safe for concurrent use.
type BoltStore struct {
	path string

	mu sync.RWMutex // guards db against Close
	db *bolt.DB     // nil once closed
}

var _ Store = (*BoltStore)(nil)

// OpenBolt opens (creating it, mode 0600, and its parent directory, mode
// 0750, when missing) the lease database at path. If another process holds
// the database, OpenBolt gives up after timeout (DefaultLockTimeout when
// timeout <= 0) with an error wrapping ErrLocked.
func OpenBolt(path string, timeout time.Duration) (*BoltStore, error) {
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("failed to create the lease database directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("failed to open lease database %q: %w (gave up after %v)", path, ErrLocked, timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to open lease database %q: %w", path, err)
	}
	return &BoltStore{path: path, db: db}, nil
}

// Path returns the database file's path.
func (s *BoltStore) Path() string { return s.path }

// Load implements Store.
func (s *BoltStore) Load(iface string) ([]Lease, error) {
	var (
		leases []Lease
		bad    []error
	)
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(iface))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			l, err := decodeLease(iface, k, v)
			if err != nil {
				bad = append(bad, err)
				return nil
			}
			leases = append(leases, l.Clone()) // k and v die with tx
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("failed to load the leases of %q from %q: %w", iface, s.path, err)
	}
	if len(bad) > 0 {
		return leases, fmt.Errorf("skipped %d records of %q in %q: %w", len(bad), iface, s.path, errors.Join(bad...))
	}
	return leases, nil
}

// Put implements Store: one fsynced transaction.
func (s *BoltStore) Put(l Lease) error {
	return s.Apply([]Write{PutWrite(l)})
}

// Delete implements Store: one fsynced transaction.
func (s *BoltStore) Delete(iface string, addr netip.Addr) error {
	return s.Apply([]Write{DeleteWrite(iface, addr)})
}

// Apply implements Store: one bbolt transaction, so one fsync for the whole
// batch, whatever its length. This is the group commit of the fallback
// server: the cost of a flush to disk is shared by every lease written while
// the previous flush ran.
func (s *BoltStore) Apply(ws []Write) error {
	if len(ws) == 0 {
		return nil
	}
	vals := make([][]byte, len(ws))
	for i, w := range ws {
		if err := w.check(); err != nil {
			return fmt.Errorf("failed to store lease: %w", err)
		}
		if w.Delete {
			continue
		}
		v, err := encodeLease(w.Lease)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	err := s.update(func(tx *bolt.Tx) error {
		for i, w := range ws {
			if w.Delete {
				if b := tx.Bucket([]byte(w.Lease.Interface)); b != nil {
					if err := b.Delete(addrKey(w.Lease.Addr)); err != nil {
						return err
					}
				}
				continue
			}
			b, err := tx.CreateBucketIfNotExists([]byte(w.Lease.Interface))
			if err != nil {
				return err
			}
			if err := b.Put(addrKey(w.Lease.Addr), vals[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to write %d lease records (first %v on %q) in %q: %w", len(ws), ws[0].Lease.Addr, ws[0].Lease.Interface, s.path, err)
	}
	return nil
}

// metaBucket holds the store's metadata. Its name has a '/', which no
// interface name can have, so it never meets an interface's bucket.
var metaBucket = []byte("meta/")

// GetMeta implements Store.
func (s *BoltStore) GetMeta(key string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(metaBucket); b != nil {
			if v := b.Get([]byte(key)); v != nil {
				out = append([]byte(nil), v...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to read %q from lease database %q: %w", key, s.path, err)
	}
	return out, nil
}

// PutMeta implements Store.
func (s *BoltStore) PutMeta(key string, value []byte) error {
	err := s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), value)
	})
	if err != nil {
		return fmt.Errorf("failed to write %q to lease database %q: %w", key, s.path, err)
	}
	return nil
}

// Close implements Store: it releases the file lock. It is idempotent.
func (s *BoltStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("failed to close lease database %q: %w", s.path, err)
	}
	return nil
}

func (s *BoltStore) view(fn func(*bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return ErrClosed
	}
	return s.db.View(fn)
}

func (s *BoltStore) update(fn func(*bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return ErrClosed
	}
	return s.db.Update(fn)
}

// bindingsBucket holds the relay's binding table (relay/bindings), saved
// whole. Like metaBucket, its '/' keeps it apart from the interfaces.
var bindingsBucket = []byte("bindings/")

// LoadBindings returns the records ReplaceBindings saved last, in order.
func (s *BoltStore) LoadBindings() ([][]byte, error) {
	var out [][]byte
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bindingsBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			out = append(out, append([]byte(nil), v...)) // v dies with tx
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("failed to load the saved bindings from %q: %w", s.path, err)
	}
	return out, nil
}

// ReplaceBindings saves recs as the binding table, replacing what was
// saved before, in one fsynced transaction.
func (s *BoltStore) ReplaceBindings(recs [][]byte) error {
	err := s.update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bindingsBucket); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		b, err := tx.CreateBucket(bindingsBucket)
		if err != nil {
			return err
		}
		key := make([]byte, 4)
		for i, r := range recs {
			binary.BigEndian.PutUint32(key, uint32(i))
			if err := b.Put(key, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to save %d bindings in %q: %w", len(recs), s.path, err)
	}
	return nil
}

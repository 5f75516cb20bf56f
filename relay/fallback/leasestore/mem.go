package leasestore

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"
)

// MemStore is a Store in memory, for tests: it keeps records only as long as
// the value lives, and it is safe for concurrent use. The zero value is not
// usable; call NewMemStore.
type MemStore struct {
	mu     sync.Mutex
	ifaces map[string]map[netip.Addr]Lease
	meta   map[string][]byte
	closed bool
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{ifaces: make(map[string]map[netip.Addr]Lease)}
}

// Load implements Store.
func (m *MemStore) Load(iface string) ([]Lease, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	var out []Lease
	for _, l := range m.ifaces[iface] {
		out = append(out, l.Clone())
	}
	slices.SortFunc(out, func(a, b Lease) int { return a.Addr.Compare(b.Addr) })
	return out, nil
}

// Put implements Store.
func (m *MemStore) Put(l Lease) error { return m.Apply([]Write{PutWrite(l)}) }

// Delete implements Store.
func (m *MemStore) Delete(iface string, addr netip.Addr) error {
	return m.Apply([]Write{DeleteWrite(iface, addr)})
}

// Apply implements Store: all of ws or, on an invalid write, none.
func (m *MemStore) Apply(ws []Write) error {
	for _, w := range ws {
		if err := w.check(); err != nil {
			return fmt.Errorf("failed to store lease: %w", err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for _, w := range ws {
		l := w.Lease
		if w.Delete {
			delete(m.ifaces[l.Interface], l.Addr)
			continue
		}
		recs := m.ifaces[l.Interface]
		if recs == nil {
			recs = make(map[netip.Addr]Lease)
			m.ifaces[l.Interface] = recs
		}
		recs[l.Addr] = l.Clone()
	}
	return nil
}

// GetMeta implements Store.
func (m *MemStore) GetMeta(key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	return slices.Clone(m.meta[key]), nil
}

// PutMeta implements Store.
func (m *MemStore) PutMeta(key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if m.meta == nil {
		m.meta = make(map[string][]byte)
	}
	m.meta[key] = slices.Clone(value)
	return nil
}

// Close implements Store; the records stay readable through Snapshot.
func (m *MemStore) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// Snapshot returns the record of addr on iface, and whether there is one.
func (m *MemStore) Snapshot(iface string, addr netip.Addr) (Lease, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.ifaces[iface][addr]
	return l.Clone(), ok
}

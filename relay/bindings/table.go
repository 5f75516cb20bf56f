package bindings

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"sync"
)

// DefaultCapacity is the number of bindings a table holds unless told
// otherwise: a large site's worth of clients, about 32 MB of memory when
// full.
const DefaultCapacity = 100_000

// Stats are a table's counters since it was made.
type Stats struct {
	Entries   int    // bindings held now, expired ones included until swept
	Learned   uint64 // ACKs learned (new bindings and renewals)
	Evicted   uint64 // bindings dropped to make room because the table was full
	Expired   uint64 // bindings removed by Sweep because their lease ended
	Forgotten uint64 // bindings removed by a NAK, RELEASE or DECLINE
}

// Table is a bounded binding table. All methods are safe for concurrent
// use. The zero value is not usable: make one with New.
type Table struct {
	mu       sync.Mutex
	capacity int
	byAddr   map[netip.Addr]*entry
	byClient map[clientKey]*entry // the latest binding of a MAC on an interface
	heap     expiryHeap
	stats    Stats
	version  uint64 // moves on every change (Version)
}

// New returns an empty table that holds at most capacity bindings;
// capacity <= 0 means DefaultCapacity.
func New(capacity int) *Table {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Table{capacity: capacity, byAddr: make(map[netip.Addr]*entry), byClient: make(map[clientKey]*entry)}
}

// Learn records b, replacing the binding of the same address. A client
// that gets a new address on the same interface with the same client-id
// loses its old binding. When the table is full, the binding that expires
// first is evicted. It reports false, and does nothing, when b.Addr is not
// a unicast IPv4 address. Learn takes ownership of b's slices. It allocates
// only for an address not yet in the table.
func (t *Table) Learn(b Binding) bool {
	if !b.Addr.Is4() || b.Addr.IsUnspecified() || b.Addr.IsMulticast() || b.Addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return false
	}
	key := keyOf(b.MAC, b.Interface)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Learned++
	t.version++
	if old := t.byClient[key]; old != nil && old.b.Addr != b.Addr && bytes.Equal(old.b.ClientID, b.ClientID) {
		t.removeLocked(old) // the client moved to a new address on this segment
	}
	if e := t.byAddr[b.Addr]; e != nil {
		if e.key != key && t.byClient[e.key] == e {
			delete(t.byClient, e.key)
		}
		e.b, e.key = b, key
		t.heap.update(e.idx)
		t.byClient[key] = e
		return true
	}
	if len(t.byAddr) >= t.capacity {
		t.heap.settle()
		t.removeLocked(t.heap[0])
		t.stats.Evicted++
	}
	e := &entry{b: b, key: key}
	t.byAddr[b.Addr] = e
	t.byClient[key] = e
	t.heap.push(e)
	return true
}

// removeLocked takes e out of every index; t.mu must be held.
func (t *Table) removeLocked(e *entry) {
	t.version++
	delete(t.byAddr, e.b.Addr)
	if t.byClient[e.key] == e {
		delete(t.byClient, e.key)
	}
	t.heap.remove(e.idx)
}

// Forget removes the binding of addr, if any, and reports whether there
// was one.
func (t *Table) Forget(addr netip.Addr) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byAddr[addr]
	if e == nil {
		return false
	}
	t.removeLocked(e)
	t.stats.Forgotten++
	return true
}

// Release removes the binding of addr only when it belongs to mac: a
// RELEASE or DECLINE from another host must not erase someone else's
// binding. It reports whether a binding was removed.
func (t *Table) Release(addr netip.Addr, mac net.HardwareAddr) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byAddr[addr]
	if e == nil || !bytes.Equal(e.b.MAC, mac) {
		return false
	}
	t.removeLocked(e)
	t.stats.Forgotten++
	return true
}

// ForgetClient removes the latest binding of mac on iface (after a DHCPNAK
// to that client), and reports whether there was one.
func (t *Table) ForgetClient(iface string, mac net.HardwareAddr) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byClient[keyOf(mac, iface)]
	if e == nil {
		return false
	}
	t.removeLocked(e)
	t.stats.Forgotten++
	return true
}

// Stats returns the table's counters.
func (t *Table) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stats
	s.Entries = len(t.byAddr)
	return s
}

// sortByAddr orders bindings by address.
func sortByAddr(bs []Binding) {
	slices.SortFunc(bs, func(a, b Binding) int { return a.Addr.Compare(b.Addr) })
}

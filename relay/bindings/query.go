package bindings

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Query selects bindings by address or by MAC; the zero Query selects
// every binding.
type Query struct {
	Addr netip.Addr       // when valid: only the binding of this address
	MAC  net.HardwareAddr // when not empty: only the bindings of this MAC
}

// ParseQuery parses what an operator types after `show bindings`: an IPv4
// address, a MAC address in any form net.ParseMAC accepts, or nothing.
func ParseQuery(s string) (Query, error) {
	if s == "" {
		return Query{}, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if !a.Is4() {
			return Query{}, fmt.Errorf("bad binding query %q: not an IPv4 address", s)
		}
		return Query{Addr: a}, nil
	}
	if mac, err := net.ParseMAC(s); err == nil {
		return Query{MAC: mac}, nil
	}
	return Query{}, fmt.Errorf("bad binding query %q: neither an IPv4 address nor a MAC address", s)
}

func (q Query) matches(b Binding) bool {
	if q.Addr.IsValid() && b.Addr != q.Addr {
		return false
	}
	return len(q.MAC) == 0 || bytes.Equal(b.MAC, q.MAC)
}

// Lookup returns the binding of addr unless it has expired at now.
func (t *Table) Lookup(addr netip.Addr, now time.Time) (Binding, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byAddr[addr]
	if e == nil || e.b.Expired(now) {
		return Binding{}, false
	}
	return e.b, true
}

// List returns every binding that has not expired at now, ordered by
// address.
func (t *Table) List(now time.Time) []Binding { return t.Select(now, Query{}) }

// Select returns the bindings that q selects and that have not expired at
// now, ordered by address. A query by address is a map lookup; one by MAC
// walks the table.
func (t *Table) Select(now time.Time, q Query) []Binding {
	if q.Addr.IsValid() {
		b, ok := t.Lookup(q.Addr, now)
		if !ok || !q.matches(b) {
			return nil
		}
		return []Binding{b}
	}
	t.mu.Lock()
	out := make([]Binding, 0, min(len(t.byAddr), 1024))
	for _, e := range t.byAddr {
		if !e.b.Expired(now) && q.matches(e.b) {
			out = append(out, e.b)
		}
	}
	t.mu.Unlock()
	sortByAddr(out)
	return out
}

// Sweep removes every binding that has expired at now and returns how
// many it removed.
func (t *Table) Sweep(now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for t.heap.settle(); len(t.heap) > 0 && t.heap[0].b.Expired(now); t.heap.settle() {
		t.removeLocked(t.heap[0])
		n++
	}
	t.stats.Expired += uint64(n)
	return n
}

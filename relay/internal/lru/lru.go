// Package lru is a bounded recency list keyed by a comparable key: an
// array of slots linked oldest to newest by index, unused slots on a free
// list, and a map from key to slot. It allocates only while it grows
// towards its bound (and not at all when the space is reserved up front):
// a full list reuses its slots, so the relay's per-packet paths can keep
// one without allocating.
//
// The rate limiter's client table (relay/ratelimit) and the health
// tracker's pending transactions (relay/health) each keep one. It lives
// under relay/internal: it is a tool of the relay's packages, not an API.
package lru

// Ref names a slot of a List. It is valid until the entry is removed.
type Ref int32

// none marks the end of a list.
const none Ref = -1

// slot is one entry, or an unused slot on the free list (next only).
type slot[K comparable, V any] struct {
	key        K
	val        V
	prev, next Ref
}

// List holds at most Max entries ordered from the oldest (least recently
// pushed or touched) to the newest. It is not safe for concurrent use.
type List[K comparable, V any] struct {
	slots      []slot[K, V]
	index      map[K]Ref
	head, tail Ref // oldest and newest, or none
	free       Ref // first slot on the free list, or none
	max        int
}

// New returns an empty list for at most max entries (max ≥ 1). reserve
// slots (at most max) are allocated now, with the map sized for them; the
// rest as the list grows.
func New[K comparable, V any](max, reserve int) *List[K, V] {
	reserve = min(reserve, max)
	return &List[K, V]{
		slots: make([]slot[K, V], 0, reserve),
		index: make(map[K]Ref, reserve),
		head:  none, tail: none, free: none,
		max: max,
	}
}

// Len returns the number of entries.
func (l *List[K, V]) Len() int { return len(l.index) }

// Full reports whether the list holds Max entries: Push needs a Remove
// first.
func (l *List[K, V]) Full() bool { return len(l.index) >= l.max }

// Get returns the slot of k, if the list holds it. It does not change the
// order.
func (l *List[K, V]) Get(k K) (Ref, bool) {
	r, ok := l.index[k]
	return r, ok
}

// Key returns the key in slot r.
func (l *List[K, V]) Key(r Ref) K { return l.slots[r].key }

// Value returns the value in slot r, for reading or changing in place.
func (l *List[K, V]) Value(r Ref) *V { return &l.slots[r].val }

// Oldest returns the slot of the oldest entry, if there is one.
func (l *List[K, V]) Oldest() (Ref, bool) { return l.head, l.head != none }

// Push adds k with v as the newest entry and returns its slot. The list
// must not be full nor hold k.
func (l *List[K, V]) Push(k K, v V) Ref {
	r := l.free
	if r != none {
		l.free = l.slots[r].next
	} else {
		l.slots = append(l.slots, slot[K, V]{})
		r = Ref(len(l.slots) - 1)
	}
	l.slots[r] = slot[K, V]{key: k, val: v, prev: none, next: none}
	l.index[k] = r
	l.append(r)
	return r
}

// Touch makes slot r the newest.
func (l *List[K, V]) Touch(r Ref) {
	if l.tail == r {
		return
	}
	l.unlink(r)
	l.append(r)
}

// Remove takes slot r out of the list; the slot goes to the free list.
func (l *List[K, V]) Remove(r Ref) {
	l.unlink(r)
	delete(l.index, l.slots[r].key)
	l.slots[r] = slot[K, V]{prev: none, next: l.free}
	l.free = r
}

// append links the unlinked slot r as the newest.
func (l *List[K, V]) append(r Ref) {
	s := &l.slots[r]
	s.prev, s.next = l.tail, none
	if l.tail != none {
		l.slots[l.tail].next = r
	} else {
		l.head = r
	}
	l.tail = r
}

// unlink takes slot r out of the order.
func (l *List[K, V]) unlink(r Ref) {
	s := &l.slots[r]
	if s.prev != none {
		l.slots[s.prev].next = s.next
	} else {
		l.head = s.next
	}
	if s.next != none {
		l.slots[s.next].prev = s.prev
	} else {
		l.tail = s.prev
	}
	s.prev, s.next = none, none
}

package health

import "time"

// pending is the set of forwarded transactions awaiting a reply: a fixed
// array of slots, linked in the order they were forwarded (oldest first,
// for expiry and eviction), with the unused slots on a free list, and a
// map from key to slot pre-sized to the capacity. Nothing is allocated
// after newPending. It is not safe for concurrent use; Tracker guards it.
type pending struct {
	slots      []slot
	index      map[Txn]int32
	head, tail int32 // oldest and newest in use, or none
	free       int32 // first unused slot, or none
}

// none marks the end of a list.
const none = -1

// slot is one forwarded transaction, or an unused slot.
type slot struct {
	key        Txn
	sent       time.Time
	prev, next int32
}

// newPending returns an empty set for up to capacity transactions.
func newPending(capacity int) *pending {
	p := &pending{
		slots: make([]slot, capacity),
		index: make(map[Txn]int32, capacity),
		head:  none,
		tail:  none,
	}
	for i := range p.slots {
		p.slots[i].next = int32(i + 1)
	}
	p.slots[capacity-1].next = none
	p.free = 0
	return p
}

// len returns the number of transactions in the set.
func (p *pending) len() int { return len(p.index) }

// full reports whether the set has no unused slot.
func (p *pending) full() bool { return p.free == none }

// lookup returns the slot of k.
func (p *pending) lookup(k Txn) (int32, bool) {
	i, ok := p.index[k]
	return i, ok
}

// add appends k, sent at sent, as the newest; the set must not be full
// nor hold k.
func (p *pending) add(k Txn, sent time.Time) {
	i := p.free
	s := &p.slots[i]
	p.free = s.next
	*s = slot{key: k, sent: sent, prev: p.tail, next: none}
	if p.tail != none {
		p.slots[p.tail].next = i
	} else {
		p.head = i
	}
	p.tail = i
	p.index[k] = i
}

// oldest returns the slot of the oldest transaction.
func (p *pending) oldest() (*slot, bool) {
	if p.head == none {
		return nil, false
	}
	return &p.slots[p.head], true
}

// remove takes slot i out of the set and returns it to the free list.
func (p *pending) remove(i int32) {
	s := &p.slots[i]
	if s.prev != none {
		p.slots[s.prev].next = s.next
	} else {
		p.head = s.next
	}
	if s.next != none {
		p.slots[s.next].prev = s.prev
	} else {
		p.tail = s.prev
	}
	delete(p.index, s.key)
	*s = slot{next: p.free}
	p.free = i
}

package ratelimit

// none marks the end of the recency list.
const none = -1

// entry is one client's bucket and its place in the recency list.
type entry struct {
	tat        int64 // the bucket (see limit.conform)
	prev, next int32 // neighbours in the recency list, or none
	mac        [6]byte
}

// table maps client MACs to buckets, holding at most max of them; the
// least recently used one makes room for a new MAC. Slots are allocated as
// the table grows and reused once it is full, so a full table allocates
// nothing. It is not safe for concurrent use.
type table struct {
	index      map[[6]byte]int32
	entries    []entry
	head, tail int32 // most and least recently used, or none
	max        int
}

// newTable returns an empty table for at most max clients.
func newTable(max int) *table {
	return &table{index: make(map[[6]byte]int32), head: none, tail: none, max: max}
}

// lookup returns the slot of mac, if it has one.
func (t *table) lookup(mac [6]byte) (int32, bool) {
	i, ok := t.index[mac]
	return i, ok
}

// insert gives mac a slot holding tat and makes it the most recent. When
// the table is full it reuses the least recently used slot and returns the
// evicted entry's bucket, with evicted true.
func (t *table) insert(mac [6]byte, tat int64) (old int64, evicted bool) {
	var i int32
	if len(t.entries) < t.max {
		t.entries = append(t.entries, entry{})
		i = int32(len(t.entries) - 1)
	} else {
		i = t.tail
		old, evicted = t.entries[i].tat, true
		t.unlink(i)
		delete(t.index, t.entries[i].mac)
	}
	t.entries[i] = entry{tat: tat, prev: none, next: none, mac: mac}
	t.index[mac] = i
	t.pushFront(i)
	return old, evicted
}

// touch makes slot i the most recent.
func (t *table) touch(i int32) {
	if t.head == i {
		return
	}
	t.unlink(i)
	t.pushFront(i)
}

// unlink takes slot i out of the recency list.
func (t *table) unlink(i int32) {
	e := &t.entries[i]
	if e.prev != none {
		t.entries[e.prev].next = e.next
	} else {
		t.head = e.next
	}
	if e.next != none {
		t.entries[e.next].prev = e.prev
	} else {
		t.tail = e.prev
	}
	e.prev, e.next = none, none
}

// pushFront makes the unlinked slot i the most recent.
func (t *table) pushFront(i int32) {
	e := &t.entries[i]
	e.prev, e.next = none, t.head
	if t.head != none {
		t.entries[t.head].prev = i
	}
	t.head = i
	if t.tail == none {
		t.tail = i
	}
}

// len returns the number of clients held.
func (t *table) len() int { return len(t.entries) }

package bindings

import "time"

// entry is one binding in the table, with its position in the expiry heap.
type entry struct {
	b   Binding
	key clientKey
	idx int       // index in expiryHeap
	at  time.Time // the expiry the heap orders it by: never after b.Expiry
}

// expiryHeap is a min-heap of entries by expiry (infinite leases last), so
// that both eviction and sweeping take the binding that ends first. It
// keeps each entry's idx up to date.
//
// It is lazy about renewals, the table's commonest change: an entry whose
// lease moves later keeps its place (its key, at, stays the earlier
// expiry), and is moved down only when it reaches the top (settle). A
// renewal thus costs no heap work; sifting it down at once measured 1-2 µs
// per relayed ACK, with scattered entries, at 8,000 DORA/s.
type expiryHeap []*entry

func (h expiryHeap) less(i, j int) bool { return expiresBefore(h[i].at, h[j].at) }

func (h expiryHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}

func (h *expiryHeap) push(e *entry) {
	e.at = e.b.Expiry
	e.idx = len(*h)
	*h = append(*h, e)
	h.up(e.idx)
}

// remove takes the entry at index i out of the heap.
func (h *expiryHeap) remove(i int) {
	last := len(*h) - 1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = nil
	*h = (*h)[:last]
	if i != last {
		h.fix(i)
	}
}

// update records that the entry at i now expires at its b.Expiry: an
// earlier expiry moves it up at once, a later one is left for settle.
func (h expiryHeap) update(i int) {
	e := h[i]
	if expiresBefore(e.b.Expiry, e.at) {
		e.at = e.b.Expiry
		h.up(i)
	}
}

// settle makes the top entry the one that truly expires first: it moves
// down the entries at the top whose key is older than their expiry.
// Every key is at or before its entry's expiry, so a top whose key is its
// expiry expires first.
func (h expiryHeap) settle() {
	for len(h) > 0 && expiresBefore(h[0].at, h[0].b.Expiry) {
		h[0].at = h[0].b.Expiry
		h.down(0)
	}
}

// fix restores the heap order after the key of the entry at i changed.
func (h expiryHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h expiryHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

func (h expiryHeap) down(i int) bool {
	start := i
	for {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h.swap(i, m)
		i = m
	}
	return i > start
}

package bindings

// entry is one binding in the table, with its position in the expiry heap.
type entry struct {
	b   Binding
	key clientKey
	idx int // index in expiryHeap
}

// expiryHeap is a min-heap of entries by expiry (infinite leases last), so
// that both eviction and sweeping take the binding that ends first. It
// keeps each entry's idx up to date.
type expiryHeap []*entry

func (h expiryHeap) less(i, j int) bool { return expiresBefore(h[i].b.Expiry, h[j].b.Expiry) }

func (h expiryHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}

func (h *expiryHeap) push(e *entry) {
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

// fix restores the heap order after the entry at i changed its expiry.
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

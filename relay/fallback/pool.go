package fallback

import (
	"net/netip"
	"slices"
)

// span is an inclusive range of IPv4 addresses as integers.
type span struct{ lo, hi uint32 }

func (s span) size() uint64 { return uint64(s.hi) - uint64(s.lo) + 1 }

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addrOf(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// pool is the dynamic part of a scope: its ranges minus its exclusions, as
// sorted, disjoint spans. Reservations are kept apart (see compiled).
type pool struct {
	spans []span
	size  int
}

// newPool subtracts excl from ranges (which must not overlap each other).
func newPool(ranges, excl []Range) pool {
	var ex []span
	for _, e := range excl {
		ex = append(ex, span{u32(e.Start), u32(e.End)})
	}
	var p pool
	for _, r := range ranges {
		p.spans = append(p.spans, subtract(span{u32(r.Start), u32(r.End)}, ex)...)
	}
	slices.SortFunc(p.spans, func(a, b span) int { return cmpU32(a.lo, b.lo) })
	for _, s := range p.spans {
		p.size += int(s.size())
	}
	return p
}

// subtract returns the parts of s that no span of ex covers.
func subtract(s span, ex []span) []span {
	parts := []span{s}
	for _, e := range ex {
		var next []span
		for _, p := range parts {
			if e.hi < p.lo || e.lo > p.hi {
				next = append(next, p)
				continue
			}
			if e.lo > p.lo {
				next = append(next, span{p.lo, e.lo - 1})
			}
			if e.hi < p.hi {
				next = append(next, span{e.hi + 1, p.hi})
			}
		}
		parts = next
	}
	return parts
}

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// contains reports whether a is in the pool.
func (p pool) contains(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	v := u32(a)
	i, found := slices.BinarySearchFunc(p.spans, v, func(s span, v uint32) int { return cmpU32(s.lo, v) })
	if found {
		return true
	}
	return i > 0 && v <= p.spans[i-1].hi
}

// at returns the i-th address of the pool, or the zero Addr unless
// 0 <= i < size.
func (p pool) at(i int) netip.Addr {
	if i < 0 {
		return netip.Addr{}
	}
	for _, s := range p.spans {
		if uint64(i) < s.size() {
			return addrOf(s.lo + uint32(i))
		}
		i -= int(s.size())
	}
	return netip.Addr{}
}

// indexOf returns a's index in the pool (the inverse of at), and whether a
// is in the pool.
func (p pool) indexOf(a netip.Addr) (int, bool) {
	if !a.Is4() {
		return 0, false
	}
	v, base := u32(a), 0
	for _, s := range p.spans {
		if v >= s.lo && v <= s.hi {
			return base + int(v-s.lo), true
		}
		base += int(s.size())
	}
	return 0, false
}

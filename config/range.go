package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// Range is an inclusive range of IPv4 addresses, Start ≤ End; a single
// address has Start == End.
type Range struct {
	Start, End netip.Addr
}

// ParseRange parses "START-END" or a single address "ADDR" (a range of
// one). Both ends are IPv4 unicast addresses, not loopback, and START is
// not after END. Spaces around the '-' are allowed.
func ParseRange(s string) (Range, error) {
	first, last, isRange := strings.Cut(s, "-")
	start, err := parseHostAddr(strings.TrimSpace(first))
	if err != nil {
		return Range{}, err
	}
	end := start
	if isRange {
		if end, err = parseHostAddr(strings.TrimSpace(last)); err != nil {
			return Range{}, err
		}
	}
	if end.Less(start) {
		return Range{}, fmt.Errorf("start %s is after end %s", start, end)
	}
	return Range{Start: start, End: end}, nil
}

// parseHostAddr parses an address a client may be given or told about: a
// range end, a reserved address, a router or DNS server. It is IPv4
// unicast and not loopback.
func parseHostAddr(s string) (netip.Addr, error) {
	a, err := parseIPv4(s)
	if err != nil {
		return netip.Addr{}, err
	}
	if a.IsLoopback() {
		return netip.Addr{}, fmt.Errorf("%q is a loopback address", s)
	}
	return a, nil
}

// String returns "START-END", or "ADDR" for a range of one address; ParseRange
// reads it back.
func (r Range) String() string {
	if r.Start == r.End {
		return r.Start.String()
	}
	return r.Start.String() + "-" + r.End.String()
}

// Contains reports whether a lies in r.
func (r Range) Contains(a netip.Addr) bool {
	return r.Start.Compare(a) <= 0 && a.Compare(r.End) <= 0
}

// Overlaps reports whether r and o share an address.
func (r Range) Overlaps(o Range) bool {
	return r.Start.Compare(o.End) <= 0 && o.Start.Compare(r.End) <= 0
}

// Size returns the number of addresses in r (at most 2^32).
func (r Range) Size() uint64 {
	s, e := r.Start.As4(), r.End.As4()
	return uint64(be32(e)) - uint64(be32(s)) + 1
}

// be32 reads a big-endian uint32.
func be32(b [4]byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// inPrefix reports whether all of r lies in p.
func (r Range) inPrefix(p netip.Prefix) bool {
	return p.Contains(r.Start) && p.Contains(r.End)
}

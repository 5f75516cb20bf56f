package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// EncodeDomainSearch encodes the option 119 domain search list (RFC 3397
// §2): each name in RFC 1035 §3.1 wire form, with a name's ending that an
// earlier name already holds replaced by a 2-byte compression pointer
// (RFC 1035 §4.1.4) to it, offsets counted from the start of the option
// data. The names must pass checkDomain.
func EncodeDomainSearch(names []string) []byte {
	var out []byte
	seen := map[string]int{} // a name ending, lower case → its offset
	for _, n := range names {
		out = appendName(out, strings.Split(strings.TrimSuffix(n, "."), "."), seen)
	}
	return out
}

// appendName appends one name of labels, ending in a pointer to the
// longest ending seen already holds, or in the root label.
func appendName(out []byte, labels []string, seen map[string]int) []byte {
	if len(labels) == 1 && labels[0] == "" {
		return append(out, 0) // the root
	}
	for i := range labels {
		suffix := strings.ToLower(strings.Join(labels[i:], "."))
		if off, ok := seen[suffix]; ok {
			return append(out, 0xc0|byte(off>>8), byte(off))
		}
		if len(out) < 0x3fff {
			seen[suffix] = len(out)
		}
		out = append(out, byte(len(labels[i])))
		out = append(out, labels[i]...)
	}
	return append(out, 0)
}

// DecodeDomainSearch decodes option 119 data and returns the names. A
// compression pointer must point before the name it is in, and before the
// target of the pointer followed last, so that decoding always ends.
func DecodeDomainSearch(b []byte) ([]string, error) {
	var names []string
	for at := 0; at < len(b); {
		name, next, err := readName(b, at)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		at = next
	}
	return names, nil
}

// readName reads the name at offset at and returns it and the offset
// after it.
func readName(b []byte, at int) (string, int, error) {
	var labels []string
	next, pos, limit := -1, at, at // every pointer points before limit, which falls
	for {
		if pos >= len(b) {
			return "", 0, errors.New("domain name runs past the end of the option")
		}
		l := int(b[pos])
		switch {
		case l == 0:
			if next < 0 {
				next = pos + 1
			}
			return strings.Join(labels, "."), next, nil
		case l&0xc0 == 0xc0:
			if pos+1 >= len(b) {
				return "", 0, errors.New("compression pointer runs past the end of the option")
			}
			ptr := (l&0x3f)<<8 | int(b[pos+1])
			if ptr >= limit {
				return "", 0, fmt.Errorf("compression pointer at %d points to %d, not before %d", pos, ptr, limit)
			}
			if next < 0 {
				next = pos + 2
			}
			pos, limit = ptr, ptr
		case l&0xc0 != 0:
			return "", 0, fmt.Errorf("label length byte %#x at %d is reserved", l, pos)
		default:
			if pos+1+l > len(b) {
				return "", 0, errors.New("label runs past the end of the option")
			}
			label := string(b[pos+1 : pos+1+l])
			if strings.Contains(label, ".") {
				return "", 0, fmt.Errorf("label at %d holds a dot", pos)
			}
			labels = append(labels, label)
			pos += 1 + l
		}
	}
}

// Route is one classless static route of option 121.
type Route struct {
	Dest   netip.Prefix // masked
	Router netip.Addr
}

// ParseRoute parses "PREFIX ROUTER", e.g. "198.51.100.0/24 203.0.113.1".
func ParseRoute(s string) (Route, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return Route{}, fmt.Errorf("%q is not \"DESTINATION/LENGTH ROUTER\"", s)
	}
	p, err := netip.ParsePrefix(f[0])
	if err != nil || !p.Addr().Is4() {
		return Route{}, fmt.Errorf("%q: %q is not an IPv4 prefix such as 198.51.100.0/24", s, f[0])
	}
	if p.Masked() != p {
		return Route{}, fmt.Errorf("%q: %s has host bits set (the destination is %s)", s, p, p.Masked())
	}
	r, err := parseIPv4(f[1])
	if err != nil {
		return Route{}, fmt.Errorf("%q: router: %w", s, err)
	}
	return Route{Dest: p, Router: r}, nil
}

// EncodeClasslessRoutes encodes option 121 (RFC 3442): for each route the
// prefix length, the destination's significant octets (length/8 rounded
// up) and the router's 4 octets.
func EncodeClasslessRoutes(rs []Route) []byte {
	var out []byte
	for _, r := range rs {
		bits := r.Dest.Bits()
		a := r.Dest.Addr().As4()
		out = append(out, byte(bits))
		out = append(out, a[:(bits+7)/8]...)
		g := r.Router.As4()
		out = append(out, g[:]...)
	}
	return out
}

// DecodeClasslessRoutes decodes option 121 data.
func DecodeClasslessRoutes(b []byte) ([]Route, error) {
	var out []Route
	for len(b) > 0 {
		bits := int(b[0])
		if bits > 32 {
			return nil, fmt.Errorf("prefix length %d is more than 32", bits)
		}
		n := (bits + 7) / 8
		if len(b) < 1+n+4 {
			return nil, errors.New("route runs past the end of the option")
		}
		var a [4]byte
		copy(a[:], b[1:1+n])
		out = append(out, Route{
			Dest:   netip.PrefixFrom(netip.AddrFrom4(a), bits).Masked(),
			Router: netip.AddrFrom4([4]byte(b[1+n : 5+n])),
		})
		b = b[5+n:]
	}
	return out, nil
}

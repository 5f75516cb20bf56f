package config

import (
	"fmt"
	"os"
	"slices"
)

// warnings returns what is legal in cfg but almost surely a mistake, each
// message led by the path of what it is about (so that a file position
// can be found for it, as for errors): a pool every address of which is
// excluded, an --interface given twice.
func warnings(cfg *Config, f Flags) []string {
	var out []string
	for i := range cfg.Interfaces {
		in := &cfg.Interfaces[i]
		if in.Fallback == nil {
			continue
		}
		for j, p := range in.Fallback.Pools {
			if coveredBy(p, in.Fallback.Exclude) {
				out = append(out, fmt.Sprintf("interface %q: fallback.pools[%d]: every address of %s is excluded: the pool leases nothing", in.Name, j, p))
			}
		}
	}
	var seen []string
	for _, n := range f.Interfaces {
		if slices.Contains(seen, n) {
			out = append(out, fmt.Sprintf("--interface %q is given twice", n))
			continue
		}
		seen = append(seen, n)
	}
	return out
}

// coveredBy reports whether every address of r lies in one of rs.
func coveredBy(r Range, rs []Range) bool {
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b Range) int { return a.Start.Compare(b.Start) })
	next := r.Start // the first address of r not yet covered
	for _, x := range sorted {
		if next.Less(x.Start) {
			return false
		}
		if !x.End.Less(next) {
			if x.End.Compare(r.End) >= 0 {
				return true
			}
			next = x.End.Next()
		}
	}
	return false
}

// Locate gives each of msgs, led by a config path as errors and warnings
// are (`interface "eth1": helper-addresses[0]: ...`), the FILE:LINE:COLUMN
// of what it is about in the config file at path; messages about nothing
// the file holds, or all of them when it cannot be read, stay as they are.
// check-config uses it for what it finds against this machine's links.
func Locate(path string, msgs []string) []string {
	out := slices.Clone(msgs)
	if path == "" {
		return out
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	src, err := decodeSource(data)
	if err != nil {
		return out
	}
	for i, m := range msgs {
		out[i] = src.positioned(m, path)
	}
	return out
}

// positioned returns msg led by the position of what it is about, if the
// file holds it.
func (s *source) positioned(msg, file string) string {
	if p, ok := s.locate(msg); ok {
		p.File = file
		return p.String() + ": " + msg
	}
	return msg
}

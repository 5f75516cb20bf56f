package config

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// An interface pattern is shell-style (path.Match: * ? [...] \) with one
// addition, numeric ranges: {FIRST-LAST} matches a decimal number from
// FIRST to LAST, so "eth0.{10-20}" is VLANs 10 to 20 of eth0. A range takes
// the whole number where it stands: "eth0.{1-20}" does not match eth0.100,
// nor "*{1-20}" match eth0.100 by its last two digits.
//
// A character class that reads like a numeric range, "eth0.[10-20]", is
// rejected: to path.Match it is one character of 1, 0-2 or 0, i.e. eth0.0,
// eth0.1 or eth0.2, which is not what an engineer reads.

// maxRangeDigits bounds the numbers of a range (and the digits a range
// reads from a name), far above any VLAN id or interface number.
const maxRangeDigits = 6

// patPart is one piece of a compiled pattern: a path.Match pattern, or a
// numeric range when isRange is set.
type patPart struct {
	glob    string
	isRange bool
	lo, hi  int
}

// compilePattern splits a pattern into path.Match pieces and ranges,
// checking both.
func compilePattern(p string) ([]patPart, error) {
	var (
		parts []patPart
		glob  strings.Builder
	)
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			glob.WriteByte(c)
			if i+1 < len(p) {
				i++
				glob.WriteByte(p[i])
			}
		case '[':
			end := classEnd(p, i)
			if err := checkClass(p, p[i:end]); err != nil {
				return nil, err
			}
			glob.WriteString(p[i:end])
			i = end - 1
		case '{':
			r, end, err := parseRange(p, i)
			if err != nil {
				return nil, err
			}
			parts = append(parts, patPart{glob: glob.String()}, r)
			glob.Reset()
			i = end
		case '}':
			return nil, fmt.Errorf("interface pattern %q: '}' without '{' (a range is written {FIRST-LAST}, e.g. eth0.{10-20})", p)
		default:
			glob.WriteByte(c)
		}
	}
	parts = append(parts, patPart{glob: glob.String()})
	for _, pp := range parts {
		if _, err := path.Match(pp.glob, ""); !pp.isRange && err != nil {
			return nil, fmt.Errorf("bad interface pattern %q: %w", p, err)
		}
	}
	return parts, nil
}

// classEnd returns the offset just past the character class that starts
// at p[i] == '[' (a ']' right after "[" or "[^" belongs to the class), or
// len(p) when it is not closed; path.Match reports that.
func classEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && p[j] == '^' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for ; j < len(p); j++ {
		switch p[j] {
		case '\\':
			j++
		case ']':
			return j + 1
		}
	}
	return len(p)
}

// checkClass rejects a character class that reads like a range of
// numbers: a digit range whose ends have more digits beside them, as in
// [10-20] or [1-100].
func checkClass(p, class string) error {
	for k := 1; k+1 < len(class); k++ {
		if class[k] != '-' || !isDigit(class[k-1]) || !isDigit(class[k+1]) {
			continue
		}
		first := digitsBefore(class, k)
		last := digitsAfter(class, k+1)
		if len(first) == 1 && len(last) == 1 {
			continue // [0-9]: one digit, as written
		}
		want := strings.Replace(p, class, "{"+first+"-"+last+"}", 1)
		return fmt.Errorf("interface pattern %q: %s is a character class, which matches one character, not the numbers %s to %s: write %q",
			p, class, first, last, want)
	}
	return nil
}

// digitsBefore returns the run of digits of s that ends just before s[k].
func digitsBefore(s string, k int) string {
	i := k
	for i > 0 && isDigit(s[i-1]) {
		i--
	}
	return s[i:k]
}

// digitsAfter returns the run of digits of s that starts at s[i].
func digitsAfter(s string, i int) string {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return s[i:j]
}

// parseRange parses the range whose '{' is at p[i]; end is the offset of
// its '}'.
func parseRange(p string, i int) (r patPart, end int, err error) {
	n := strings.IndexByte(p[i:], '}')
	if n < 0 {
		return patPart{}, 0, fmt.Errorf("interface pattern %q: '{' at offset %d is not closed (a range is written {FIRST-LAST}, e.g. eth0.{10-20})", p, i)
	}
	body := p[i+1 : i+n]
	first, last, ok := strings.Cut(body, "-")
	lo, okLo := parseRangeNumber(first)
	hi, okHi := parseRangeNumber(last)
	switch {
	case !ok || !okLo || !okHi:
		return patPart{}, 0, fmt.Errorf("interface pattern %q: {%s} is not a range: write {FIRST-LAST} with decimal numbers of at most %d digits, e.g. eth0.{10-20}", p, body, maxRangeDigits)
	case lo > hi:
		return patPart{}, 0, fmt.Errorf("interface pattern %q: range {%s} starts after it ends", p, body)
	}
	return patPart{isRange: true, lo: lo, hi: hi}, i + n, nil
}

// parseRangeNumber parses one end of a range: 1 to maxRangeDigits digits.
func parseRangeNumber(s string) (int, bool) {
	if s == "" || len(s) > maxRangeDigits || digitsAfter(s, 0) != s {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	return v, err == nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// matchPattern reports whether name matches the compiled pattern parts.
func matchPattern(parts []patPart, name string) bool {
	if len(parts) == 0 {
		return name == ""
	}
	p := parts[0]
	if p.isRange {
		d := digitsAfter(name, 0)
		if d == "" || len(d) > maxRangeDigits {
			return false
		}
		v, _ := strconv.Atoi(d)
		return p.lo <= v && v <= p.hi && matchPattern(parts[1:], name[len(d):])
	}
	if len(parts) == 1 {
		ok, _ := path.Match(p.glob, name)
		return ok
	}
	// A range follows: it starts where a number starts.
	for i := 0; i < len(name); i++ {
		if !isDigit(name[i]) || i > 0 && isDigit(name[i-1]) {
			continue
		}
		if ok, _ := path.Match(p.glob, name[:i]); ok && matchPattern(parts[1:], name[i:]) {
			return true
		}
	}
	return false
}

// matchName reports whether the link name matches the pattern (an
// entry's Name that checkInterfaceName accepted).
func matchName(pattern, name string) bool {
	parts, err := compilePattern(pattern)
	return err == nil && matchPattern(parts, name)
}

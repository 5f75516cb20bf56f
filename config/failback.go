package config

import "fmt"

// String returns the mode's name as written in the config file: "nak" or
// "keep".
func (m FailbackMode) String() string {
	switch m {
	case FailbackNAK:
		return "nak"
	case FailbackKeep:
		return "keep"
	}
	return fmt.Sprintf("FailbackMode(%d)", int(m))
}

// ParseFailback returns the failback mode called s: "nak" or "keep".
func ParseFailback(s string) (FailbackMode, error) {
	for _, m := range []FailbackMode{FailbackNAK, FailbackKeep} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown failback mode %q: want nak or keep", s)
}

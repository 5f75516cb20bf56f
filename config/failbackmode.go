package config

import "fmt"

// FailbackMode is what the fallback does with one of its leases at renewal
// once the helpers are back up.
type FailbackMode uint8

// The failback modes.
const (
	// FailbackNAK NAKs the renewal, so that the client re-acquires a lease
	// from upstream (default).
	FailbackNAK FailbackMode = iota
	// FailbackKeep renews the lease until the client leaves.
	FailbackKeep
)

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

// failbackKey parses an optional failback mode.
func failbackKey(s *string, where string, errs *errList) *FailbackMode {
	if s == nil {
		return nil
	}
	m, err := ParseFailback(*s)
	if err != nil {
		errs.addf(where, "%w", err)
		return nil
	}
	return &m
}

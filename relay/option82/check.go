package option82

import "fmt"

// checkSubOption applies the per-code rules to one sub-option found at off.
func checkSubOption(code byte, data []byte, off int) error {
	switch code {
	case CircuitID, RemoteID, SubscriberID:
		if len(data) == 0 {
			return fmt.Errorf("%w: %s at offset %d has length 0", ErrEmptySubOption, label(code), off)
		}
	case LinkSelection, ServerIDOverride:
		if len(data) != 4 {
			return fmt.Errorf("%w: %s at offset %d has length %d, want 4", ErrBadLength, label(code), off, len(data))
		}
	case Flags:
		if len(data) != 1 {
			return fmt.Errorf("%w: %s at offset %d has length %d, want 1", ErrBadLength, label(code), off, len(data))
		}
	}
	return nil
}

// seenSet remembers which sub-option codes appeared, without allocating.
type seenSet [4]uint64

// once reports whether code is one of the sub-options that may appear only
// once. Others (vendor-specific, RFC 4243, and unknown codes) may repeat.
func once(code byte) bool { return codeName(code) != "" }

// add records code and reports whether it was already there.
func (s *seenSet) add(code byte) bool {
	w, bit := code/64, uint64(1)<<(code%64)
	dup := s[w]&bit != 0
	s[w] |= bit
	return dup
}

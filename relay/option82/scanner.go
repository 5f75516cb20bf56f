package option82

import "fmt"

// SubOption is one sub-option: its code and value. Decoders return Data
// aliasing the input (with capacity cut to its length).
type SubOption struct {
	Code byte
	Data []byte
}

// Scanner walks the sub-options of option 82's data without allocating. It
// is strict: the data must hold at least one sub-option; every length must
// fit; circuit-id, remote-id and subscriber-id must not be empty;
// link-selection and server-id-override must be 4 bytes and flags 1 byte;
// the sub-options this package knows may appear only once. The first
// violation stops the walk and Err reports it.
//
//	s := option82.NewScanner(data)
//	for s.Next() {
//		so := s.SubOption()
//		...
//	}
//	if err := s.Err(); err != nil { ... }
//
// A Scanner is a small value; keep it on the stack. It must not be used
// from several goroutines at once.
type Scanner struct {
	data []byte
	off  int
	sub  SubOption
	seen seenSet
	err  error
}

// NewScanner returns a Scanner over data, the value of option 82.
func NewScanner(data []byte) Scanner {
	s := Scanner{data: data}
	if len(data) == 0 {
		s.err = fmt.Errorf("%w: option 82 has no sub-options", ErrEmpty)
	}
	return s
}

// Next advances to the next sub-option. It returns false at the end of the
// data or on an error.
func (s *Scanner) Next() bool {
	if s.err != nil || s.off >= len(s.data) {
		return false
	}
	off, code := s.off, s.data[s.off]
	if off+1 >= len(s.data) {
		return s.fail(fmt.Errorf("%w: %s at offset %d has no length byte", ErrTruncated, label(code), off))
	}
	start := off + 2
	end := start + int(s.data[off+1])
	if end > len(s.data) {
		return s.fail(fmt.Errorf("%w: %s at offset %d: length %d overruns the %d bytes of option 82",
			ErrTruncated, label(code), off, end-start, len(s.data)))
	}
	data := s.data[start:end:end]
	if err := checkSubOption(code, data, off); err != nil {
		return s.fail(err)
	}
	if s.seen.add(code) && once(code) {
		return s.fail(fmt.Errorf("%w: %s at offset %d appeared before", ErrDuplicate, label(code), off))
	}
	s.sub, s.off = SubOption{Code: code, Data: data}, end
	return true
}

func (s *Scanner) fail(err error) bool {
	s.err = err
	return false
}

// SubOption returns the sub-option Next stopped at.
func (s *Scanner) SubOption() SubOption { return s.sub }

// Err returns the error that stopped the walk, or nil.
func (s *Scanner) Err() error { return s.err }

// Validate checks all of data with the Scanner's rules.
func Validate(data []byte) error {
	s := NewScanner(data)
	for s.Next() {
	}
	return s.Err()
}

// Lookup returns the value of the first sub-option with code. It checks all
// of data first: on any violation it returns nil, false and the error.
// Found is false, with a nil error, when data is valid and lacks the code.
func Lookup(data []byte, code byte) (value []byte, found bool, err error) {
	s := NewScanner(data)
	for s.Next() {
		if so := s.SubOption(); so.Code == code && !found {
			value, found = so.Data, true
		}
	}
	if err := s.Err(); err != nil {
		return nil, false, err
	}
	return value, found, nil
}

// Parse decodes all sub-options of data, in order. It allocates the slice;
// the Data fields alias data.
func Parse(data []byte) ([]SubOption, error) {
	var subs []SubOption
	s := NewScanner(data)
	for s.Next() {
		subs = append(subs, s.SubOption())
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return subs, nil
}

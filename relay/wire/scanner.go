package wire

import "fmt"

// Option locates one option inside a message: the code byte is at Off and the
// value is b[Start:End].
type Option struct {
	Code       byte
	Off        int
	Start, End int
}

// Scanner walks the main options field of a message without allocating.
// Pads are skipped; the walk stops at END. A message without the magic
// cookie has no options: Next returns false at once and Err is nil.
//
//	s := wire.NewScanner(b)
//	for s.Next() {
//		o := s.Option()
//		...
//	}
//	if err := s.Err(); err != nil { ... }
//
// A Scanner is a small value; keep it on the stack. It must not be used
// from several goroutines at once.
type Scanner struct {
	b    []byte
	off  int
	end  int
	opt  Option
	err  error
	done bool
}

// NewScanner returns a Scanner over b's options field.
func NewScanner(b []byte) Scanner {
	if !Packet(b).HasMagicCookie() {
		return Scanner{done: true, end: -1}
	}
	return Scanner{b: b, off: OffOptions, end: -1}
}

// Next advances to the next option, skipping pads. It returns false at END,
// at the end of a message without the cookie, or on a malformed option (then
// Err says why).
func (s *Scanner) Next() bool {
	for !s.done {
		if s.off >= len(s.b) {
			return s.fail(fmt.Errorf("%w: options field runs to the message end at offset %d without END", ErrNoEnd, len(s.b)))
		}
		code := s.b[s.off]
		switch code {
		case OptPad:
			s.off++
			continue
		case OptEnd:
			s.done, s.end = true, s.off
			return false
		}
		if s.off+1 >= len(s.b) {
			return s.fail(fmt.Errorf("%w: option %d at offset %d has no length byte", ErrMalformedOptions, code, s.off))
		}
		start := s.off + 2
		end := start + int(s.b[s.off+1])
		if end > len(s.b) {
			return s.fail(fmt.Errorf("%w: option %d at offset %d: length %d overruns the message end at offset %d",
				ErrMalformedOptions, code, s.off, end-start, len(s.b)))
		}
		s.opt = Option{Code: code, Off: s.off, Start: start, End: end}
		s.off = end
		return true
	}
	return false
}

func (s *Scanner) fail(err error) bool {
	s.err, s.done = err, true
	return false
}

// Option returns the option Next stopped at.
func (s *Scanner) Option() Option { return s.opt }

// Err returns the error that stopped the walk, nil at END or for a message
// without the cookie.
func (s *Scanner) Err() error { return s.err }

// End returns the offset of the END option once Next has returned false
// without error, and -1 otherwise.
func (s *Scanner) End() int { return s.end }

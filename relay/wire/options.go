package wire

import (
	"fmt"
)

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

// FindOption returns the value bounds of the first instance of code in the
// main options field: the value is b[start:end]. ok is false when the option
// is absent, when code is pad or END, when the message has no cookie, or when
// the options field is malformed before the option is reached. It does not
// check the options after the one found; run Validate first.
func FindOption(b []byte, code byte) (start, end int, ok bool) {
	if code == OptPad || code == OptEnd {
		return 0, 0, false
	}
	s := NewScanner(b)
	for s.Next() {
		if o := s.Option(); o.Code == code {
			return o.Start, o.End, true
		}
	}
	return 0, 0, false
}

// MessageType returns the DHCP message type (option 53), or 0 when it is
// absent, not one byte long, or the options field is malformed before it.
func (p Packet) MessageType() MessageType {
	start, end, ok := FindOption(p, OptMessageType)
	if !ok || end-start != 1 {
		return 0
	}
	return MessageType(p[start])
}

// EndOffset returns the offset of the END option, after checking that every
// option before it is well-formed. It fails with ErrNoCookie for plain BOOTP.
func EndOffset(b []byte) (int, error) {
	if !Packet(b).HasMagicCookie() {
		return -1, fmt.Errorf("%w: no options field", ErrNoCookie)
	}
	s := NewScanner(b)
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		return -1, err
	}
	return s.End(), nil
}

// AppendOptionData appends the values of every instance of code in the main
// options field to dst, in order, and returns the extended slice and the
// number of instances: the concatenation RFC 3396 prescribes for an option
// split across several instances. It does not allocate when dst has room.
// The whole options field must be well-formed; on error dst is returned as
// given. A message without the cookie yields dst and 0.
func AppendOptionData(dst, b []byte, code byte) ([]byte, int, error) {
	if code == OptPad || code == OptEnd {
		return dst, 0, fmt.Errorf("%w: option %d has no value", ErrBadOption, code)
	}
	out, n := dst, 0
	s := NewScanner(b)
	for s.Next() {
		if o := s.Option(); o.Code == code {
			out = append(out, b[o.Start:o.End]...)
			n++
		}
	}
	if err := s.Err(); err != nil {
		return dst, 0, err
	}
	return out, n, nil
}

// InsertBeforeEnd places opt, one or more complete encoded options (code,
// length, value), just before the END option of b, in place, and returns the
// edited message.
//
// The padding that followed END is dropped; the message is then padded with
// zeros after the new END up to MinMessageLen (300 bytes, RFC 1542 §2.1) if
// it is shorter. The result is written into b's backing array when its
// capacity allows (the relay reads into a buffer of 2 KiB or more, so this
// does not allocate); otherwise into a new array.
//
// It fails, leaving b unchanged, with ErrNoCookie for plain BOOTP, with the
// errors of EndOffset for a malformed options field, with ErrBadOption when
// opt is not a sequence of complete options (pad and END excluded), and with
// ErrTooBig when the result would be longer than maxLen bytes. opt must not
// share memory with b's backing array.
func InsertBeforeEnd(b, opt []byte, maxLen int) ([]byte, error) {
	if err := checkEncoded(opt); err != nil {
		return b, err
	}
	end, err := EndOffset(b)
	if err != nil {
		return b, err
	}
	n := max(end+len(opt)+1, MinMessageLen)
	if n > maxLen {
		return b, fmt.Errorf("%w: inserting %d bytes of options makes the message %d bytes, more than %d",
			ErrTooBig, len(opt), n, maxLen)
	}
	out := b
	if cap(b) < n {
		out = make([]byte, n)
		copy(out, b[:end])
	}
	out = out[:n]
	copy(out[end:], opt)
	out[end+len(opt)] = OptEnd
	clear(out[end+len(opt)+1:])
	return out, nil
}

// checkEncoded reports whether opt is a non-empty sequence of complete
// options with lengths, without pad or END.
func checkEncoded(opt []byte) error {
	if len(opt) == 0 {
		return fmt.Errorf("%w: no option bytes", ErrBadOption)
	}
	for off := 0; off < len(opt); {
		code := opt[off]
		if code == OptPad || code == OptEnd {
			return fmt.Errorf("%w: option %d at offset %d: pad and END cannot be inserted", ErrBadOption, code, off)
		}
		if off+1 >= len(opt) || off+2+int(opt[off+1]) > len(opt) {
			return fmt.Errorf("%w: option %d at offset %d overruns the %d bytes given", ErrBadOption, code, off, len(opt))
		}
		off += 2 + int(opt[off+1])
	}
	return nil
}

// StripOption removes every instance of code from the main options field of
// b, in place, and returns how many it removed.
//
// The options after a removed one shift left, END follows the last option,
// and the bytes freed at the end become zero padding: the message keeps its
// length. Keeping the length means the result differs from what the server
// sent only by the removed option; the server's own sizing (padding to 300
// bytes, RFC 1542 §2.1, or further) stays as it chose, and the edit can
// never make the message longer. When nothing is removed b is not changed.
//
// A message without the cookie has no options: StripOption returns 0 and
// nil. The whole options field is checked before any byte moves; on a
// malformed field (the errors of EndOffset) or for code pad or END it
// changes nothing and returns an error.
func StripOption(b []byte, code byte) (int, error) {
	if code == OptPad || code == OptEnd {
		return 0, fmt.Errorf("%w: cannot strip option %d", ErrBadOption, code)
	}
	if !Packet(b).HasMagicCookie() {
		return 0, nil
	}
	end, err := EndOffset(b)
	if err != nil {
		return 0, err
	}
	r, w, removed := OffOptions, OffOptions, 0
	for r < end {
		size := 1 // pad
		if b[r] != OptPad {
			size = 2 + int(b[r+1])
		}
		if b[r] == code {
			removed++
		} else {
			copy(b[w:], b[r:r+size])
			w += size
		}
		r += size
	}
	if removed == 0 {
		return 0, nil
	}
	b[w] = OptEnd
	clear(b[w+1:])
	return removed, nil
}

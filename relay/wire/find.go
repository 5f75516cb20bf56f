package wire

import "fmt"

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

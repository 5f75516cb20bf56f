package wire

import "fmt"

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

package control

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// Hex is a byte string that encodes as colon-separated hex bytes
// ("02:00:00:00:00:01") in JSON and text: a MAC address of any length, a
// client identifier.
type Hex []byte

// String returns h as colon-separated lower-case hex bytes.
func (h Hex) String() string {
	var b strings.Builder
	for i, c := range h {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02x", c)
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler.
func (h Hex) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler: it accepts what
// MarshalText writes, the empty string being nil.
func (h *Hex) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*h = nil
		return nil
	}
	parts := strings.Split(string(text), ":")
	out := make(Hex, len(parts))
	for i, p := range parts {
		if len(p) != 2 {
			return fmt.Errorf("bad hex byte string %q: byte %d is %q", text, i, p)
		}
		if _, err := hex.Decode(out[i:i+1], []byte(p)); err != nil {
			return fmt.Errorf("bad hex byte string %q: %w", text, err)
		}
	}
	*h = out
	return nil
}

// printableOrHex returns s when it is printable ASCII, else "hex:" and its
// bytes in hex, as a template would write it.
func printableOrHex(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return "hex:" + Hex(s).String()
		}
	}
	return s
}

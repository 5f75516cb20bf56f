package wire

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse: Parse never panics, and a frame that parses re-encodes to the
// same bytes (the format has one encoding per message).
func FuzzParse(f *testing.F) {
	for _, g := range goldens {
		f.Add(g.want)
	}
	f.Add([]byte("IPHF\x02\x01\x00\x00\x00\x00"))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, n, err := Parse(data)
		if err != nil {
			if m != nil || n != 0 {
				t.Fatalf("Parse = %#v, %d with error %v", m, n, err)
			}
			return
		}
		got, err := Append(nil, m)
		if err != nil {
			t.Fatalf("Append(Parse(x)) = %v for %#v", err, m)
		}
		if !bytes.Equal(data[:n], got) {
			t.Errorf("Append(Parse(x)) != x (-x +re-encoded):\n%s", cmp.Diff(data[:n], got))
		}
		m2, err := Read(bytes.NewReader(data), nil)
		if err != nil || m2.Type() != m.Type() {
			t.Errorf("Read = %#v, %v after Parse = %#v", m2, err, m)
		}
	})
}

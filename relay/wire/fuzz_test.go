package wire

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seeds are real-looking messages for the fuzz corpora.
func seeds(t testing.TB) [][]byte {
	s := [][]byte{
		goldenDiscover(),
		fullDiscover(),
		goldenDiscover()[:OffCookie],
		goldenDiscover()[:goldenEnd],
		append(goldenDiscover(), make([]byte, 248)...),
	}
	if b, err := InsertBeforeEnd(goldenDiscover(), circuitEth1, 1500); err == nil {
		s = append(s, b)
	}
	for _, b := range dhcpMessages(t) {
		s = append(s, b)
	}
	return s
}

// without lists opts minus those with code.
func without(opts []opt, code byte) []opt {
	var out []opt
	for _, o := range opts {
		if o.Code != code {
			out = append(out, o)
		}
	}
	return out
}

// optsOf lists the options of b like optionsOf, cheaply enough for a fuzz
// body (minimization runs it many times).
func optsOf(b []byte) ([]opt, error) {
	var opts []opt
	s := NewScanner(b)
	for s.Next() {
		o := s.Option()
		opts = append(opts, opt{Code: o.Code, Value: b[o.Start:o.End]})
	}
	return opts, s.Err()
}

func equalOpts(a, b []opt) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Code != b[i].Code || !bytes.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

// mustOpts is optsOf failing the test on error.
func mustOpts(t *testing.T, b []byte) []opt {
	opts, err := optsOf(b)
	if err != nil {
		t.Fatalf("options of %d-byte message: %v", len(b), err)
	}
	return opts
}

func FuzzValidate(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := Packet(b)
		_ = headerOf(p)
		if err := Validate(b); err != nil {
			return
		}
		if got, want := len(p.CHAddr()), int(p.HLen()); got != want {
			t.Errorf("valid message: len(CHAddr) = %d, hlen %d", got, want)
		}
		if !p.HasMagicCookie() {
			return
		}
		end, err := EndOffset(b)
		if err != nil {
			t.Fatalf("valid message: EndOffset: %v", err)
		}
		if b[end] != OptEnd {
			t.Errorf("EndOffset %d points at %d", end, b[end])
		}
		_ = mustOpts(t, b)
	})
}

func FuzzStripOption(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b, byte(82))
		f.Add(b, byte(53))
	}
	f.Fuzz(func(t *testing.T, b []byte, code byte) {
		got := append([]byte(nil), b...)
		n, err := StripOption(got, code)
		if err != nil || n == 0 {
			if !bytes.Equal(b, got) {
				t.Fatalf("message changed (n %d, err %v) (-before +after):\n%s", n, err, cmp.Diff(b, got))
			}
			return
		}
		if len(got) != len(b) {
			t.Errorf("length %d, was %d", len(got), len(b))
		}
		if _, _, ok := FindOption(got, code); ok {
			t.Errorf("option %d still there after removing %d", code, n)
		}
		if want, gotOpts := without(mustOpts(t, b), code), mustOpts(t, got); !equalOpts(want, gotOpts) {
			t.Errorf("other options changed (-want +got):\n%s", cmp.Diff(want, gotOpts))
		}
		if Validate(b) == nil {
			if err := Validate(got); err != nil {
				t.Errorf("valid message became invalid: %v", err)
			}
		}
	})
}

func FuzzInsertBeforeEnd(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b, byte(82), []byte{1, 4, 'e', 't', 'h', '1'}, uint16(1500))
		f.Add(b, byte(82), []byte{}, uint16(300))
	}
	f.Fuzz(func(t *testing.T, b []byte, code byte, value []byte, maxLen uint16) {
		value = value[:min(len(value), 255)]
		o := append([]byte{code, byte(len(value))}, value...)
		in := withCap(b, 2048)
		got, err := InsertBeforeEnd(in, o, int(maxLen))
		if err != nil {
			if !bytes.Equal(b, got) {
				t.Fatalf("message changed on error %v (-before +after):\n%s", err, cmp.Diff(b, got))
			}
			return
		}
		if len(got) < MinMessageLen || len(got) > int(maxLen) {
			t.Errorf("length %d outside [%d, %d]", len(got), MinMessageLen, maxLen)
		}
		before, after := mustOpts(t, b), mustOpts(t, got)
		if want := append(before, opt{Code: code, Value: value}); !equalOpts(want, after) {
			t.Errorf("options (-want +got):\n%s", cmp.Diff(want, after))
		}
		if len(without(before, code)) == len(before) {
			if n := len(after) - len(without(after, code)); n != 1 {
				t.Errorf("option %d found %d times, want once", code, n)
			}
		}
		// A first option 52 makes sname or file options, which may not parse.
		_, _, hadOverload := FindOption(b, OptOverload)
		if Validate(b) == nil && (code != OptOverload || hadOverload) {
			if err := Validate(got); err != nil {
				t.Errorf("valid message became invalid: %v", err)
			}
		}
	})
}

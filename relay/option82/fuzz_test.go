package option82

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var parseSeeds = [][]byte{
	{1, 4, 'e', 't', 'h', '1', 2, 6, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01},
	{5, 4, 203, 0, 113, 0, 6, 1, 's', 10, 1, 0x80, 11, 4, 203, 0, 113, 1},
	{9, 0, 9, 1, 'x'},
	{1, 0},
	{1, 5, 'a'},
	{1},
	{},
}

func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		subs, err := Parse(data)
		if verr := Validate(data); errText(verr) != errText(err) {
			t.Fatalf("Parse error %v, Validate error %v", err, verr)
		}
		if err != nil {
			return
		}
		var looked seenSet
		for _, so := range subs {
			if looked.add(so.Code) {
				continue // Lookup returns the first instance only
			}
			v, ok, lerr := Lookup(data, so.Code)
			if lerr != nil || !ok {
				t.Fatalf("Lookup(%d) = %v, %t, %v after Parse succeeded", so.Code, v, ok, lerr)
			}
			if !bytes.Equal(so.Data, v) {
				t.Errorf("Lookup(%d) (-Parse +Lookup):\n%s", so.Code, cmp.Diff(so.Data, v))
			}
		}
		if len(data) > MaxDataLen {
			return
		}
		b := NewBuilder(nil)
		for _, so := range subs {
			b.Add(so.Code, so.Data)
		}
		got, err := b.Bytes()
		if err != nil {
			t.Fatalf("rebuilding parsed sub-options: %v", err)
		}
		if want := append([]byte{82, byte(len(data))}, data...); !bytes.Equal(want, got) {
			t.Errorf("Build(Parse(x)) != x (-want +got):\n%s", cmp.Diff(want, got))
		}
	})
}

// subOptionsFrom turns fuzz bytes into sub-options: a code byte, a length
// byte, then that many bytes (or what is left).
func subOptionsFrom(spec []byte) []SubOption {
	var subs []SubOption
	for len(spec) >= 2 {
		code, n := spec[0], min(int(spec[1]), len(spec)-2)
		subs = append(subs, SubOption{Code: code, Data: spec[2 : 2+n]})
		spec = spec[2+n:]
	}
	return subs
}

func FuzzBuildParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec []byte) {
		want := subOptionsFrom(spec)
		b := NewBuilder(nil)
		for _, so := range want {
			b.Add(so.Code, so.Data)
		}
		opt, err := b.Bytes()
		if err != nil {
			for _, s := range []error{ErrEmpty, ErrEmptySubOption, ErrBadLength, ErrDuplicate, ErrTooLong} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("Bytes error %v is no sentinel", err)
		}
		if opt[0] != 82 || int(opt[1]) != len(opt)-2 {
			t.Fatalf("header %d, %d for %d bytes", opt[0], opt[1], len(opt))
		}
		got, err := Parse(opt[2:])
		if err != nil {
			t.Fatalf("Parse(Build(x)): %v", err)
		}
		if !equalSubs(want, got) {
			t.Errorf("Parse(Build(x)) != x (-want +got):\n%s", cmp.Diff(want, got, cmpopts.EquateEmpty()))
		}
	})
}

func equalSubs(a, b []SubOption) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Code != b[i].Code || !bytes.Equal(a[i].Data, b[i].Data) {
			return false
		}
	}
	return true
}

package wire

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// edit returns goldenDiscover changed by f.
func edit(f func(b []byte) []byte) []byte { return f(goldenDiscover()) }

func TestValidateAccepts(t *testing.T) {
	tests := map[string][]byte{
		"golden discover":               goldenDiscover(),
		"reply op":                      edit(func(b []byte) []byte { b[OffOp] = 2; return b }),
		"header only":                   goldenDiscover()[:HeaderLen],
		"cookie cut short, plain BOOTP": goldenDiscover()[:OffCookie+3],
		"plain BOOTP with opaque vendor area": edit(func(b []byte) []byte {
			copy(b[OffCookie:], []byte{1, 2, 3, 4, 5}) // no cookie: vendor bytes are not options
			return b
		}),
		"END right after the cookie":  edit(func(b []byte) []byte { b[OffOptions] = 255; clear(b[OffOptions+1:]); return b }),
		"END is the last byte":        goldenDiscover()[:goldenEnd+1],
		"pads before END":             edit(func(b []byte) []byte { b[goldenEnd] = 0; b[goldenEnd+3] = 255; return b }),
		"hlen 0":                      edit(func(b []byte) []byte { b[OffHLen] = 0; return b }),
		"hlen 16":                     edit(func(b []byte) []byte { b[OffHLen] = 16; return b }),
		"zero-length option":          edit(func(b []byte) []byte { copy(b[goldenEnd:], []byte{80, 0, 255}); return b }),
		"option 82 ending at the END": edit(func(b []byte) []byte { copy(b[goldenEnd:], []byte{82, 3, 1, 1, 'x', 255}); return b }),
		"long message with padding":   append(goldenDiscover(), make([]byte, 1200)...),
		// Junk after END is ignored (servers stop at END), not rejected.
		"option after END": edit(func(b []byte) []byte { copy(b[goldenEnd+1:], []byte{82, 1, 1}); return b }),
		"second END":       edit(func(b []byte) []byte { b[299] = 255; return b }),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if err := Validate(b); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
	for name, b := range dhcpMessages(t) {
		t.Run("insomniacslk "+name, func(t *testing.T) {
			if err := Validate(b); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name     string
		b        []byte
		sentinel error
		want     string
	}{
		{
			name: "empty", b: nil, sentinel: ErrTruncated,
			want: "truncated message: message is 0 bytes, the BOOTP header alone is 236",
		},
		{
			name: "one byte short of the header", b: goldenDiscover()[:HeaderLen-1], sentinel: ErrTruncated,
			want: "truncated message: message is 235 bytes, the BOOTP header alone is 236",
		},
		{
			name: "op 0", b: edit(func(b []byte) []byte { b[OffOp] = 0; return b }), sentinel: ErrBadOp,
			want: "bad op: op 0 at offset 0, want 1 (BOOTREQUEST) or 2 (BOOTREPLY)",
		},
		{
			name: "op 3", b: edit(func(b []byte) []byte { b[OffOp] = 3; return b }), sentinel: ErrBadOp,
			want: "bad op: op 3 at offset 0, want 1 (BOOTREQUEST) or 2 (BOOTREPLY)",
		},
		{
			name: "hlen 17", b: edit(func(b []byte) []byte { b[OffHLen] = 17; return b }), sentinel: ErrBadHLen,
			want: "bad hlen: hlen 17 at offset 2 is larger than the 16-byte chaddr field",
		},
		{
			name: "hlen 255", b: edit(func(b []byte) []byte { b[OffHLen] = 255; return b }), sentinel: ErrBadHLen,
			want: "bad hlen: hlen 255 at offset 2 is larger than the 16-byte chaddr field",
		},
		{
			name: "cookie and nothing else", b: goldenDiscover()[:OffOptions], sentinel: ErrNoEnd,
			want: "no end option: options field runs to the message end at offset 240 without END",
		},
		{
			name: "no END", b: goldenDiscover()[:goldenEnd], sentinel: ErrNoEnd,
			want: "no end option: options field runs to the message end at offset 257 without END",
		},
		{
			name: "only pads after the last option", b: edit(func(b []byte) []byte { b[goldenEnd] = 0; return b }),
			sentinel: ErrNoEnd,
			want:     "no end option: options field runs to the message end at offset 300 without END",
		},
		{
			name: "length byte missing", b: edit(func(b []byte) []byte { b[goldenEnd] = 82; return b[:goldenEnd+1] }),
			sentinel: ErrMalformedOptions,
			want:     "malformed options: option 82 at offset 257 has no length byte",
		},
		{
			name: "option overruns the message", b: edit(func(b []byte) []byte { b[goldenEnd] = 82; b[goldenEnd+1] = 255; return b }),
			sentinel: ErrMalformedOptions,
			want:     "malformed options: option 82 at offset 257: length 255 overruns the message end at offset 300",
		},
		{
			name: "first option overruns", b: edit(func(b []byte) []byte { b[OffOptions+1] = 200; return b }),
			sentinel: ErrMalformedOptions,
			want:     "malformed options: option 53 at offset 240: length 200 overruns the message end at offset 300",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.b)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("Validate = %v, want %v", err, tt.sentinel)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// overloaded is goldenDiscover with option 52 = v in place of its END (at
// 257, END moved to 260) and the given sname and file fields.
func overloaded(v []byte, sname, file []byte) []byte {
	b := goldenDiscover()
	copy(b[OffSName:OffSName+SNameLen], sname)
	copy(b[OffFile:OffFile+FileLen], file)
	o := append([]byte{OptOverload, byte(len(v))}, v...)
	copy(b[goldenEnd:], append(o, OptEnd))
	return b
}

func TestValidateOverloadAccepts(t *testing.T) {
	host := []byte{12, 4, 'h', 'o', 's', 't', 255}         // option 12 host name "host", END
	boot := []byte{67, 5, 'b', 'o', 'o', 't', '1', 0, 255} // option 67 boot file "boot1", pad, END
	full := make([]byte, FileLen)                          // one option filling the file field up to a last-byte END
	full[0], full[1], full[FileLen-1] = 43, FileLen-3, 255
	tests := map[string][]byte{
		"file holds options":            overloaded([]byte{1}, nil, boot),
		"sname holds options":           overloaded([]byte{2}, host, nil),
		"both hold options":             overloaded([]byte{3}, host, boot),
		"END first in the file field":   overloaded([]byte{1}, nil, []byte{255}),
		"pads before END":               overloaded([]byte{2}, []byte{0, 0, 0, 255}, nil),
		"END is the field's last byte":  overloaded([]byte{1}, nil, full),
		"garbage in a field not named":  overloaded([]byte{1}, []byte{12, 200}, boot),
		"garbage after the field's END": overloaded([]byte{2}, append(host, 12, 200), nil),
		"no overload: garbage ignored":  edit(func(b []byte) []byte { copy(b[OffFile:], []byte{12, 250}); return b }),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if err := Validate(b); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateOverloadRejects(t *testing.T) {
	tests := []struct {
		name     string
		b        []byte
		sentinel error
		want     string
	}{
		{
			name: "value 0", b: overloaded([]byte{0}, nil, nil), sentinel: ErrMalformedOptions,
			want: "malformed options: option overload (52) at offset 257 has value 0, want 1 (file), 2 (sname) or 3 (both)",
		},
		{
			name: "value 7", b: overloaded([]byte{7}, nil, nil), sentinel: ErrMalformedOptions,
			want: "malformed options: option overload (52) at offset 257 has value 7, want 1 (file), 2 (sname) or 3 (both)",
		},
		{
			name: "length 2", b: overloaded([]byte{1, 1}, nil, []byte{255}), sentinel: ErrMalformedOptions,
			want: "malformed options: option overload (52) at offset 257 has length 2, want 1",
		},
		{
			name: "length 0", b: overloaded(nil, nil, nil), sentinel: ErrMalformedOptions,
			want: "malformed options: option overload (52) at offset 257 has length 0, want 1",
		},
		{
			name: "file option overruns the field", b: overloaded([]byte{1}, nil, []byte{12, 250, 'x'}), sentinel: ErrMalformedOptions,
			want: "malformed options: overloaded file field: option 12 at offset 108: length 250 overruns the field end at offset 236",
		},
		{
			name: "empty file field: no END", b: overloaded([]byte{1}, nil, nil), sentinel: ErrNoEnd,
			want: "no end option: overloaded file field runs to its end at offset 236 without END",
		},
		{
			name: "sname without END", b: overloaded([]byte{2}, []byte{12, 4, 'h', 'o', 's', 't'}, nil), sentinel: ErrNoEnd,
			want: "no end option: overloaded sname field runs to its end at offset 108 without END",
		},
		{
			name: "sname bad in both", b: overloaded([]byte{3}, []byte{12, 200}, []byte{255}), sentinel: ErrMalformedOptions,
			want: "malformed options: overloaded sname field: option 12 at offset 44: length 200 overruns the field end at offset 108",
		},
		{
			name: "option 82 hidden in the sname field", b: overloaded([]byte{2}, []byte{82, 4, 1, 2, 'x', 'y', 255}, nil), sentinel: ErrMalformedOptions,
			want: "malformed options: overloaded sname field: option 82 at offset 44: relay agent information belongs in the options field",
		},
		{
			name: "length byte missing at the field's end",
			b: func() []byte {
				f := make([]byte, FileLen)
				f[FileLen-1] = 12 // a code in the last byte, its length would be the cookie
				return overloaded([]byte{1}, nil, f)
			}(),
			sentinel: ErrMalformedOptions,
			want:     "malformed options: overloaded file field: option 12 at offset 235 has no length byte",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.b)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("Validate = %v, want %v", err, tt.sentinel)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

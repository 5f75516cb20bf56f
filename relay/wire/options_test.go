package wire

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScannerGolden(t *testing.T) {
	want := []Option{
		{Code: 53, Off: 240, Start: 242, End: 243},
		{Code: 61, Off: 243, Start: 245, End: 252},
		{Code: 55, Off: 252, Start: 254, End: 257},
	}
	var got []Option
	s := NewScanner(goldenDiscover())
	for s.Next() {
		got = append(got, s.Option())
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	if got := s.End(); got != goldenEnd {
		t.Errorf("End = %d, want %d", got, goldenEnd)
	}
	if s.Next() {
		t.Error("Next after END returned true")
	}
}

func TestFindOption(t *testing.T) {
	twice := edit(func(b []byte) []byte { copy(b[goldenEnd:], []byte{53, 1, 3, 255}); return b })
	tests := []struct {
		name       string
		b          []byte
		code       byte
		start, end int
		ok         bool
	}{
		{name: "message type", b: goldenDiscover(), code: 53, start: 242, end: 243, ok: true},
		{name: "client id", b: goldenDiscover(), code: 61, start: 245, end: 252, ok: true},
		{name: "absent", b: goldenDiscover(), code: 82},
		{name: "pad", b: goldenDiscover(), code: 0},
		{name: "END", b: goldenDiscover(), code: 255},
		{name: "first of two", b: twice, code: 53, start: 242, end: 243, ok: true},
		{name: "no cookie", b: goldenDiscover()[:OffCookie], code: 53},
		{name: "after a malformed option", b: edit(func(b []byte) []byte { b[OffOptions+1] = 200; return b }), code: 61},
		{name: "before a malformed option", b: goldenDiscover()[:goldenEnd-1], code: 53, start: 242, end: 243, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end, ok := FindOption(tt.b, tt.code)
			want := []int{tt.start, tt.end}
			if !tt.ok {
				want = []int{0, 0}
			}
			if diff := cmp.Diff(want, []int{start, end}); diff != "" || ok != tt.ok {
				t.Errorf("FindOption = %d, %d, %t, want ok %t (-want +got):\n%s", start, end, ok, tt.ok, diff)
			}
		})
	}
}

func TestEndOffset(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		want    int
		wantErr string
	}{
		{name: "golden", b: goldenDiscover(), want: goldenEnd},
		{name: "END first", b: edit(func(b []byte) []byte { b[OffOptions] = 255; return b }), want: OffOptions},
		{name: "no cookie", b: goldenDiscover()[:OffOptions-1], want: -1, wantErr: "no magic cookie: no options field"},
		{
			name: "no END", b: goldenDiscover()[:goldenEnd], want: -1,
			wantErr: "no end option: options field runs to the message end at offset 257 without END",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EndOffset(tt.b)
			if got != tt.want {
				t.Errorf("EndOffset = %d, want %d", got, tt.want)
			}
			if diff := cmp.Diff(tt.wantErr, errText(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestAppendOptionData(t *testing.T) {
	split := edit(func(b []byte) []byte {
		copy(b[OffOptions+3:], []byte{
			82, 3, 1, 4, 'e', // option 82 part 1, length 3: circuit-id header + "e"
			0,                    // pad
			82, 3, 't', 'h', '1', // option 82 part 2, length 3: "th1"
			255, // END
		})
		clear(b[OffOptions+15:])
		return b
	})
	tests := []struct {
		name    string
		b       []byte
		code    byte
		want    []byte
		n       int
		wantErr string
	}{
		{name: "split option 82", b: split, code: 82, want: []byte{1, 4, 'e', 't', 'h', '1'}, n: 2},
		{name: "one instance", b: goldenDiscover(), code: 55, want: []byte{1, 3, 6}, n: 1},
		{name: "absent", b: goldenDiscover(), code: 82, want: []byte{}},
		{name: "plain BOOTP", b: goldenDiscover()[:OffCookie], code: 82, want: []byte{}},
		{name: "pad", b: goldenDiscover(), code: 0, want: []byte{}, wantErr: "bad option encoding: option 0 has no value"},
		{
			name: "malformed after the option", b: goldenDiscover()[:goldenEnd], code: 53, want: []byte{},
			wantErr: "no end option: options field runs to the message end at offset 257 without END",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := AppendOptionData(make([]byte, 0, 8), tt.b, tt.code)
			if diff := cmp.Diff(tt.want, got); diff != "" || n != tt.n {
				t.Errorf("AppendOptionData n = %d, want %d (-want +got):\n%s", n, tt.n, diff)
			}
			if diff := cmp.Diff(tt.wantErr, errText(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSentinelsAreDistinct(t *testing.T) {
	all := []error{ErrTruncated, ErrBadOp, ErrBadHLen, ErrMalformedOptions, ErrNoEnd, ErrNoCookie, ErrTooBig, ErrBadOption, ErrNotIPv4}
	for i, a := range all {
		for j, b := range all {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v is %v", a, b)
			}
		}
	}
}

// circuitEth1 is an option 82 with one sub-option.
var circuitEth1 = []byte{
	82, 6, // option 82, length 6
	1, 4, 'e', 't', 'h', '1', // circuit-id "eth1"
}

// fullDiscover is goldenDiscover with option 43 filling the message up to an
// END at offset 299: no room left in 300 bytes.
func fullDiscover() []byte {
	b := goldenDiscover()
	b[goldenEnd] = 43   // option 43 vendor specific
	b[goldenEnd+1] = 40 // length 40: value up to offset 298
	for i := goldenEnd + 2; i < 299; i++ {
		b[i] = 'v'
	}
	b[299] = 255 // END as the last byte
	return b[:300:300]
}

// pad300 pads b with zeros to 300 bytes.
func pad300(b []byte) []byte { return append(b, make([]byte, MinMessageLen-len(b))...) }

func TestInsertBeforeEnd(t *testing.T) {
	goldenInserted := pad300(append(goldenDiscover()[:goldenEnd:goldenEnd],
		82, 6, 1, 4, 'e', 't', 'h', '1', // option 82: circuit-id "eth1"
		255, // END moved to 265
	))
	tests := []struct {
		name    string
		b       []byte
		opt     []byte
		maxLen  int
		want    []byte
		inPlace bool
	}{
		{
			name: "in place in a 2 KiB buffer", b: withCap(goldenDiscover(), 2048), opt: circuitEth1, maxLen: 1500,
			want: goldenInserted, inPlace: true,
		},
		{
			name: "in place within 300 bytes", b: goldenDiscover()[:300:300], opt: circuitEth1, maxLen: 1500,
			want: goldenInserted, inPlace: true,
		},
		{
			name: "trailing padding is dropped", b: append(goldenDiscover(), make([]byte, 1200)...), opt: circuitEth1,
			maxLen: 1500, want: goldenInserted, inPlace: true,
		},
		{
			name: "grows past 300 into a new array", b: fullDiscover(), opt: circuitEth1, maxLen: 308,
			want: append(fullDiscover()[:299:299],
				82, 6, 1, 4, 'e', 't', 'h', '1', // option 82: circuit-id "eth1"
				255, // END at 307, message 308 bytes
			),
		},
		{
			name: "two options at once", b: withCap(goldenDiscover(), 2048), opt: []byte{82, 3, 1, 1, 'a', 60, 1, 'x'},
			maxLen: 576, inPlace: true,
			want: pad300(append(goldenDiscover()[:goldenEnd:goldenEnd],
				82, 3, 1, 1, 'a', // option 82: circuit-id "a"
				60, 1, 'x', // option 60 "x"
				255, // END
			)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InsertBeforeEnd(tt.b, tt.opt, tt.maxLen)
			if err != nil {
				t.Fatalf("InsertBeforeEnd: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
			if inPlace := &got[0] == &tt.b[0]; inPlace != tt.inPlace {
				t.Errorf("in place = %t, want %t", inPlace, tt.inPlace)
			}
			if err := Validate(got); err != nil {
				t.Errorf("Validate(result): %v", err)
			}
		})
	}
}

func TestInsertBeforeEndRejects(t *testing.T) {
	tests := []struct {
		name     string
		b        []byte
		opt      []byte
		maxLen   int
		sentinel error
		want     string
	}{
		{
			name: "one byte over the maximum", b: fullDiscover(), opt: circuitEth1, maxLen: 307, sentinel: ErrTooBig,
			want: "message too big: inserting 8 bytes of options makes the message 308 bytes, more than 307",
		},
		{
			name: "maximum below 300", b: goldenDiscover(), opt: circuitEth1, maxLen: 299, sentinel: ErrTooBig,
			want: "message too big: inserting 8 bytes of options makes the message 300 bytes, more than 299",
		},
		{
			name: "plain BOOTP", b: goldenDiscover()[:OffCookie], opt: circuitEth1, maxLen: 1500, sentinel: ErrNoCookie,
			want: "no magic cookie: no options field",
		},
		{
			name: "no END", b: goldenDiscover()[:goldenEnd], opt: circuitEth1, maxLen: 1500, sentinel: ErrNoEnd,
			want: "no end option: options field runs to the message end at offset 257 without END",
		},
		{
			name: "no option bytes", b: goldenDiscover(), opt: nil, maxLen: 1500, sentinel: ErrBadOption,
			want: "bad option encoding: no option bytes",
		},
		{
			name: "pad given", b: goldenDiscover(), opt: []byte{82, 1, 1, 0}, maxLen: 1500, sentinel: ErrBadOption,
			want: "bad option encoding: option 0 at offset 3: pad and END cannot be inserted",
		},
		{
			name: "END given", b: goldenDiscover(), opt: []byte{255}, maxLen: 1500, sentinel: ErrBadOption,
			want: "bad option encoding: option 255 at offset 0: pad and END cannot be inserted",
		},
		{
			name: "length overruns", b: goldenDiscover(), opt: []byte{82, 10, 1, 4}, maxLen: 1500, sentinel: ErrBadOption,
			want: "bad option encoding: option 82 at offset 0 overruns the 4 bytes given",
		},
		{
			name: "length byte missing", b: goldenDiscover(), opt: []byte{82, 1, 1, 82}, maxLen: 1500, sentinel: ErrBadOption,
			want: "bad option encoding: option 82 at offset 3 overruns the 4 bytes given",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]byte(nil), tt.b...)
			got, err := InsertBeforeEnd(tt.b, tt.opt, tt.maxLen)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("InsertBeforeEnd error = %v, want %v", err, tt.sentinel)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, got); diff != "" {
				t.Errorf("message changed on error (-before +after):\n%s", diff)
			}
		})
	}
}

func TestStripOption(t *testing.T) {
	// middle82 has an option 82 between 53 and 61, and a pad before END.
	middle82 := pad300(append(goldenDiscover()[:OffOptions:OffOptions],
		53, 1, 1, // option 53: DISCOVER
		82, 6, 1, 4, 'e', 't', 'h', '1', // option 82: circuit-id "eth1"
		61, 3, 1, 0xaa, 0xbb, // option 61 client id
		0,   // pad
		255, // END
	))
	split82 := pad300(append(goldenDiscover()[:OffOptions:OffOptions],
		82, 3, 1, 4, 'e', // option 82 part 1
		53, 1, 1, // option 53: DISCOVER
		82, 3, 't', 'h', '1', // option 82 part 2
		255, // END
	))
	tests := []struct {
		name string
		b    []byte
		code byte
		want []byte
		n    int
	}{
		{
			name: "last option, undoes InsertBeforeEnd",
			b: func() []byte {
				b, err := InsertBeforeEnd(goldenDiscover(), circuitEth1, 1500)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}(),
			code: 82, want: goldenDiscover(), n: 1,
		},
		{
			name: "middle option", b: middle82, code: 82, n: 1,
			want: pad300(append(goldenDiscover()[:OffOptions:OffOptions],
				53, 1, 1, // option 53: DISCOVER
				61, 3, 1, 0xaa, 0xbb, // option 61 moved left by 8
				0,   // pad kept
				255, // END
			)),
		},
		{
			name: "both parts of a split option", b: split82, code: 82, n: 2,
			want: pad300(append(goldenDiscover()[:OffOptions:OffOptions],
				53, 1, 1, // option 53: DISCOVER
				255, // END
			)),
		},
		{
			name: "first option", b: goldenDiscover(), code: 53, n: 1,
			want: pad300(append(goldenDiscover()[:OffOptions:OffOptions],
				61, 7, 1, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, // option 61 client id
				55, 3, 1, 3, 6, // option 55 parameter request list
				255, // END
			)),
		},
		{
			name: "long message keeps its length",
			b:    append(append([]byte(nil), middle82...), make([]byte, 300)...), code: 82, n: 1,
			want: append(pad300(append(goldenDiscover()[:OffOptions:OffOptions],
				53, 1, 1, 61, 3, 1, 0xaa, 0xbb, 0, 255,
			)), make([]byte, 300)...),
		},
		{name: "absent: unchanged", b: goldenDiscover(), code: 82, want: goldenDiscover()},
		{name: "empty message (fuzz 72581c0e8f27dd31)", b: []byte{}, code: '5', want: []byte{}},
		{name: "plain BOOTP: unchanged", b: goldenDiscover()[:OffCookie], code: 82, want: goldenDiscover()[:OffCookie]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := StripOption(tt.b, tt.code)
			if err != nil {
				t.Fatalf("StripOption: %v", err)
			}
			if n != tt.n {
				t.Errorf("removed %d, want %d", n, tt.n)
			}
			if diff := cmp.Diff(tt.want, tt.b); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStripOptionRejects(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		code byte
		want string
	}{
		{name: "pad", b: goldenDiscover(), code: 0, want: "bad option encoding: cannot strip option 0"},
		{name: "END", b: goldenDiscover(), code: 255, want: "bad option encoding: cannot strip option 255"},
		{
			name: "no END", b: goldenDiscover()[:goldenEnd], code: 53,
			want: "no end option: options field runs to the message end at offset 257 without END",
		},
		{
			name: "overrun after the option", b: edit(func(b []byte) []byte { b[goldenEnd] = 82; b[goldenEnd+1] = 200; return b }),
			code: 53, want: "malformed options: option 82 at offset 257: length 200 overruns the message end at offset 300",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]byte(nil), tt.b...)
			n, err := StripOption(tt.b, tt.code)
			if diff := cmp.Diff(tt.want, errText(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if n != 0 {
				t.Errorf("removed %d on error", n)
			}
			if diff := cmp.Diff(before, tt.b); diff != "" {
				t.Errorf("message changed on error (-before +after):\n%s", diff)
			}
		})
	}
}

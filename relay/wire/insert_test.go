package wire

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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

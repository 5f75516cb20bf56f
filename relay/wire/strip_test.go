package wire

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

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

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

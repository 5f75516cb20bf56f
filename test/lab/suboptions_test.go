package lab

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSubOptions(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  []SubOption
	}{
		{"empty", nil, nil},
		{
			name:  "circuit and remote id",
			input: []byte{1, 5, 'd', 'o', 'w', 'n', '0', 2, 3, 'h', 'o', 'p'},
			want:  []SubOption{{Code: 1, Data: []byte("down0")}, {Code: 2, Data: []byte("hop")}},
		},
		{
			name:  "zero length and repeated codes kept in order",
			input: []byte{11, 0, 1, 1, 'a', 1, 1, 'b'},
			want:  []SubOption{{Code: 11, Data: []byte{}}, {Code: 1, Data: []byte("a")}, {Code: 1, Data: []byte("b")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSubOptions(tt.input)
			if err != nil {
				t.Fatalf("ParseSubOptions: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sub-options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSubOptionsErrors(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"lone code", []byte{1}, "failed to parse option 82: sub-option at offset 0: truncated header"},
		{"length past end", []byte{1, 1, 'a', 2, 5, 'x'}, "failed to parse option 82: sub-option 2 at offset 3: length 5 exceeds the 1 bytes left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSubOptions(tt.input)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseSubOptions error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSubOptionString(t *testing.T) {
	tests := []struct {
		name string
		sub  SubOption
		want string
	}{
		{"text", SubOption{Code: 1, Data: []byte("down0")}, `1="down0"`},
		{"binary", SubOption{Code: 11, Data: []byte{203, 0, 113, 1}}, "11=hex:cb007101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.sub.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseSubOptions(f *testing.F) {
	f.Add([]byte{1, 5, 'd', 'o', 'w', 'n', '0', 2, 3, 'h', 'o', 'p'})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		subs, err := ParseSubOptions(b)
		if err != nil {
			return
		}
		// Re-encoding what parsed gives the input back.
		var out []byte
		for _, s := range subs {
			out = append(out, s.Code, byte(len(s.Data)))
			out = append(out, s.Data...)
		}
		if diff := cmp.Diff(b, out, cmp.Comparer(func(x, y []byte) bool { return string(x) == string(y) })); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}

package corpus

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarshalSeed(t *testing.T) {
	tests := []struct {
		name string
		args []any
		want string
	}{
		{
			// Byte for byte what `go test -fuzz` wrote for a crasher of
			// relay/wire's FuzzStripOption.
			name: "as go test writes it",
			args: []any{[]byte(""), byte('5')},
			want: "go test fuzz v1\n[]byte(\"\")\nbyte('5')\n",
		},
		{
			name: "binary bytes",
			args: []any{[]byte{0x00, 0x01, 'a', 0x0b, 0xff, '"'}},
			want: "go test fuzz v1\n[]byte(\"\\x00\\x01a\\v\\xff\\\"\")\n",
		},
		{
			name: "every type the targets take",
			args: []any{[]byte("x"), byte(0), byte(82), uint16(1472), true, false},
			want: "go test fuzz v1\n[]byte(\"x\")\nbyte('\\x00')\nbyte('R')\nuint16(1472)\nbool(true)\nbool(false)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MarshalSeed(tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("MarshalSeed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalSeedRejects(t *testing.T) {
	tests := []struct {
		name string
		args []any
		want string
	}{
		{"no arguments", nil, "failed to encode fuzz seed: no arguments"},
		{"int", []any{[]byte{}, 3}, "failed to encode fuzz seed: argument 1: unsupported type int"},
		{"string", []any{"x"}, "failed to encode fuzz seed: argument 0: unsupported type string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MarshalSeed(tt.args...)
			if err == nil {
				t.Fatal("MarshalSeed succeeded")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

package option82

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []SubOption
	}{
		{
			name: "circuit-id and remote-id",
			data: []byte{
				1, 4, 'e', 't', 'h', '1', // circuit-id "eth1"
				2, 2, 'r', '1', // remote-id "r1"
			},
			want: []SubOption{{Code: CircuitID, Data: []byte("eth1")}, {Code: RemoteID, Data: []byte("r1")}},
		},
		{
			name: "all known sub-options",
			data: []byte{
				5, 4, 203, 0, 113, 0, // link-selection 203.0.113.0
				6, 1, 's', // subscriber-id "s"
				10, 1, 0x80, // flags: unicast
				11, 4, 203, 0, 113, 1, // server-id-override 203.0.113.1
			},
			want: []SubOption{
				{Code: LinkSelection, Data: []byte{203, 0, 113, 0}},
				{Code: SubscriberID, Data: []byte("s")},
				{Code: Flags, Data: []byte{0x80}},
				{Code: ServerIDOverride, Data: []byte{203, 0, 113, 1}},
			},
		},
		{
			name: "unknown codes may be empty and repeat",
			data: []byte{
				9, 0, // sub-option 9, empty
				9, 1, 'x', // sub-option 9 again
				0, 0, // sub-option 0, empty
				255, 0, // sub-option 255, empty
			},
			want: []SubOption{
				{Code: 9, Data: []byte{}}, {Code: 9, Data: []byte("x")}, {Code: 0, Data: []byte{}}, {Code: 255, Data: []byte{}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sub-options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		sentinel error
		want     string
	}{
		{name: "empty", data: nil, sentinel: ErrEmpty, want: "empty relay agent information: option 82 has no sub-options"},
		{
			name: "length byte missing", data: []byte{1, 1, 'a', 2}, sentinel: ErrTruncated,
			want: "truncated sub-option: sub-option 2 (remote-id) at offset 3 has no length byte",
		},
		{
			name: "value overruns", data: []byte{1, 5, 'e', 't', 'h'}, sentinel: ErrTruncated,
			want: "truncated sub-option: sub-option 1 (circuit-id) at offset 0: length 5 overruns the 5 bytes of option 82",
		},
		{
			name: "unknown code overruns", data: []byte{1, 1, 'a', 151, 9, 0}, sentinel: ErrTruncated,
			want: "truncated sub-option: sub-option 151 at offset 3: length 9 overruns the 6 bytes of option 82",
		},
		{
			name: "empty circuit-id", data: []byte{1, 0}, sentinel: ErrEmptySubOption,
			want: "empty sub-option: sub-option 1 (circuit-id) at offset 0 has length 0",
		},
		{
			name: "empty remote-id", data: []byte{1, 1, 'a', 2, 0}, sentinel: ErrEmptySubOption,
			want: "empty sub-option: sub-option 2 (remote-id) at offset 3 has length 0",
		},
		{
			name: "link-selection of 3 bytes", data: []byte{5, 3, 203, 0, 113}, sentinel: ErrBadLength,
			want: "bad sub-option length: sub-option 5 (link-selection) at offset 0 has length 3, want 4",
		},
		{
			name: "server-id-override of 5 bytes", data: []byte{11, 5, 203, 0, 113, 1, 0}, sentinel: ErrBadLength,
			want: "bad sub-option length: sub-option 11 (server-id-override) at offset 0 has length 5, want 4",
		},
		{
			name: "flags of 0 bytes", data: []byte{10, 0}, sentinel: ErrBadLength,
			want: "bad sub-option length: sub-option 10 (flags) at offset 0 has length 0, want 1",
		},
		{
			name: "second circuit-id", data: []byte{1, 1, 'a', 2, 1, 'r', 1, 1, 'b'}, sentinel: ErrDuplicate,
			want: "duplicate sub-option: sub-option 1 (circuit-id) at offset 6 appeared before",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.data)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("Parse = %v, %v; want error %v", got, err, tt.sentinel)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, Validate(tt.data).Error()); diff != "" {
				t.Errorf("Validate error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	data := []byte{
		1, 4, 'e', 't', 'h', '1', // circuit-id "eth1"
		9, 1, 'x', // sub-option 9 "x"
		9, 1, 'y', // sub-option 9 "y"
	}
	tests := []struct {
		name    string
		data    []byte
		code    byte
		want    []byte
		found   bool
		wantErr string
	}{
		{name: "circuit-id", data: data, code: CircuitID, want: []byte("eth1"), found: true},
		{name: "first of a repeated code", data: data, code: 9, want: []byte("x"), found: true},
		{name: "absent", data: data, code: RemoteID},
		{
			name: "found but a later sub-option is bad", data: append(append([]byte(nil), data...), 2, 0), code: CircuitID,
			wantErr: "empty sub-option: sub-option 2 (remote-id) at offset 12 has length 0",
		},
		{name: "empty", data: nil, code: CircuitID, wantErr: "empty relay agent information: option 82 has no sub-options"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := Lookup(tt.data, tt.code)
			if diff := cmp.Diff(tt.want, got); diff != "" || found != tt.found {
				t.Errorf("Lookup found %t, want %t (-want +got):\n%s", found, tt.found, diff)
			}
			if diff := cmp.Diff(tt.wantErr, errText(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsedDataCannotGrowIntoInput(t *testing.T) {
	data := []byte{1, 1, 'a', 2, 1, 'r'}
	v, _, err := Lookup(data, CircuitID)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(v, 'X')
	if diff := cmp.Diff([]byte{1, 1, 'a', 2, 1, 'r'}, data); diff != "" {
		t.Errorf("append to a value changed the input (-want +got):\n%s", diff)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

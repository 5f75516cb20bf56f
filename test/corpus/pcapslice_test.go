package corpus

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pcapOf builds a little-endian pcap file with one record per payload.
func pcapOf(payloads ...[]byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint32(b, 262144)
	b = le.AppendUint32(b, 1)
	for i, p := range payloads {
		b = le.AppendUint32(b, uint32(i))
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, uint32(len(p)))
		b = le.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

func TestPcapSlice(t *testing.T) {
	a, b, c := []byte("first"), []byte("second!"), []byte("3")
	file := pcapOf(a, b, c)
	tests := []struct {
		name     string
		from, to int
		want     []byte
	}{
		{"middle record", 1, 2, pcapOf(b)[pcapHeaderLen:]},
		{"all", 0, 3, file[pcapHeaderLen:]},
		{"none", 2, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pcapSlice(file, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			// Records keep their own headers, timestamps included.
			want := append(append([]byte(nil), file[:pcapHeaderLen]...), tt.want...)
			if tt.name == "middle record" {
				binary.LittleEndian.PutUint32(want[pcapHeaderLen:], 1)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("pcapSlice (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPcapSliceRejects(t *testing.T) {
	file := pcapOf([]byte("first"), []byte("second"))
	tests := []struct {
		name string
		file []byte
		to   int
		want string
	}{
		{"no global header", file[:10], 1, "pcap global header: unexpected EOF"},
		{"record header cut", file[:pcapHeaderLen+8], 1, "pcap record 0 header: unexpected EOF"},
		{"record data cut", file[:len(file)-1], 2, "pcap record 1 data: unexpected EOF"},
		{"fewer records than asked", file, 3, "pcap record 2 header: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pcapSlice(tt.file, 0, tt.to)
			if err == nil {
				t.Fatal("pcapSlice succeeded")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDoraSliceNeedsDiscover(t *testing.T) {
	_, err := doraSlice(pcapOf([]byte("not a frame")))
	if err == nil || err.Error() != "no DISCOVER among 1 records" {
		t.Errorf("doraSlice error = %v, want no DISCOVER among 1 records", err)
	}
}

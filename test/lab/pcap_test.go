package lab

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// pcapFile builds a pcap file in the given byte order with the given magic
// number, link type and records.
func pcapFile(order binary.AppendByteOrder, magic, linkType uint32, recs ...PcapRecord) []byte {
	b := order.AppendUint32(nil, magic)
	b = order.AppendUint16(b, 2) // version 2.4
	b = order.AppendUint16(b, 4)
	b = order.AppendUint32(b, 0)      // thiszone
	b = order.AppendUint32(b, 0)      // sigfigs
	b = order.AppendUint32(b, 262144) // snaplen
	b = order.AppendUint32(b, linkType)
	for _, r := range recs {
		frac := uint32(r.Time.Nanosecond())
		if magic == pcapMagicMicro {
			frac /= 1000
		}
		b = order.AppendUint32(b, uint32(r.Time.Unix()))
		b = order.AppendUint32(b, frac)
		b = order.AppendUint32(b, uint32(len(r.Data)))
		b = order.AppendUint32(b, uint32(r.OrigLen))
		b = append(b, r.Data...)
	}
	return b
}

func TestReadPcap(t *testing.T) {
	r1 := PcapRecord{Time: time.Unix(1700000000, 123456000), Data: []byte{1, 2, 3}, OrigLen: 3}
	r2 := PcapRecord{Time: time.Unix(1700000001, 0), Data: []byte{}, OrigLen: 60}
	r3 := PcapRecord{Time: time.Unix(1700000002, 123456789), Data: []byte{9}, OrigLen: 1}
	tests := []struct {
		name string
		file []byte
		want []PcapRecord
	}{
		{"little endian micro", pcapFile(binary.LittleEndian, pcapMagicMicro, 1, r1, r2), []PcapRecord{r1, r2}},
		{"big endian micro", pcapFile(binary.BigEndian, pcapMagicMicro, 1, r1), []PcapRecord{r1}},
		{"nanosecond", pcapFile(binary.LittleEndian, pcapMagicNano, 1, r3), []PcapRecord{r3}},
		{"no records", pcapFile(binary.LittleEndian, pcapMagicMicro, 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadPcap(tt.file)
			if err != nil {
				t.Fatalf("ReadPcap: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadPcapErrors(t *testing.T) {
	rec := PcapRecord{Time: time.Unix(1700000000, 0), Data: []byte{1, 2, 3, 4}, OrigLen: 4}
	full := pcapFile(binary.LittleEndian, pcapMagicMicro, 1, rec, rec)
	huge := pcapFile(binary.LittleEndian, pcapMagicMicro, 1, rec)
	binary.LittleEndian.PutUint32(huge[24+8:], maxPcapRecord+1)
	tests := []struct {
		name     string
		file     []byte
		wantRecs int
		want     string
	}{
		{"empty", nil, 0, "failed to read pcap: global header: unexpected EOF"},
		{"bad magic", append([]byte{1, 2, 3, 4}, full[4:]...), 0, "failed to read pcap: bad magic number 01020304"},
		{"link type", pcapFile(binary.LittleEndian, pcapMagicMicro, 113), 0, "failed to read pcap: unsupported link type 113 (want Ethernet)"},
		{"cut in record header", full[:len(full)-20+8], 1, "failed to read pcap record 1: header: unexpected EOF"},
		{"cut in record data", full[:len(full)-1], 1, "failed to read pcap record 1: data: unexpected EOF"},
		{"huge record", huge, 0, "failed to read pcap record 0: captured length 262145 exceeds 262144"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := ReadPcap(tt.file)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ReadPcap error = %v, want %q", err, tt.want)
			}
			if len(recs) != tt.wantRecs {
				t.Errorf("ReadPcap gave %d complete records, want %d", len(recs), tt.wantRecs)
			}
		})
	}
}

func FuzzReadPcap(f *testing.F) {
	frame := mustHex("ffffffffffff02000000000108004500001f0000000040117acf00000000ffffffff00440043000b75e8686921")
	f.Add(pcapFile(binary.LittleEndian, pcapMagicMicro, 1, PcapRecord{Time: time.Unix(1, 0), Data: frame, OrigLen: len(frame)}))
	f.Add(pcapFile(binary.BigEndian, pcapMagicNano, 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, _ := ReadPcap(b)
		total := 0
		for _, r := range recs {
			total += pcapRecordHeaderLen + len(r.Data)
		}
		if total > len(b) {
			t.Fatalf("records hold %d bytes, more than the %d-byte file", total, len(b))
		}
		// Decoding what was read must not panic either.
		_, _ = DecodePackets(recs)
	})
}

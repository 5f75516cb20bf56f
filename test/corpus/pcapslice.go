package corpus

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Sizes of the classic pcap format's headers.
const (
	pcapHeaderLen = 24
	pcapRecordLen = 16
)

// doraRecords is how many records a capture slice keeps.
const doraRecords = 4

// doraSlice returns a capture file cut down to its global header and the
// doraRecords records from the first DISCOVER on: a small, real pcap file.
func doraSlice(file []byte) ([]byte, error) {
	recs, err := lab.ReadPcap(file)
	if err != nil {
		return nil, err
	}
	first := -1
	for i, r := range recs {
		f, err := lab.ParseFrame(r.Data)
		if err != nil {
			continue
		}
		if m, err := dhcpv4.FromBytes(f.Payload); err == nil && m.MessageType() == dhcpv4.MessageTypeDiscover {
			first = i
			break
		}
	}
	if first < 0 {
		return nil, fmt.Errorf("no DISCOVER among %d records", len(recs))
	}
	return pcapSlice(file, first, min(first+doraRecords, len(recs)))
}

// pcapSlice returns the global header of a pcap file followed by its
// records from..to-1, byte for byte.
func pcapSlice(file []byte, from, to int) ([]byte, error) {
	if len(file) < pcapHeaderLen {
		return nil, fmt.Errorf("pcap global header: %w", io.ErrUnexpectedEOF)
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch binary.BigEndian.Uint32(file) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		order = binary.BigEndian
	}
	out := append([]byte(nil), file[:pcapHeaderLen]...)
	off := pcapHeaderLen
	for i := 0; i < to; i++ {
		if len(file)-off < pcapRecordLen {
			return nil, fmt.Errorf("pcap record %d header: %w", i, io.ErrUnexpectedEOF)
		}
		n := pcapRecordLen + int(order.Uint32(file[off+8:]))
		if len(file)-off < n {
			return nil, fmt.Errorf("pcap record %d data: %w", i, io.ErrUnexpectedEOF)
		}
		if i >= from {
			out = append(out, file[off:off+n]...)
		}
		off += n
	}
	return out, nil
}

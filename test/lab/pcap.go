package lab

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// PcapRecord is one packet of a pcap file.
type PcapRecord struct {
	// Time is when the packet was captured.
	Time time.Time
	// Data is the captured bytes (at most the snapshot length).
	Data []byte
	// OrigLen is the packet's length on the wire.
	OrigLen int
}

const (
	pcapGlobalHeaderLen = 24
	pcapRecordHeaderLen = 16
	pcapMagicMicro      = 0xa1b2c3d4
	pcapMagicNano       = 0xa1b23c4d
	linkTypeEthernet    = 1
	// maxPcapRecord bounds one record's length whatever the file claims, so a
	// hostile or corrupt file cannot make the reader allocate without limit.
	maxPcapRecord = 262144
)

// ReadPcap reads a classic pcap file (either byte order, micro- or nanosecond
// timestamps) of Ethernet frames, as tcpdump -w writes it. A file that ends in the
// middle of a record (tcpdump is still writing it) gives the complete records and
// an error wrapping io.ErrUnexpectedEOF.
func ReadPcap(b []byte) ([]PcapRecord, error) {
	if len(b) < pcapGlobalHeaderLen {
		return nil, fmt.Errorf("failed to read pcap: global header: %w", io.ErrUnexpectedEOF)
	}
	order, nano, err := pcapByteOrder(b[0:4])
	if err != nil {
		return nil, err
	}
	if lt := order.Uint32(b[20:24]); lt != linkTypeEthernet {
		return nil, fmt.Errorf("failed to read pcap: unsupported link type %d (want Ethernet)", lt)
	}
	var recs []PcapRecord
	rest := b[pcapGlobalHeaderLen:]
	for len(rest) > 0 {
		rec, n, err := readPcapRecord(rest, order, nano)
		if err != nil {
			return recs, fmt.Errorf("failed to read pcap record %d: %w", len(recs), err)
		}
		recs = append(recs, rec)
		rest = rest[n:]
	}
	return recs, nil
}

// pcapByteOrder tells the file's byte order and timestamp resolution from its
// magic number.
func pcapByteOrder(magic []byte) (binary.ByteOrder, bool, error) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		switch order.Uint32(magic) {
		case pcapMagicMicro:
			return order, false, nil
		case pcapMagicNano:
			return order, true, nil
		}
	}
	return nil, false, fmt.Errorf("failed to read pcap: bad magic number %x", magic)
}

// readPcapRecord reads one record and returns it with the number of bytes used.
func readPcapRecord(b []byte, order binary.ByteOrder, nano bool) (PcapRecord, int, error) {
	if len(b) < pcapRecordHeaderLen {
		return PcapRecord{}, 0, fmt.Errorf("header: %w", io.ErrUnexpectedEOF)
	}
	sec, frac := order.Uint32(b[0:4]), order.Uint32(b[4:8])
	incl, orig := order.Uint32(b[8:12]), order.Uint32(b[12:16])
	if incl > maxPcapRecord {
		return PcapRecord{}, 0, fmt.Errorf("captured length %d exceeds %d", incl, maxPcapRecord)
	}
	end := pcapRecordHeaderLen + int(incl)
	if len(b) < end {
		return PcapRecord{}, 0, fmt.Errorf("data: %w", io.ErrUnexpectedEOF)
	}
	ns := int64(frac)
	if !nano {
		ns *= int64(time.Microsecond)
	}
	rec := PcapRecord{
		Time:    time.Unix(int64(sec), ns),
		Data:    bytes.Clone(b[pcapRecordHeaderLen:end]),
		OrigLen: int(orig),
	}
	return rec, end, nil
}

// isTruncated reports whether err says only that the file ends mid-record.
func isTruncated(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF)
}

package iface

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// cmsg encodes one control message, padded to its aligned size.
func cmsg(level, typ int, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	n := unix.CmsgLen(len(data))
	ne := binary.NativeEndian
	if unix.SizeofCmsghdr == 16 {
		ne.PutUint64(b[0:], uint64(n))
		ne.PutUint32(b[8:], uint32(level))
		ne.PutUint32(b[12:], uint32(typ))
	} else {
		ne.PutUint32(b[0:], uint32(n))
		ne.PutUint32(b[4:], uint32(level))
		ne.PutUint32(b[8:], uint32(typ))
	}
	copy(b[unix.CmsgLen(0):], data)
	return b
}

// auxdata encodes a struct tpacket_auxdata.
func auxdata(status, length uint32, tci uint16) []byte {
	b := make([]byte, sizeofAuxdata)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], status)
	ne.PutUint32(b[4:], length)
	ne.PutUint32(b[8:], length) // snaplen
	ne.PutUint16(b[12:], 0)     // mac offset
	ne.PutUint16(b[14:], 14)    // network offset
	ne.PutUint16(b[16:], tci)
	ne.PutUint16(b[18:], 0x8100)
	return b
}

func TestParseControl(t *testing.T) {
	aux := func(status, length uint32, tci uint16) []byte {
		return cmsg(unix.SOL_PACKET, unix.PACKET_AUXDATA, auxdata(status, length, tci))
	}
	tests := []struct {
		name string
		oob  []byte
		want FrameInfo
	}{
		{"none", nil, FrameInfo{}},
		{"checksum not ready", aux(unix.TP_STATUS_CSUMNOTREADY, 342, 0),
			FrameInfo{Len: 342, ChecksumNotReady: true}},
		{"checksum valid, VLAN tag", aux(unix.TP_STATUS_CSUM_VALID|unix.TP_STATUS_VLAN_VALID, 590, 0x200a),
			FrameInfo{Len: 590, ChecksumValid: true, VLANValid: true, VLANTCI: 0x200a}},
		{"TCI without VLAN_VALID is ignored", aux(0, 60, 0x000a), FrameInfo{Len: 60}},
		{"after another message",
			append(cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMP, make([]byte, 16)), aux(unix.TP_STATUS_CSUMNOTREADY, 342, 0)...),
			FrameInfo{Len: 342, ChecksumNotReady: true}},
		{"a later auxdata without VLAN_VALID drops the earlier TCI",
			append(aux(unix.TP_STATUS_VLAN_VALID, 60, 0x000a), aux(unix.TP_STATUS_CSUM_VALID, 77, 0x000b)...),
			FrameInfo{Len: 77, ChecksumValid: true}},
		{"auxdata too short", cmsg(unix.SOL_PACKET, unix.PACKET_AUXDATA, make([]byte, 10)), FrameInfo{}},
		{"truncated buffer", aux(unix.TP_STATUS_CSUMNOTREADY, 342, 0)[:20], FrameInfo{}},
		{"length below the header", func() []byte {
			b := aux(unix.TP_STATUS_CSUMNOTREADY, 342, 0)
			b[0] = 4
			return b
		}(), FrameInfo{}},
		{"length beyond the buffer", func() []byte {
			b := aux(unix.TP_STATUS_CSUMNOTREADY, 342, 0)
			b[0] = 200
			return b
		}(), FrameInfo{}},
		{"huge length", func() []byte {
			b := aux(unix.TP_STATUS_CSUMNOTREADY, 342, 0)
			for i := range unix.SizeofCmsghdr - 8 {
				b[i] = 0xff
			}
			return b
		}(), FrameInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got FrameInfo
			parseControl(tt.oob, &got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FrameInfo (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseControl(f *testing.F) {
	f.Add(cmsg(unix.SOL_PACKET, unix.PACKET_AUXDATA, auxdata(unix.TP_STATUS_CSUMNOTREADY, 342, 0)))
	f.Add(append(cmsg(1, 2, []byte{1, 2, 3}), cmsg(unix.SOL_PACKET, unix.PACKET_AUXDATA, auxdata(0, 1, 2))...))
	f.Fuzz(func(t *testing.T, oob []byte) {
		var info FrameInfo
		parseControl(oob, &info)
		// Only auxdata is read: the fields the kernel reports elsewhere
		// stay as they were, and a TCI comes only with VLAN_VALID.
		if info.IfIndex != 0 || info.Type != 0 || info.Truncated {
			t.Fatalf("parseControl set fields no control message carries: %+v", info)
		}
		if info.VLANTCI != 0 && !info.VLANValid {
			t.Fatalf("TCI %#x without VLAN_VALID", info.VLANTCI)
		}
		// Round trip: the auxdata that says what was parsed parses to it.
		var status uint32
		if info.ChecksumNotReady {
			status |= unix.TP_STATUS_CSUMNOTREADY
		}
		if info.ChecksumValid {
			status |= unix.TP_STATUS_CSUM_VALID
		}
		if info.VLANValid {
			status |= unix.TP_STATUS_VLAN_VALID
		}
		var again FrameInfo
		parseControl(cmsg(unix.SOL_PACKET, unix.PACKET_AUXDATA, auxdata(status, uint32(info.Len), info.VLANTCI)), &again)
		if diff := cmp.Diff(info, again); diff != "" {
			t.Fatalf("re-encoded auxdata parses differently (-first +again):\n%s", diff)
		}
		// A well-formed auxdata message after the input is always read
		// when the input is whole control messages.
		if len(oob)%unix.CmsgSpace(0) == 0 && wholeMessages(oob) {
			var last FrameInfo
			parseControl(append(append([]byte(nil), oob...), cmsg(unix.SOL_PACKET, unix.PACKET_AUXDATA, auxdata(unix.TP_STATUS_CSUM_VALID, 77, 0))...), &last)
			if want := (FrameInfo{Len: 77, ChecksumValid: true}); last != want {
				t.Fatalf("auxdata after %d bytes of whole messages: %+v, want %+v", len(oob), last, want)
			}
		}
	})
}

// wholeMessages reports whether oob is a sequence of well-formed control
// messages, each header's length within the buffer and padded to its
// aligned size.
func wholeMessages(oob []byte) bool {
	hdr := unix.CmsgLen(0)
	ne := binary.NativeEndian
	for len(oob) > 0 {
		if len(oob) < hdr {
			return false
		}
		var n uint64
		if unix.SizeofCmsghdr == 16 {
			n = ne.Uint64(oob)
		} else {
			n = uint64(ne.Uint32(oob))
		}
		if n < uint64(hdr) || n > uint64(len(oob)) {
			return false
		}
		next := unix.CmsgSpace(int(n) - hdr)
		if next > len(oob) {
			return false
		}
		oob = oob[next:]
	}
	return true
}

func TestPacketTypeString(t *testing.T) {
	got := []string{}
	for _, pt := range []PacketType{PacketHost, PacketBroadcast, PacketMulticast, PacketOtherHost, PacketOutgoing, 9} {
		got = append(got, pt.String())
	}
	want := []string{"host", "broadcast", "multicast", "otherhost", "outgoing", "type9"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

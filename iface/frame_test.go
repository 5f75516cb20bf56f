package iface

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpAddrs lets cmp compare netip values.
var cmpAddrs = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

// goodFrame is a client's broadcast, built by BuildUDP4.
func goodFrame(t testing.TB) []byte {
	return mustBuild(t, testHeader(), []byte("payload"))
}

// wantGood is what goodFrame parses to.
func wantGood(frame []byte) Datagram {
	return Datagram{
		DstMAC: testBroadMAC, SrcMAC: testClientMAC,
		Src: netip.IPv4Unspecified(), Dst: testBroadIP,
		TTL: 64, IPHeaderLen: 20, SrcPort: 68, DstPort: 67,
		Payload: frame[42:49],
	}
}

// mutate returns a copy of goodFrame changed by edit; fixIP and fixUDP
// recompute the checksums afterwards.
func mutate(t testing.TB, fixIP, fixUDP bool, edit func([]byte) []byte) []byte {
	f := edit(goodFrame(t))
	if fixUDP {
		fixUDPChecksum(f, 14)
	}
	if fixIP {
		fixIPChecksum(f, 14)
	}
	return f
}

// tagged inserts an 802.1Q tag with the given TCI into a frame.
func tagged(f []byte, tci uint16) []byte {
	g := append([]byte{}, f[:12]...)
	g = binary.BigEndian.AppendUint16(g, 0x8100)
	g = binary.BigEndian.AppendUint16(g, tci)
	return append(g, f[12:]...)
}

func TestParseUDP4(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
		info  FrameInfo
		want  func(f []byte) Datagram
	}{
		{name: "client broadcast", frame: goodFrame(t), want: wantGood},
		{
			name:  "Ethernet padding ignored",
			frame: append(goodFrame(t), make([]byte, 11)...),
			want:  wantGood,
		},
		{
			name:  "802.1Q tag in the frame",
			frame: tagged(goodFrame(t), 0x200a), // priority 1, VLAN 10
			want: func(f []byte) Datagram {
				d := wantGood(f)
				d.VLANTagged, d.VLANTCI = true, 0x200a
				d.Payload = f[46:53]
				return d
			},
		},
		{
			name: "IP options",
			frame: mutate(t, true, false, func(f []byte) []byte {
				g := append(append(append([]byte{}, f[:34]...), 1, 1, 1, 0), f[34:]...)
				g[14] = 0x46
				binary.BigEndian.PutUint16(g[16:18], binary.BigEndian.Uint16(g[16:18])+4)
				return g
			}),
			want: func(f []byte) Datagram {
				d := wantGood(f)
				d.IPHeaderLen = 24
				d.Payload = f[46:53]
				return d
			},
		},
		{
			name: "UDP length shorter than the IP payload",
			frame: mutate(t, true, true, func(f []byte) []byte {
				binary.BigEndian.PutUint16(f[38:40], 8+3)
				return f
			}),
			want: func(f []byte) Datagram {
				d := wantGood(f)
				d.Payload = f[42:45]
				return d
			},
		},
		{
			name: "no UDP checksum",
			frame: mutate(t, false, false, func(f []byte) []byte {
				f[40], f[41] = 0, 0
				return f
			}),
			want: wantGood,
		},
		{
			name:  "bad UDP checksum, kernel says not computed yet",
			frame: mutate(t, false, false, func(f []byte) []byte { f[40] ^= 0xff; return f }),
			info:  FrameInfo{ChecksumNotReady: true},
			want:  wantGood,
		},
		{
			name:  "bad UDP checksum, kernel says verified",
			frame: mutate(t, false, false, func(f []byte) []byte { f[40] ^= 0xff; return f }),
			info:  FrameInfo{ChecksumValid: true},
			want:  wantGood,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseUDP4(tt.frame, tt.info)
			if err != nil {
				t.Fatalf("ParseUDP4: %v", err)
			}
			if diff := cmp.Diff(tt.want(tt.frame), got, cmpAddrs); diff != "" {
				t.Errorf("datagram (-want +got):\n%s", diff)
			}
		})
	}
}

// badFrames are frames ParseUDP4 must reject, with the reason.
func badFrames(t testing.TB) []struct {
	name    string
	frame   []byte
	wantErr error
	text    string
} {
	return []struct {
		name    string
		frame   []byte
		wantErr error
		text    string
	}{
		{"empty", nil, ErrTruncated, "frame truncated"},
		{"13 bytes", goodFrame(t)[:13], ErrTruncated, "frame truncated"},
		{"ARP", mutate(t, false, false, func(f []byte) []byte { f[12], f[13] = 0x08, 0x06; return f }),
			ErrNotIPv4, "not an IPv4 packet"},
		{"802.1Q tag cut", tagged(goodFrame(t), 10)[:17], ErrTruncated, "frame truncated"},
		{"802.1ad outer tag", mutate(t, false, false, func(f []byte) []byte {
			g := tagged(f, 10)
			g[12], g[13] = 0x88, 0xa8
			return g
		}), ErrNotIPv4, "not an IPv4 packet"},
		{"IPv4 header cut", goodFrame(t)[:33], ErrTruncated, "frame truncated"},
		{"IP version 6", mutate(t, true, false, func(f []byte) []byte { f[14] = 0x65; return f }),
			ErrNotIPv4, "not an IPv4 packet"},
		{"IHL 4", mutate(t, true, false, func(f []byte) []byte { f[14] = 0x44; return f }),
			ErrBadLength, "bad length field"},
		{"IHL beyond total length", mutate(t, false, false, func(f []byte) []byte { f[14] = 0x4f; return f }),
			ErrBadLength, "bad length field"},
		{"total length below 20", mutate(t, true, false, func(f []byte) []byte { f[16], f[17] = 0, 19; return f }),
			ErrBadLength, "bad length field"},
		{"total length beyond the frame", mutate(t, true, false, func(f []byte) []byte { f[17]++; return f }),
			ErrTruncated, "frame truncated"},
		{"frame cut inside the payload", goodFrame(t)[:45], ErrTruncated, "frame truncated"},
		{"bad IPv4 checksum", mutate(t, false, false, func(f []byte) []byte { f[24] ^= 1; return f }),
			ErrBadIPChecksum, "bad IPv4 header checksum"},
		{"first fragment", mutate(t, true, false, func(f []byte) []byte { f[20] = 0x20; return f }),
			ErrFragment, "fragmented IPv4 packet"},
		{"later fragment", mutate(t, true, false, func(f []byte) []byte { f[20], f[21] = 0x40, 0x01; return f }),
			ErrFragment, "fragmented IPv4 packet"},
		{"TCP", mutate(t, true, false, func(f []byte) []byte { f[23] = 6; return f }),
			ErrNotUDP, "not a UDP datagram"},
		{"UDP header cut by the IP length", mutate(t, true, false, func(f []byte) []byte {
			f[16], f[17] = 0, 20+7
			return f
		}), ErrTruncated, "frame truncated"},
		{"UDP length 7", mutate(t, false, false, func(f []byte) []byte { f[38], f[39] = 0, 7; return f }),
			ErrBadLength, "bad length field"},
		{"UDP length beyond the IP packet", mutate(t, false, false, func(f []byte) []byte { f[39]++; return f }),
			ErrBadLength, "bad length field"},
		{"bad UDP checksum", mutate(t, false, false, func(f []byte) []byte { f[45] ^= 0x40; return f }),
			ErrBadUDPChecksum, "bad UDP checksum"},
	}
}

func TestParseUDP4Errors(t *testing.T) {
	for _, tt := range badFrames(t) {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUDP4(tt.frame, FrameInfo{})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.text, err.Error()); diff != "" {
				t.Errorf("error text (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseUDP4NoAllocs(t *testing.T) {
	good := goodFrame(t)
	bad := mutate(t, false, false, func(f []byte) []byte { f[45] ^= 0x40; return f })
	for name, f := range map[string][]byte{"good": good, "bad checksum": bad} {
		allocs := testing.AllocsPerRun(100, func() { _, _ = ParseUDP4(f, FrameInfo{}) })
		if allocs != 0 {
			t.Errorf("%s: ParseUDP4 allocated %v times per call, want 0", name, allocs)
		}
	}
}

// headerOf returns the UDP4Header that rebuilds d.
func headerOf(d Datagram) UDP4Header {
	return UDP4Header{
		DstMAC: d.DstMAC, SrcMAC: d.SrcMAC, Src: d.Src, Dst: d.Dst,
		TOS: d.TOS, TTL: d.TTL, SrcPort: d.SrcPort, DstPort: d.DstPort,
	}
}

func FuzzParseUDP4(f *testing.F) {
	f.Add(goodFrame(f), uint8(0))
	f.Add(tagged(goodFrame(f), 10), uint8(1))
	for _, tt := range badFrames(f) {
		f.Add(tt.frame, uint8(0))
		f.Add(tt.frame, uint8(3))
	}
	f.Fuzz(func(t *testing.T, frame []byte, flags uint8) {
		info := FrameInfo{ChecksumNotReady: flags&1 != 0, ChecksumValid: flags&2 != 0}
		d, err := ParseUDP4(frame, info)
		if err != nil {
			return
		}
		rebuilt, err := BuildUDP4(nil, headerOf(d), d.Payload)
		if err != nil {
			t.Fatalf("BuildUDP4 of a parsed datagram: %v", err)
		}
		got, err := ParseUDP4(rebuilt, FrameInfo{})
		if err != nil {
			t.Fatalf("ParseUDP4 of a rebuilt frame: %v", err)
		}
		want := d
		want.VLANTagged, want.VLANTCI, want.IPHeaderLen = false, 0, 20
		if want.TTL == 0 {
			want.TTL = DefaultTTL
		}
		if diff := cmp.Diff(want, got, cmpAddrs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	})
}

func BenchmarkParseUDP4(b *testing.B) {
	h := testHeader()
	h.DstMAC = net.HardwareAddr(testRelayMAC)
	frame := mustBuild(b, h, make([]byte, 300)) // a minimal BOOTREQUEST
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := ParseUDP4(frame, FrameInfo{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPeekUDPDstPort(t *testing.T) {
	good := mustBuild(t, testHeader(), []byte("payload"))
	tagged := append(append(append([]byte{}, good[:12]...), 0x81, 0x00, 0x00, 0x0a), good[12:]...)
	tcp := append([]byte{}, good...)
	tcp[23] = 6
	tests := []struct {
		name  string
		frame []byte
		want  uint16
		ok    bool
	}{
		{"untagged", good, testHeader().DstPort, true},
		{"802.1Q tagged", tagged, testHeader().DstPort, true},
		{"TCP", tcp, 0, false},
		{"no room for the port", good[:36], 0, false},
		{"Ethernet header only", good[:14], 0, false},
		{"empty", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := PeekUDPDstPort(tt.frame)
			if diff := cmp.Diff([2]any{tt.want, tt.ok}, [2]any{p, ok}); diff != "" {
				t.Errorf("PeekUDPDstPort (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzPeekUDPDstPort: the peek never panics, and agrees with ParseUDP4 on
// every frame ParseUDP4 accepts.
func FuzzPeekUDPDstPort(f *testing.F) {
	f.Add(mustBuild(f, testHeader(), []byte("payload")))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, frame []byte) {
		p, ok := PeekUDPDstPort(frame)
		d, err := ParseUDP4(frame, FrameInfo{ChecksumValid: true})
		if err == nil && (!ok || p != d.DstPort) {
			t.Fatalf("peek = %d, %v; ParseUDP4's port %d", p, ok, d.DstPort)
		}
	})
}

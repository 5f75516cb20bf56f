package iface

import (
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unhex decodes hex with spaces, newlines and "//" comments removed.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	var clean strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "//")
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		t.Fatalf("bad golden hex: %v", err)
	}
	return b
}

func TestBuildUDP4Golden(t *testing.T) {
	tests := []struct {
		name    string
		h       UDP4Header
		payload []byte
		golden  string // checksums computed independently (Python, RFC 1071)
	}{
		{
			name:    "client broadcast, default TTL, odd payload",
			h:       testHeader(),
			payload: []byte("hello"),
			golden: `
				ffffffffffff       // Ethernet destination: broadcast
				02005e000001       // Ethernet source
				0800               // EtherType IPv4
				45                 // version 4, IHL 5
				00                 // TOS
				0021               // total length 33 = 20 + 8 + 5
				1234               // identification
				4000               // flags DF, fragment offset 0
				40                 // TTL 64 (default)
				11                 // protocol UDP
				2899               // IPv4 header checksum
				00000000           // source 0.0.0.0
				ffffffff           // destination 255.255.255.255
				0044               // UDP source port 68
				0043               // UDP destination port 67
				000d               // UDP length 13 = 8 + 5
				bb7b               // UDP checksum, odd byte padded with zero
				68656c6c6f         // payload "hello"
			`,
		},
		{
			name: "unicast reply, TTL and TOS set",
			h: UDP4Header{
				DstMAC: testClientMAC, SrcMAC: testRelayMAC,
				Src: testRelayIP, Dst: netip.MustParseAddr("203.0.113.77"),
				TOS: 0x10, TTL: 16, SrcPort: 67, DstPort: 68,
			},
			payload: []byte{1, 2, 3, 4},
			golden: `
				02005e000001       // Ethernet destination: the client
				02005e000002       // Ethernet source: the relay
				0800               // EtherType IPv4
				45                 // version 4, IHL 5
				10                 // TOS
				0020               // total length 32 = 20 + 8 + 4
				0000               // identification
				4000               // flags DF, fragment offset 0
				10                 // TTL 16
				11                 // protocol UDP
				f26d               // IPv4 header checksum
				cb007101           // source 203.0.113.1
				cb00714d           // destination 203.0.113.77
				0043               // UDP source port 67
				0044               // UDP destination port 68
				000c               // UDP length 12 = 8 + 4
				82f9               // UDP checksum
				01020304           // payload
			`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildUDP4(make([]byte, 0, 128), tt.h, tt.payload)
			if err != nil {
				t.Fatalf("BuildUDP4: %v", err)
			}
			if diff := cmp.Diff(unhex(t, tt.golden), got); diff != "" {
				t.Errorf("frame (-want +got):\n%s", diff)
			}
			// Verify the checksums with the independent implementation too.
			if c := refChecksum(got[14:34]); c != 0 {
				t.Errorf("IPv4 header does not checksum to 0: %#04x", c)
			}
			pseudo := append(append([]byte{}, got[26:34]...), 0, 17, got[38], got[39])
			if c := refChecksum(pseudo, got[34:]); c != 0 {
				t.Errorf("UDP datagram does not checksum to 0: %#04x", c)
			}
		})
	}
}

// A UDP checksum that computes to 0 is sent as 0xffff (RFC 768), and the
// frame still parses.
func TestBuildUDP4ZeroChecksum(t *testing.T) {
	h := testHeader()
	f := mustBuild(t, h, []byte{0, 0})
	// With the payload word equal to this checksum, the sum becomes 0xffff
	// and the computed checksum 0.
	c0 := binary.BigEndian.Uint16(f[40:42])
	var p [2]byte
	binary.BigEndian.PutUint16(p[:], c0)
	f = mustBuild(t, h, p[:])
	if got := binary.BigEndian.Uint16(f[40:42]); got != 0xffff {
		t.Fatalf("UDP checksum = %#04x, want 0xffff", got)
	}
	if _, err := ParseUDP4(f, FrameInfo{}); err != nil {
		t.Fatalf("ParseUDP4: %v", err)
	}
}

// The payload may be written in place, after FrameHeaderLen bytes of the
// buffer, and nothing is allocated.
func TestBuildUDP4InPlace(t *testing.T) {
	buf := make([]byte, 0, 1500)
	payload := append(buf[:FrameHeaderLen], "in place"...)[FrameHeaderLen:]
	want := mustBuild(t, testHeader(), []byte("in place"))
	var got []byte
	allocs := testing.AllocsPerRun(10, func() {
		var err error
		got, err = BuildUDP4(buf, testHeader(), payload)
		if err != nil {
			t.Fatal(err)
		}
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("frame (-want +got):\n%s", diff)
	}
	if &got[0] != &buf[:1][0] {
		t.Errorf("frame was not built in the caller's buffer")
	}
	if allocs != 0 {
		t.Errorf("BuildUDP4 allocated %v times per call, want 0", allocs)
	}
}

// A payload overlapping the start of the buffer is moved, not clobbered.
func TestBuildUDP4Overlap(t *testing.T) {
	buf := make([]byte, 200)
	copy(buf, "overlapping payload")
	got, err := BuildUDP4(buf[:0], testHeader(), buf[:19])
	if err != nil {
		t.Fatalf("BuildUDP4: %v", err)
	}
	if diff := cmp.Diff("overlapping payload", string(got[FrameHeaderLen:])); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
}

func TestBuildUDP4Errors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(h *UDP4Header)
		payload int
		want    string
	}{
		{"short destination MAC", func(h *UDP4Header) { h.DstMAC = h.DstMAC[:5] },
			10, `failed to build UDP frame: destination MAC address "ff:ff:ff:ff:ff" is not 6 bytes long`},
		{"no source MAC", func(h *UDP4Header) { h.SrcMAC = nil },
			10, `failed to build UDP frame: source MAC address "" is not 6 bytes long`},
		{"IPv6 source", func(h *UDP4Header) { h.Src = netip.MustParseAddr("2001:db8::1") },
			10, "failed to build UDP frame: source address 2001:db8::1 is not IPv4"},
		{"IPv4-mapped destination", func(h *UDP4Header) { h.Dst = netip.MustParseAddr("::ffff:203.0.113.9") },
			10, "failed to build UDP frame: destination address ::ffff:203.0.113.9 is not IPv4"},
		{"zero destination", func(h *UDP4Header) { h.Dst = netip.Addr{} },
			10, "failed to build UDP frame: destination address invalid IP is not IPv4"},
		{"payload too long", func(h *UDP4Header) {},
			65508, "failed to build UDP frame: payload of 65508 bytes does not fit in an IPv4 packet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testHeader()
			tt.edit(&h)
			_, err := BuildUDP4(nil, h, make([]byte, tt.payload))
			if err == nil {
				t.Fatal("BuildUDP4 succeeded, want an error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildUDP4MaxPayload(t *testing.T) {
	f := mustBuild(t, testHeader(), make([]byte, 65507))
	if got, want := len(f), 14+65535; got != want {
		t.Fatalf("frame length = %d, want %d", got, want)
	}
	if _, err := ParseUDP4(f, FrameInfo{}); err != nil {
		t.Fatalf("ParseUDP4: %v", err)
	}
}

var benchSink []byte

func BenchmarkBuildUDP4(b *testing.B) {
	buf := make([]byte, 0, 1500)
	payload := make([]byte, 548) // a typical DHCP reply
	h := testHeader()
	h.DstMAC = net.HardwareAddr(testClientMAC)
	b.ReportAllocs()
	b.SetBytes(int64(FrameHeaderLen + len(payload)))
	for b.Loop() {
		f, err := BuildUDP4(buf, h, payload)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = f
	}
}

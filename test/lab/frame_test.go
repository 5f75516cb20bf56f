package lab

import (
	"encoding/hex"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustMAC(t *testing.T, s string) net.HardwareAddr {
	t.Helper()
	m, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// golden joins hex fields written one per line with comments, ignoring spaces.
func golden(t *testing.T, fields ...string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(strings.Join(fields, ""), " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustHex decodes hex for fuzz seeds.
func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestFrameMarshalGolden(t *testing.T) {
	tests := []struct {
		name  string
		frame Frame
		want  []byte
	}{
		{
			name: "broadcast discover shape, odd payload",
			frame: Frame{
				DstMAC: mustMAC(t, "ff:ff:ff:ff:ff:ff"), SrcMAC: mustMAC(t, "02:00:00:00:00:01"),
				Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: netip.MustParseAddrPort("255.255.255.255:67"),
				Payload: []byte("hi!"),
			},
			want: golden(t,
				"ffffffffffff", "020000000001", "0800", // Ethernet: dst, src, IPv4
				"45", "00", "001f", "0000", "0000", // IPv4: version+IHL, TOS, total 31, id, flags+offset
				"40", "11", "7acf", // TTL 64 (default), UDP, header checksum
				"00000000", "ffffffff", // source, destination
				"0044", "0043", "000b", "75e8", // UDP: 68 → 67, length 11, checksum
				"686921", // payload "hi!"
			),
		},
		{
			name: "tagged unicast with ttl",
			frame: Frame{
				DstMAC: mustMAC(t, "ff:ff:ff:ff:ff:ff"), SrcMAC: mustMAC(t, "02:00:00:00:00:01"), VLAN: 20,
				Src: netip.MustParseAddrPort("203.0.113.1:67"), Dst: netip.MustParseAddrPort("198.51.100.2:67"),
				TTL: 1, Payload: []byte("ab"),
			},
			want: golden(t,
				"ffffffffffff", "020000000001", // Ethernet dst, src
				"8100", "0014", // 802.1Q tag: VLAN 20
				"0800",                             // IPv4
				"45", "00", "001e", "0000", "0000", // version+IHL, TOS, total 30, id, flags+offset
				"01", "11", "5398", "cb007101", "c6336402", // TTL 1, UDP, checksum, 203.0.113.1 → 198.51.100.2
				"0043", "0043", "000a", "37ba", // UDP 67 → 67, length 10, checksum
				"6162", // payload "ab"
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.frame.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Marshal bytes (-want +got):\n%s", diff)
			}
			back, err := ParseFrame(got)
			if err != nil {
				t.Fatalf("ParseFrame: %v", err)
			}
			want := tt.frame
			if want.TTL == 0 {
				want.TTL = defaultTTL
			}
			if diff := cmp.Diff(want, back, CmpNetip()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFrameMarshalErrors(t *testing.T) {
	good := Frame{
		DstMAC: mustMAC(t, "ff:ff:ff:ff:ff:ff"), SrcMAC: mustMAC(t, "02:00:00:00:00:01"),
		Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: netip.MustParseAddrPort("255.255.255.255:67"),
	}
	tests := []struct {
		name   string
		modify func(*Frame)
		want   string
	}{
		{"short mac", func(f *Frame) { f.SrcMAC = f.SrcMAC[:4] }, "failed to build frame: MAC addresses must be 6 bytes, got 6 and 4"},
		{"ipv6", func(f *Frame) { f.Dst = netip.MustParseAddrPort("[2001:db8::1]:67") }, "failed to build frame: addresses must be IPv4, got 0.0.0.0:68 and [2001:db8::1]:67"},
		{"vlan range", func(f *Frame) { f.VLAN = 4095 }, "failed to build frame: VLAN 4095 out of range 0..4094"},
		{"too big", func(f *Frame) { f.Payload = make([]byte, 65508) }, "failed to build frame: payload of 65508 bytes does not fit an IPv4 datagram"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := good
			tt.modify(&f)
			_, err := f.Marshal()
			if err == nil || err.Error() != tt.want {
				t.Errorf("Marshal error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseFrameErrors(t *testing.T) {
	valid := golden(t, "ffffffffffff020000000001", "0800",
		"4500001f0000000040117acf00000000ffffffff", "00440043000b75e8", "686921")
	edit := func(at int, b ...byte) []byte {
		out := append([]byte{}, valid...)
		copy(out[at:], b)
		return out
	}
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"empty", nil, "failed to parse frame: 0 bytes is shorter than an Ethernet header"},
		{"arp", edit(12, 0x08, 0x06), "failed to parse frame: ethertype 0x0806: not an ipv4/udp frame"},
		{"truncated vlan tag", edit(12, 0x81, 0x00)[:16], "failed to parse frame: truncated 802.1Q tag"},
		{"short ipv4", valid[:30], "failed to parse frame: ipv4 header: 16 bytes is too short"},
		{"ipv6 version", edit(14, 0x65), "failed to parse frame: ipv4 header: version 6"},
		{"header length 4 words", edit(14, 0x44), "failed to parse frame: ipv4 header: header length 16 is too short"},
		{"total below header", edit(16, 0x00, 0x10), "failed to parse frame: ipv4 header: total length 16 is shorter than the header length 20"},
		{"total beyond capture", edit(16, 0x00, 0xff), "failed to parse frame: ipv4 header: total length 255 exceeds the 31 bytes captured"},
		{"fragment", edit(20, 0x20, 0x00), "failed to parse frame: ipv4 header: fragment (flags and offset 0x2000)"},
		{"tcp", edit(23, 6), "failed to parse frame: ipv4 protocol 6: not an ipv4/udp frame"},
		{"udp header cut", edit(16, 0x00, 0x18), "failed to parse frame: udp header: 4 bytes is too short"},
		{"udp length too long", edit(38, 0x00, 0x20), "failed to parse frame: udp header: length 32 does not fit the 11 bytes of the datagram"},
		{"udp length too short", edit(38, 0x00, 0x04), "failed to parse frame: udp header: length 4 does not fit the 11 bytes of the datagram"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFrame(tt.input)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseFrame error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseFrameIgnoresEthernetPadding(t *testing.T) {
	padded := append(golden(t, "ffffffffffff020000000001", "0800",
		"4500001f0000000040117acf00000000ffffffff", "00440043000b75e8", "686921"), make([]byte, 15)...)
	f, err := ParseFrame(padded)
	if err != nil {
		t.Fatalf("ParseFrame: %v", err)
	}
	if diff := cmp.Diff([]byte("hi!"), f.Payload); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
}

func FuzzParseFrame(f *testing.F) {
	f.Add(mustHex("ffffffffffff02000000000108004500001f0000000040117acf00000000ffffffff00440043000b75e8686921"))
	f.Add(mustHex("ffffffffffff0200000000018100001408004500001e0000000001115398cb007101c633640200430043000a37ba6162"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ParseFrame(b)
		if err != nil {
			return
		}
		// What parses must build again and parse back to the same fields.
		out, err := fr.Marshal()
		if err != nil {
			if fr.VLAN > maxVLANID {
				return // VLAN 4095 is reserved: parsed, never built
			}
			t.Fatalf("Marshal of a parsed frame: %v", err)
		}
		back, err := ParseFrame(out)
		if err != nil {
			t.Fatalf("ParseFrame of a rebuilt frame: %v", err)
		}
		if fr.TTL == 0 {
			fr.TTL = defaultTTL
		}
		if diff := cmp.Diff(fr, back, CmpNetip()); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}

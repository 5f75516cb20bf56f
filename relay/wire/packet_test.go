package wire

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type header struct {
	Op                             Op
	HType, HLen, Hops              byte
	XID                            uint32
	Secs, Flags                    uint16
	Broadcast, Cookie              bool
	CIAddr, YIAddr, SIAddr, GIAddr netip.Addr
	CHAddr                         []byte
	Type                           MessageType
}

func headerOf(p Packet) header {
	return header{
		Op: p.Op(), HType: p.HType(), HLen: p.HLen(), Hops: p.Hops(),
		XID: p.XID(), Secs: p.Secs(), Flags: p.Flags(),
		Broadcast: p.Broadcast(), Cookie: p.HasMagicCookie(),
		CIAddr: p.CIAddr(), YIAddr: p.YIAddr(), SIAddr: p.SIAddr(), GIAddr: p.GIAddr(),
		CHAddr: p.CHAddr(), Type: p.MessageType(),
	}
}

var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func TestPacketAccessors(t *testing.T) {
	zero4 := netip.AddrFrom4([4]byte{})
	tests := []struct {
		name string
		b    []byte
		want header
	}{
		{
			name: "golden discover",
			b:    goldenDiscover(),
			want: header{
				Op: OpRequest, HType: 1, HLen: 6, XID: 0xdeadbeef, Secs: 3, Flags: 0x8000,
				Broadcast: true, Cookie: true,
				CIAddr: zero4, YIAddr: zero4, SIAddr: zero4, GIAddr: zero4,
				CHAddr: []byte{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}, Type: Discover,
			},
		},
		{name: "empty", b: nil, want: header{}},
		{
			name: "cut inside giaddr",
			b:    goldenDiscover()[:26],
			want: header{
				Op: OpRequest, HType: 1, HLen: 6, XID: 0xdeadbeef, Secs: 3, Flags: 0x8000,
				Broadcast: true, CIAddr: zero4, YIAddr: zero4, SIAddr: zero4,
			},
		},
		{
			name: "hlen 17 has no chaddr",
			b:    func() []byte { b := goldenDiscover(); b[OffHLen] = 17; return b }(),
			want: header{
				Op: OpRequest, HType: 1, HLen: 17, XID: 0xdeadbeef, Secs: 3, Flags: 0x8000,
				Broadcast: true, Cookie: true,
				CIAddr: zero4, YIAddr: zero4, SIAddr: zero4, GIAddr: zero4, Type: Discover,
			},
		},
		{
			name: "hlen 16 is the whole chaddr",
			b:    func() []byte { b := goldenDiscover(); b[OffHLen] = 16; return b }(),
			want: header{
				Op: OpRequest, HType: 1, HLen: 16, XID: 0xdeadbeef, Secs: 3, Flags: 0x8000,
				Broadcast: true, Cookie: true,
				CIAddr: zero4, YIAddr: zero4, SIAddr: zero4, GIAddr: zero4, Type: Discover,
				CHAddr: []byte{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
			},
		},
		{
			name: "message type of length 2 is absent",
			b:    func() []byte { b := goldenDiscover(); b[OffOptions+1] = 2; return b }(), // option 53 length 2
			want: header{
				Op: OpRequest, HType: 1, HLen: 6, XID: 0xdeadbeef, Secs: 3, Flags: 0x8000,
				Broadcast: true, Cookie: true,
				CIAddr: zero4, YIAddr: zero4, SIAddr: zero4, GIAddr: zero4,
				CHAddr: []byte{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, headerOf(Packet(tt.b)), addrCmp); diff != "" {
				t.Errorf("accessors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetters(t *testing.T) {
	giaddr := netip.MustParseAddr("203.0.113.1")
	want := goldenDiscover()
	want[OffHops] = 1                              // hops 0 -> 1
	copy(want[OffGIAddr:], []byte{203, 0, 113, 1}) // giaddr 203.0.113.1

	got := goldenDiscover()
	if err := Packet(got).SetHops(1); err != nil {
		t.Fatalf("SetHops: %v", err)
	}
	if err := Packet(got).SetGIAddr(giaddr); err != nil {
		t.Fatalf("SetGIAddr: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bytes after setters (-want +got):\n%s", diff)
	}
}

func TestSetterErrors(t *testing.T) {
	tests := []struct {
		name string
		set  func() error
		want string
	}{
		{
			name: "hops on 3 bytes",
			set:  func() error { return Packet(make([]byte, 3)).SetHops(1) },
			want: "truncated message: cannot set hops: message is 3 bytes",
		},
		{
			name: "giaddr on 27 bytes",
			set:  func() error { return Packet(make([]byte, 27)).SetGIAddr(netip.MustParseAddr("203.0.113.1")) },
			want: "truncated message: cannot set giaddr: message is 27 bytes",
		},
		{
			name: "giaddr IPv6",
			set:  func() error { return Packet(goldenDiscover()).SetGIAddr(netip.MustParseAddr("2001:db8::1")) },
			want: "not an IPv4 address: cannot set giaddr to 2001:db8::1",
		},
		{
			name: "giaddr IPv4-mapped",
			set:  func() error { return Packet(goldenDiscover()).SetGIAddr(netip.MustParseAddr("::ffff:203.0.113.1")) },
			want: "not an IPv4 address: cannot set giaddr to ::ffff:203.0.113.1",
		},
		{
			name: "giaddr zero Addr",
			set:  func() error { return Packet(goldenDiscover()).SetGIAddr(netip.Addr{}) },
			want: "not an IPv4 address: cannot set giaddr to invalid IP",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.set()
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	got := []string{OpRequest.String(), OpReply.String(), Op(7).String(),
		Discover.String(), Nak.String(), LeaseActive.String(), MessageType(0).String(), MessageType(200).String()}
	want := []string{"BOOTREQUEST", "BOOTREPLY", "Op(7)",
		"DHCPDISCOVER", "DHCPNAK", "DHCPLEASEACTIVE", "MessageType(0)", "MessageType(200)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("strings (-want +got):\n%s", diff)
	}
}

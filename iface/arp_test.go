package iface

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	testProberMAC = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}
	testPeerMAC   = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, 0x09}
	testProbeIP   = netip.MustParseAddr("203.0.113.100")
)

func TestAppendARPRequest(t *testing.T) {
	got := appendARPRequest(nil, testProberMAC, testRelayIP, testProbeIP)
	want := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Ethernet destination: broadcast
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x02, // Ethernet source: our MAC
		0x08, 0x06, // EtherType: ARP
		0x00, 0x01, // hardware type: Ethernet
		0x08, 0x00, // protocol type: IPv4
		0x06,       // hardware address length
		0x04,       // protocol address length
		0x00, 0x01, // operation: request
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x02, // sender hardware address: our MAC
		203, 0, 113, 1, // sender protocol address: our address
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // target hardware address: unknown
		203, 0, 113, 100, // target protocol address: the probed address
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !arpClaims(reply(got, testPeerMAC, testProbeIP), testProbeIP, testProberMAC) {
		t.Error("the reply to our request does not claim the address")
	}
}

// reply turns an ARP request into the reply of the host peer with address
// ip, the way a Linux host answers.
func reply(req []byte, peer net.HardwareAddr, ip netip.Addr) []byte {
	f := append([]byte(nil), req...)
	copy(f[0:6], req[6:12])
	copy(f[6:12], peer)
	binary.BigEndian.PutUint16(f[offARPOp:], arpOpReply)
	copy(f[offARPTargetIP-6:offARPTargetIP], req[offARPSenderHW:offARPSenderHW+6])
	copy(f[offARPTargetIP:offARPTargetIP+4], req[offARPSenderIP:offARPSenderIP+4])
	copy(f[offARPSenderHW:offARPSenderHW+6], peer)
	a := ip.As4()
	copy(f[offARPSenderIP:offARPSenderIP+4], a[:])
	return f
}

// arpFrame builds an ARP frame from sender (mac, ip) to target ip.
func arpFrame(op uint16, mac net.HardwareAddr, sender, target netip.Addr) []byte {
	f := appendARPRequest(nil, mac, sender, target)
	binary.BigEndian.PutUint16(f[offARPOp:], op)
	return f
}

func TestARPClaims(t *testing.T) {
	other := netip.MustParseAddr("203.0.113.101")
	zero := netip.IPv4Unspecified()
	edit := func(f []byte, off int, v ...byte) []byte {
		copy(f[off:], v)
		return f
	}
	tests := []struct {
		name  string
		frame []byte
		want  bool
	}{
		{"reply from the address", arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP), true},
		{"reply with Ethernet padding", append(arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP), make([]byte, 18)...), true},
		{"request from the address (a host that uses it)", arpFrame(arpOpRequest, testPeerMAC, testProbeIP, other), true},
		{"gratuitous announcement of the address", arpFrame(arpOpRequest, testPeerMAC, testProbeIP, testProbeIP), true},
		{"another host's RFC 5227 probe for it", arpFrame(arpOpRequest, testPeerMAC, zero, testProbeIP), true},
		{"reply from another address", arpFrame(arpOpReply, testPeerMAC, other, testRelayIP), false},
		{"request for the address from someone else", arpFrame(arpOpRequest, testPeerMAC, other, testProbeIP), false},
		{"a reply with sender 0.0.0.0 and target the address", arpFrame(arpOpReply, testPeerMAC, zero, testProbeIP), false},
		{"our own request", arpFrame(arpOpRequest, testProberMAC, testProbeIP, testProbeIP), false},
		{"RARP operation", arpFrame(3, testPeerMAC, testProbeIP, testRelayIP), false},
		{"truncated", arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP)[:41], false},
		{"empty", nil, false},
		{"not ARP", edit(arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP), offEtherType, 0x08, 0x00), false},
		{"not Ethernet", edit(arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP), offARPHType, 0x00, 0x06), false},
		{"not IPv4", edit(arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP), offARPPType, 0x86, 0xdd), false},
		{"wrong lengths", edit(arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP), offARPLens, 0x06, 0x10), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, arpClaims(tt.frame, testProbeIP, testProberMAC)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzARPClaims(f *testing.F) {
	f.Add(arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP))
	f.Add(arpFrame(arpOpRequest, testPeerMAC, netip.IPv4Unspecified(), testProbeIP))
	f.Add([]byte{0x08, 0x06})
	f.Fuzz(func(t *testing.T, frame []byte) {
		got := arpClaims(frame, testProbeIP, testProberMAC)
		// A claim needs a whole ARP frame whose sender or target is
		// the address.
		if got && (len(frame) < arpFrameLen ||
			netip.AddrFrom4([4]byte(frame[offARPSenderIP:])) != testProbeIP &&
				netip.AddrFrom4([4]byte(frame[offARPTargetIP:])) != testProbeIP) {
			t.Fatalf("claim from an unrelated frame % x", frame)
		}
	})
}

func TestARPFilter(t *testing.T) {
	const ifindex = 5
	prog, err := arpFilter(ifindex)
	if err != nil {
		t.Fatal(err)
	}
	frame := arpFrame(arpOpReply, testPeerMAC, testProbeIP, testRelayIP)
	edit := func(off int, v ...byte) []byte {
		f := append([]byte(nil), frame...)
		copy(f[off:], v)
		return f
	}
	tests := []struct {
		name    string
		frame   []byte
		pktType PacketType
		ifindex uint32
		want    bool
	}{
		{"reply to us", frame, PacketHost, ifindex, true},
		{"broadcast request", arpFrame(arpOpRequest, testPeerMAC, testProbeIP, testProbeIP), PacketBroadcast, ifindex, true},
		{"our own request going out", frame, PacketOutgoing, ifindex, false},
		{"a frame for another host", frame, PacketOtherHost, ifindex, false},
		{"received on a VLAN of the link", frame, PacketHost, ifindex + 1, false},
		{"IPv4, not ARP", edit(offEtherType, 0x08, 0x00), PacketHost, ifindex, false},
		{"ARP for another protocol", edit(offARPPType, 0x86, 0xdd), PacketHost, ifindex, false},
		{"ARP for another hardware", edit(offARPHType, 0x00, 0x20), PacketHost, ifindex, false},
		{"wrong address lengths", edit(offARPLens, 0x10, 0x04), PacketHost, ifindex, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runFilter(t, prog, tt.frame, tt.pktType, tt.ifindex); got != tt.want {
				t.Errorf("filter passes it: %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewARPProberErrors(t *testing.T) {
	tests := []struct {
		name string
		ifi  *net.Interface
		src  netip.Addr
		want string
	}{
		{name: "nil", src: testRelayIP, want: "failed to open ARP socket: no interface index"},
		{name: "no index", ifi: &net.Interface{Name: "eth1", HardwareAddr: testProberMAC}, src: testRelayIP, want: "failed to open ARP socket: no interface index"},
		{
			name: "not Ethernet",
			ifi:  &net.Interface{Index: 1, Name: "lo"},
			src:  testRelayIP,
			want: `failed to open ARP socket on "lo": hardware address "" is not a 6-byte Ethernet address`,
		},
		{
			name: "IPv6 sender",
			ifi:  &net.Interface{Index: 2, Name: "eth1", HardwareAddr: testProberMAC},
			src:  netip.MustParseAddr("2001:db8::1"),
			want: `failed to open ARP socket on "eth1": sender address 2001:db8::1 is not IPv4`,
		},
		{
			name: "no sender",
			ifi:  &net.Interface{Index: 2, Name: "eth1", HardwareAddr: testProberMAC},
			want: `failed to open ARP socket on "eth1": sender address invalid IP is not IPv4`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewARPProber(tt.ifi, tt.src)
			if err == nil {
				p.Close()
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInUseWithoutProbing covers the answers InUse gives before it touches
// the socket, on a prober that has none.
func TestInUseWithoutProbing(t *testing.T) {
	p := &ARPProber{name: "eth1", mac: testProberMAC, src: testRelayIP, sem: make(chan struct{}, 1)}
	tests := []struct {
		name    string
		addr    netip.Addr
		count   int
		timeout time.Duration
		want    bool
		wantErr string
	}{
		{name: "count 0: detection off", addr: testProbeIP, count: 0, timeout: time.Second},
		{name: "our own address", addr: testRelayIP, count: 1, timeout: time.Second, want: true},
		{name: "IPv6", addr: netip.MustParseAddr("2001:db8::1"), count: 1, timeout: time.Second,
			wantErr: `failed to probe 2001:db8::1 on "eth1": not an IPv4 unicast address`},
		{name: "unspecified", addr: netip.IPv4Unspecified(), count: 1, timeout: time.Second,
			wantErr: `failed to probe 0.0.0.0 on "eth1": not an IPv4 unicast address`},
		{name: "zero timeout", addr: testProbeIP, count: 1,
			wantErr: `failed to probe 203.0.113.100 on "eth1": timeout 0s is not positive`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.InUse(context.Background(), tt.addr, tt.count, tt.timeout)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff([]any{tt.want, tt.wantErr}, []any{got, gotErr}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

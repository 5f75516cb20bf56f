package corpus

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestKindOf(t *testing.T) {
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x99}
	addr := net.IPv4(203, 0, 113, 40)
	tests := []struct {
		name string
		typ  dhcpv4.MessageType
		mods []dhcpv4.Modifier
		want string
	}{
		{"discover", dhcpv4.MessageTypeDiscover, nil, "discover"},
		{"selecting", dhcpv4.MessageTypeRequest, []dhcpv4.Modifier{dhcpv4.WithServerIP(addr), dhcpv4.WithOption(dhcpv4.OptServerIdentifier(addr))}, "request-select"},
		{"init-reboot", dhcpv4.MessageTypeRequest, []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr))}, "request-reboot"},
		{"renewing", dhcpv4.MessageTypeRequest, []dhcpv4.Modifier{dhcpv4.WithClientIP(addr)}, "request-renew"},
		{"bare request", dhcpv4.MessageTypeRequest, nil, "request"},
		{"offer", dhcpv4.MessageTypeOffer, []dhcpv4.Modifier{dhcpv4.WithYourIP(addr)}, "offer"},
		{"broadcast offer", dhcpv4.MessageTypeOffer, []dhcpv4.Modifier{dhcpv4.WithYourIP(addr), dhcpv4.WithBroadcast(true)}, "offer-bcast"},
		{"ack", dhcpv4.MessageTypeAck, []dhcpv4.Modifier{dhcpv4.WithYourIP(addr)}, "ack"},
		{"ack to a renewal", dhcpv4.MessageTypeAck, []dhcpv4.Modifier{dhcpv4.WithYourIP(addr), dhcpv4.WithClientIP(addr)}, "ack-renew"},
		{"ack to an inform", dhcpv4.MessageTypeAck, []dhcpv4.Modifier{dhcpv4.WithClientIP(addr)}, "ack-inform"},
		{"nak", dhcpv4.MessageTypeNak, []dhcpv4.Modifier{dhcpv4.WithBroadcast(true)}, "nak"},
		{"decline", dhcpv4.MessageTypeDecline, nil, "decline"},
		{"release", dhcpv4.MessageTypeRelease, nil, "release"},
		{"inform", dhcpv4.MessageTypeInform, nil, "inform"},
		{"unknown type", dhcpv4.MessageType(42), nil, "type42"},
		{"plain BOOTP", dhcpv4.MessageTypeNone, nil, "bootp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := dhcpv4.New(append([]dhcpv4.Modifier{dhcpv4.WithHwAddr(mac)}, tt.mods...)...)
			if err != nil {
				t.Fatal(err)
			}
			if tt.typ != dhcpv4.MessageTypeNone {
				m.UpdateOption(dhcpv4.OptMessageType(tt.typ))
			}
			if diff := cmp.Diff(tt.want, kindOf(m)); diff != "" {
				t.Errorf("kindOf (-want +got):\n%s", diff)
			}
		})
	}
}

// arp builds an Ethernet ARP frame for IPv4 with the given operation,
// sender and target addresses.
func arp(op byte, sender, target [4]byte) []byte {
	f := make([]byte, arpFrameLen)
	copy(f[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(f[6:12], []byte{0x02, 0, 0, 0, 0, 0x99})
	copy(f[12:22], []byte{0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0, op})
	copy(f[offARPSenderIP:], sender[:])
	copy(f[offARPTargetIP:], target[:])
	return f
}

func TestARPKind(t *testing.T) {
	us, peer := [4]byte{203, 0, 113, 33}, [4]byte{203, 0, 113, 1}
	tests := []struct {
		name  string
		frame []byte
		want  string
	}{
		{"probe", arp(1, [4]byte{}, us), "probe"},
		{"announce", arp(1, us, us), "announce"},
		{"request", arp(1, us, peer), "request"},
		{"reply", arp(2, peer, us), "reply"},
		{"other operation", arp(9, peer, us), "op9"},
		{"truncated", arp(1, us, peer)[:arpFrameLen-1], "short"},
		{"empty", nil, "short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, arpKind(tt.frame)); diff != "" {
				t.Errorf("arpKind (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGenerated(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"dhclient-discover", true},
		{"udhcpc-bcast-request-select-relayed", true},
		{"dhcpd-nak", true},
		{"dhcpcd-inform", true},
		{"iphelper-option82-offer", true},
		{"kea-upstream-dora-pcap", true},
		{"72581c0e8f27dd31", false},
		{"kea", false},
		{"dhcpd", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Generated(tt.name); got != tt.want {
				t.Errorf("Generated(%q) = %t, want %t", tt.name, got, tt.want)
			}
		})
	}
}

package responder

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		in      Config
		want    Config
		wantErr string
	}{
		{
			name: "defaults",
			in:   Config{ServerID: netip.MustParseAddr("198.51.100.2"), Pool: netip.MustParsePrefix("203.0.113.9/24")},
			want: Config{
				Listen: netip.MustParseAddrPort("0.0.0.0:67"), ServerID: netip.MustParseAddr("198.51.100.2"),
				Pool: netip.MustParsePrefix("203.0.113.0/24"), Lease: time.Hour,
			},
		},
		{
			name:    "everything wrong",
			in:      Config{Listen: netip.MustParseAddrPort("[::]:67"), Pool: netip.MustParsePrefix("203.0.113.0/31"), Lease: -1},
			wantErr: "listen: [::]:67 is not IPv4\nserver-id: an IPv4 address is required\npool: 203.0.113.0/31 must be an IPv4 subnet of at least 4 addresses\nlease: -1ns is out of range",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.withDefaults()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
				cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
				cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddrFor(t *testing.T) {
	s := &Responder{base: 203<<24 | 113<<8, hosts: 253} // 203.0.113.0/24
	tests := []struct {
		name string
		mac  [6]byte
		want string
	}{
		{name: "client 0", mac: [6]byte{0x02, 0x62, 0, 0, 0, 0}, want: "203.0.113.2"},
		{name: "client 252 is the last host", mac: [6]byte{0x02, 0x62, 0, 0, 0, 252}, want: "203.0.113.254"},
		{name: "client 253 wraps around", mac: [6]byte{0x02, 0x62, 0, 0, 0, 253}, want: "203.0.113.2"},
		{name: "any MAC stays in the pool", mac: [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, want: "203.0.113.82"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, s.AddrFor(tt.mac).String()); diff != "" {
				t.Errorf("address (-want +got):\n%s", diff)
			}
		})
	}
}

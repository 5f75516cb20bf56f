package option82

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	subnet   = netip.MustParseAddr("203.0.113.0")
	relayIP  = netip.MustParseAddr("203.0.113.1")
	relayMAC = []byte{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}
)

func TestBuilderGolden(t *testing.T) {
	tests := []struct {
		name  string
		build func(b *Builder)
		want  []byte
	}{
		{
			name:  "circuit-id",
			build: func(b *Builder) { b.AddCircuitID([]byte("eth1")) },
			want: []byte{
				82, 6, // option 82, length 6
				1, 4, 'e', 't', 'h', '1', // circuit-id "eth1"
			},
		},
		{
			name:  "remote-id",
			build: func(b *Builder) { b.AddRemoteID(relayMAC) },
			want: []byte{
				82, 8, // option 82, length 8
				2, 6, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, // remote-id: MAC 02:00:5e:10:00:01
			},
		},
		{
			name:  "link-selection",
			build: func(b *Builder) { b.AddLinkSelection(subnet) },
			want: []byte{
				82, 6, // option 82, length 6
				5, 4, 203, 0, 113, 0, // link-selection 203.0.113.0
			},
		},
		{
			name:  "subscriber-id",
			build: func(b *Builder) { b.AddSubscriberID([]byte("cust-42")) },
			want: []byte{
				82, 9, // option 82, length 9
				6, 7, 'c', 'u', 's', 't', '-', '4', '2', // subscriber-id "cust-42"
			},
		},
		{
			name:  "server-id-override",
			build: func(b *Builder) { b.AddServerIDOverride(relayIP) },
			want: []byte{
				82, 6, // option 82, length 6
				11, 4, 203, 0, 113, 1, // server-id-override 203.0.113.1
			},
		},
		{
			name:  "flags unicast",
			build: func(b *Builder) { b.AddFlags(true) },
			want: []byte{
				82, 3, // option 82, length 3
				10, 1, 0x80, // flags: U bit set
			},
		},
		{
			name:  "flags broadcast",
			build: func(b *Builder) { b.AddFlags(false) },
			want: []byte{
				82, 3, // option 82, length 3
				10, 1, 0x00, // flags: U bit clear
			},
		},
		{
			name:  "vendor-specific by code",
			build: func(b *Builder) { b.Add(9, []byte{0, 0, 0, 9, 1, 1, 7}) },
			want: []byte{
				82, 9, // option 82, length 9
				9, 7, 0, 0, 0, 9, 1, 1, 7, // sub-option 9: enterprise 9, data-len 1, data 7
			},
		},
		{
			name: "everything, in the order added",
			build: func(b *Builder) {
				b.AddCircuitID([]byte("eth1"))
				b.AddRemoteID(relayMAC)
				b.AddLinkSelection(subnet)
				b.AddSubscriberID([]byte("cust-42"))
				b.AddServerIDOverride(relayIP)
				b.AddFlags(true)
			},
			want: []byte{
				82, 38, // option 82, length 38
				1, 4, 'e', 't', 'h', '1', // circuit-id "eth1"
				2, 6, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, // remote-id: MAC
				5, 4, 203, 0, 113, 0, // link-selection 203.0.113.0
				6, 7, 'c', 'u', 's', 't', '-', '4', '2', // subscriber-id "cust-42"
				11, 4, 203, 0, 113, 1, // server-id-override 203.0.113.1
				10, 1, 0x80, // flags: unicast
			},
		},
		{
			name: "exactly 255 bytes",
			build: func(b *Builder) {
				b.AddCircuitID(make([]byte, 200))
				b.AddRemoteID(make([]byte, 51))
			},
			want: append(append(append([]byte{
				82, 255, // option 82, length 255
				1, 200, // circuit-id, length 200
			}, make([]byte, 200)...),
				2, 51, // remote-id, length 51
			), make([]byte, 51)...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder(make([]byte, 0, 259))
			tt.build(b)
			got, err := b.Bytes()
			if err != nil {
				t.Fatalf("Bytes: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
			if err := Validate(got[2:]); err != nil {
				t.Errorf("Validate(built): %v", err)
			}
		})
	}
}

func TestBuilderRejects(t *testing.T) {
	tests := []struct {
		name     string
		build    func(b *Builder)
		sentinel error
		want     string
	}{
		{
			name: "nothing added", build: func(*Builder) {}, sentinel: ErrEmpty,
			want: "empty relay agent information: no sub-options added",
		},
		{
			name: "empty circuit-id", build: func(b *Builder) { b.AddCircuitID(nil) }, sentinel: ErrEmptySubOption,
			want: "empty sub-option: sub-option 1 (circuit-id) at offset 0 has length 0",
		},
		{
			name: "empty remote-id after circuit-id", sentinel: ErrEmptySubOption,
			build: func(b *Builder) { b.AddCircuitID([]byte("eth1")); b.AddRemoteID([]byte{}) },
			want:  "empty sub-option: sub-option 2 (remote-id) at offset 6 has length 0",
		},
		{
			name: "empty subscriber-id", build: func(b *Builder) { b.AddSubscriberID(nil) }, sentinel: ErrEmptySubOption,
			want: "empty sub-option: sub-option 6 (subscriber-id) at offset 0 has length 0",
		},
		{
			name: "IPv6 link-selection", build: func(b *Builder) { b.AddLinkSelection(netip.MustParseAddr("2001:db8::")) },
			sentinel: ErrNotIPv4, want: "not an IPv4 address: sub-option 5 (link-selection) 2001:db8::",
		},
		{
			name: "IPv4-mapped server-id-override", sentinel: ErrNotIPv4,
			build: func(b *Builder) { b.AddServerIDOverride(netip.MustParseAddr("::ffff:203.0.113.1")) },
			want:  "not an IPv4 address: sub-option 11 (server-id-override) ::ffff:203.0.113.1",
		},
		{
			name: "zero server-id-override", build: func(b *Builder) { b.AddServerIDOverride(netip.Addr{}) },
			sentinel: ErrNotIPv4, want: "not an IPv4 address: sub-option 11 (server-id-override) invalid IP",
		},
		{
			name: "link-selection of 3 bytes by code", build: func(b *Builder) { b.Add(LinkSelection, []byte{203, 0, 113}) },
			sentinel: ErrBadLength, want: "bad sub-option length: sub-option 5 (link-selection) at offset 0 has length 3, want 4",
		},
		{
			name: "flags of 2 bytes by code", build: func(b *Builder) { b.Add(Flags, []byte{0x80, 0}) },
			sentinel: ErrBadLength, want: "bad sub-option length: sub-option 10 (flags) at offset 0 has length 2, want 1",
		},
		{
			name: "sub-option of 256 bytes", build: func(b *Builder) { b.AddCircuitID(make([]byte, 256)) },
			sentinel: ErrTooLong, want: "relay agent information too long: sub-option 1 (circuit-id) is 256 bytes, more than 255",
		},
		{
			name: "one byte over 255 in total", sentinel: ErrTooLong,
			build: func(b *Builder) { b.AddCircuitID(make([]byte, 200)); b.AddRemoteID(make([]byte, 52)) },
			want:  "relay agent information too long: adding sub-option 2 (remote-id) of 52 bytes makes option 82 256 bytes, more than 255",
		},
		{
			name: "circuit-id twice", sentinel: ErrDuplicate,
			build: func(b *Builder) { b.AddCircuitID([]byte("a")); b.AddCircuitID([]byte("b")) },
			want:  "duplicate sub-option: sub-option 1 (circuit-id) added twice",
		},
		{
			name: "flags twice", sentinel: ErrDuplicate,
			build: func(b *Builder) { b.AddFlags(true); b.AddFlags(false) },
			want:  "duplicate sub-option: sub-option 10 (flags) added twice",
		},
		{
			name: "first error sticks", sentinel: ErrEmptySubOption,
			build: func(b *Builder) {
				b.AddCircuitID(nil)
				b.AddLinkSelection(netip.MustParseAddr("2001:db8::"))
				b.AddRemoteID([]byte("ok"))
			},
			want: "empty sub-option: sub-option 1 (circuit-id) at offset 0 has length 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder(nil)
			tt.build(b)
			got, err := b.Bytes()
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("Bytes = %v, %v; want error %v", got, err, tt.sentinel)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if got != nil {
				t.Errorf("bytes %v returned with an error", got)
			}
		})
	}
}

func TestVendorSpecificMayRepeat(t *testing.T) {
	b := NewBuilder(nil)
	b.Add(9, []byte{0, 0, 0, 9, 0})
	b.Add(9, []byte{0, 0, 0, 10, 0})
	if _, err := b.Bytes(); err != nil {
		t.Errorf("Bytes: %v", err)
	}
}

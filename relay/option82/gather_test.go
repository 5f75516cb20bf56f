package option82

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/wire"
)

// discover returns a DHCPDISCOVER from insomniacslk/dhcp with the given
// options inserted before END.
func discover(t testing.TB, opts ...[]byte) []byte {
	t.Helper()
	d, err := dhcpv4.NewDiscovery(net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01})
	if err != nil {
		t.Fatalf("failed to build discover: %v", err)
	}
	b := append(make([]byte, 0, 2048), d.ToBytes()...)
	for _, o := range opts {
		if b, err = wire.InsertBeforeEnd(b, o, 1500); err != nil {
			t.Fatalf("failed to insert %v: %v", o, err)
		}
	}
	return b
}

func TestGather(t *testing.T) {
	tests := []struct {
		name    string
		msg     []byte
		want    []byte
		n       int
		wantErr string
	}{
		{
			name: "one instance",
			msg:  discover(t, []byte{82, 6, 1, 4, 'e', 't', 'h', '1'}),
			want: []byte{1, 4, 'e', 't', 'h', '1'}, n: 1,
		},
		{
			name: "split across two instances (RFC 3396)",
			msg: discover(t,
				[]byte{82, 3, 1, 4, 'e'},      // option 82 part 1: circuit-id header and "e"
				[]byte{60, 2, 'v', 'c'},       // option 60 between the parts
				[]byte{82, 3, 't', 'h', '1'}), // option 82 part 2: "th1"
			want: []byte{1, 4, 'e', 't', 'h', '1'}, n: 2,
		},
		{name: "absent", msg: discover(t), want: []byte{}},
		{
			name: "malformed options", msg: discover(t)[:wire.OffOptions+2],
			want: []byte{}, wantErr: "malformed options: option 53 at offset 240: length 1 overruns the message end at offset 242",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := Gather(make([]byte, 0, 255), tt.msg)
			if diff := cmp.Diff(tt.want, got); diff != "" || n != tt.n {
				t.Errorf("Gather n = %d, want %d (-want +got):\n%s", n, tt.n, diff)
			}
			if diff := cmp.Diff(tt.wantErr, errText(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeDoesNotAllocate(t *testing.T) {
	msg := discover(t, []byte{82, 3, 1, 4, 'e'}, []byte{82, 3, 't', 'h', '1'})
	scratch := make([]byte, 0, 255)
	allocs := testing.AllocsPerRun(100, func() {
		data, _, err := Gather(scratch, msg)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok, err := Lookup(data, CircuitID); err != nil || !ok || len(v) != 4 {
			t.Fatalf("Lookup = %q, %t, %v", v, ok, err)
		}
		if err := Validate(data); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocs per run, want 0", allocs)
	}
}

func BenchmarkGatherLookup(b *testing.B) {
	msg := discover(b, []byte{82, 14, 1, 4, 'e', 't', 'h', '1', 2, 6, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01})
	scratch := make([]byte, 0, 255)
	b.ReportAllocs()
	for b.Loop() {
		data, _, err := Gather(scratch, msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok, err := Lookup(data, RemoteID); err != nil || !ok {
			b.Fatal("remote-id not found", err)
		}
	}
}

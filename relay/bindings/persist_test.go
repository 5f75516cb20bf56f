package bindings

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	mac, _ := net.ParseMAC("02:00:00:00:00:01")
	for _, b := range []Binding{
		{Addr: netip.MustParseAddr("203.0.113.10"), MAC: mac, ClientID: []byte{1, 2, 0, 0, 0, 0, 1}, Interface: "eth1.10", VLAN: 10, Hostname: "h1", Expiry: t0.Add(time.Hour)},
		{Addr: netip.MustParseAddr("203.0.113.11"), MAC: mac, Interface: "eth1"}, // infinite lease, no client-id
	} {
		rec, err := Encode(b)
		if err != nil {
			t.Fatalf("Encode(%v): %v", b.Addr, err)
		}
		got, err := Decode(rec)
		if err != nil {
			t.Fatalf("Decode(Encode(%v)): %v", b.Addr, err)
		}
		if diff := cmp.Diff(b, got, cmpOpts); diff != "" {
			t.Errorf("Decode(Encode(%v)) (-want +got):\n%s", b.Addr, diff)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	good, err := Encode(Binding{Addr: netip.MustParseAddr("203.0.113.10"), Interface: "eth1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		rec  []byte
		want string
	}{
		{"empty", nil, "record too short (0 bytes)"},
		{"version", append([]byte{9}, good[1:]...), "unknown record version 9"},
		{"cut", good[:len(good)-1], "record too short (field 3)"},
		{"trailing", append(append([]byte(nil), good...), 0, 0), "2 bytes after the last field"},
		{"long length", append(append([]byte(nil), good[:recordFixed]...), 200, 1), "record too short (field 0)"},
	} {
		_, err := Decode(tc.rec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Decode = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// TestRestore: a restored table holds the live bindings of the saved one,
// not those expired at restore time, and a bad record is reported.
func TestRestore(t *testing.T) {
	mac, _ := net.ParseMAC("02:00:00:00:00:01")
	live := Binding{Addr: netip.MustParseAddr("203.0.113.10"), MAC: mac, Interface: "eth1", Expiry: t0.Add(2 * time.Hour)}
	dead := Binding{Addr: netip.MustParseAddr("203.0.113.11"), MAC: mac, Interface: "eth2", Expiry: t0.Add(time.Minute)}
	src := New(0)
	src.Learn(live)
	src.Learn(dead)
	saved, v := src.Snapshot(t0)
	if v != src.Version() || v == 0 {
		t.Errorf("Snapshot version %d, table version %d", v, src.Version())
	}
	var recs [][]byte
	for _, b := range saved {
		rec, err := Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	dst := New(0)
	n, err := dst.Restore(append(recs, []byte{1}), t0.Add(time.Hour))
	if n != 1 || err == nil || !strings.Contains(err.Error(), "skipped 1 of 3 saved bindings") {
		t.Errorf("Restore = %d, %v; want 1 and a skipped record", n, err)
	}
	if diff := cmp.Diff([]Binding{live}, dst.List(t0), cmpOpts); diff != "" {
		t.Errorf("restored bindings (-want +got):\n%s", diff)
	}
	before := dst.Version()
	dst.Forget(live.Addr)
	if dst.Version() == before {
		t.Errorf("Forget did not move the version")
	}
}

// FuzzDecode: no byte string panics Decode, and what decodes re-encodes to
// the same bytes.
func FuzzDecode(f *testing.F) {
	rec, _ := Encode(Binding{Addr: netip.MustParseAddr("203.0.113.10"), MAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, Interface: "eth1", Expiry: t0})
	f.Add(rec)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, p []byte) {
		b, err := Decode(p)
		if err != nil {
			return
		}
		again, err := Encode(b)
		if err != nil {
			t.Fatalf("Encode(Decode(%x)): %v", p, err)
		}
		if string(again) != string(p) {
			t.Fatalf("Encode(Decode(%x)) = %x", p, again)
		}
	})
}

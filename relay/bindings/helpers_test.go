package bindings

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// t0 is the tests' "now".
var t0 = time.Date(2026, 3, 1, 14, 2, 11, 0, time.UTC)

// msgSpec describes a BOOTP message for build.
type msgSpec struct {
	op      byte
	yiaddr  string
	ciaddr  string
	chaddr  string
	options [][]byte // complete options (code, len, value), END appended
}

// build returns the wire bytes of s: the fixed header, the cookie, the
// options and END.
func build(t testing.TB, s msgSpec) []byte {
	t.Helper()
	b := make([]byte, 240)
	b[0] = s.op // op
	b[1] = 1    // htype Ethernet
	b[2] = 6    // hlen
	binary.BigEndian.PutUint32(b[4:], 0x1234abcd)
	if s.ciaddr != "" {
		a := netip.MustParseAddr(s.ciaddr).As4()
		copy(b[12:], a[:])
	}
	if s.yiaddr != "" {
		a := netip.MustParseAddr(s.yiaddr).As4()
		copy(b[16:], a[:])
	}
	if s.chaddr != "" {
		mac, err := net.ParseMAC(s.chaddr)
		if err != nil {
			t.Fatal(err)
		}
		copy(b[28:], mac)
	}
	binary.BigEndian.PutUint32(b[236:], 0x63825363) // magic cookie
	for _, o := range s.options {
		b = append(b, o...)
	}
	return append(b, 255) // END
}

// opt encodes one option.
func opt(code byte, value ...byte) []byte { return append([]byte{code, byte(len(value))}, value...) }

// msgType is option 53.
func msgType(t byte) []byte { return opt(53, t) }

// leaseTime is option 51.
func leaseTime(secs uint32) []byte {
	return opt(51, byte(secs>>24), byte(secs>>16), byte(secs>>8), byte(secs))
}

func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// bind is a short Binding constructor for tests.
func bind(a, mac, ifname string, expiry time.Duration) Binding {
	b := Binding{Addr: addr(a), MAC: mustMAC(mac), Interface: ifname}
	if expiry != 0 {
		b.Expiry = t0.Add(expiry)
	}
	return b
}

var cmpOpts = cmp.Options{cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{})}

// checkHeap fails when the table's indexes disagree with each other.
func checkHeap(t *testing.T, tb *Table) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.heap) != len(tb.byAddr) {
		t.Fatalf("heap holds %d entries, map %d", len(tb.heap), len(tb.byAddr))
	}
	for i, e := range tb.heap {
		if e.idx != i {
			t.Fatalf("heap[%d].idx = %d", i, e.idx)
		}
		if i > 0 && tb.heap.less(i, (i-1)/2) {
			t.Fatalf("heap order broken at %d", i)
		}
		if tb.byAddr[e.b.Addr] != e {
			t.Fatalf("heap entry %v not in the address map", e.b.Addr)
		}
		if expiresBefore(e.b.Expiry, e.at) {
			t.Fatalf("heap entry %v keyed at %v, after its expiry %v", e.b.Addr, e.at, e.b.Expiry)
		}
	}
}

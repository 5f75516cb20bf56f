package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     Range
		wantStr  string
		wantSize uint64
	}{
		{name: "range", in: "203.0.113.100-203.0.113.150", want: mustRange("203.0.113.100-203.0.113.150"), wantStr: "203.0.113.100-203.0.113.150", wantSize: 51},
		{name: "spaces", in: " 203.0.113.100 - 203.0.113.150 ", want: mustRange("203.0.113.100-203.0.113.150"), wantStr: "203.0.113.100-203.0.113.150", wantSize: 51},
		{name: "one address", in: "203.0.113.7", want: mustRange("203.0.113.7-203.0.113.7"), wantStr: "203.0.113.7", wantSize: 1},
		{name: "start equals end", in: "203.0.113.7-203.0.113.7", want: mustRange("203.0.113.7"), wantStr: "203.0.113.7", wantSize: 1},
		{name: "across octets", in: "198.51.100.250-198.51.101.4", want: mustRange("198.51.100.250-198.51.101.4"), wantStr: "198.51.100.250-198.51.101.4", wantSize: 11},
		{name: "widest", in: "0.0.0.1-223.255.255.255", want: mustRange("0.0.0.1-223.255.255.255"), wantStr: "0.0.0.1-223.255.255.255", wantSize: 0xe0000000 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRange(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStr, got.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSize, got.Size()); diff != "" {
				t.Errorf("Size (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRangeErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: `"" is not an IPv4 address: it is empty`},
		{name: "backwards", in: "203.0.113.9-203.0.113.1", want: "start 203.0.113.9 is after end 203.0.113.1"},
		{name: "two dashes", in: "203.0.113.1-203.0.113.5-203.0.113.9", want: `"203.0.113.5-203.0.113.9" is not an IPv4 address: it is not four numbers a.b.c.d (it has 7)`},
		{name: "unspecified", in: "0.0.0.0-203.0.113.1", want: `"0.0.0.0" is not an IPv4 unicast address`},
		{name: "broadcast end", in: "203.0.113.1-255.255.255.255", want: `"255.255.255.255" is not an IPv4 unicast address`},
		{name: "loopback", in: "127.0.0.1", want: `"127.0.0.1" is a loopback address`},
		{name: "mapped", in: "::ffff:203.0.113.1", want: `"::ffff:203.0.113.1" is not an IPv4 address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRange(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRangeRelations(t *testing.T) {
	a := mustRange("203.0.113.10-203.0.113.20")
	tests := []struct {
		name         string
		b            Range
		wantOverlaps bool
	}{
		{name: "same", b: a, wantOverlaps: true},
		{name: "inside", b: mustRange("203.0.113.12-203.0.113.13"), wantOverlaps: true},
		{name: "around", b: mustRange("203.0.113.1-203.0.113.30"), wantOverlaps: true},
		{name: "touching start", b: mustRange("203.0.113.1-203.0.113.10"), wantOverlaps: true},
		{name: "touching end", b: mustRange("203.0.113.20-203.0.113.30"), wantOverlaps: true},
		{name: "just before", b: mustRange("203.0.113.1-203.0.113.9"), wantOverlaps: false},
		{name: "just after", b: mustRange("203.0.113.21"), wantOverlaps: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []bool{a.Overlaps(tt.b), tt.b.Overlaps(a)}
			if diff := cmp.Diff([]bool{tt.wantOverlaps, tt.wantOverlaps}, got); diff != "" {
				t.Errorf("Overlaps (-want +got):\n%s", diff)
			}
		})
	}
	for _, c := range []struct {
		addr string
		want bool
	}{{"203.0.113.9", false}, {"203.0.113.10", true}, {"203.0.113.15", true}, {"203.0.113.20", true}, {"203.0.113.21", false}} {
		if got := a.Contains(addrs(c.addr)[0]); got != c.want {
			t.Errorf("Contains(%s) = %v, want %v", c.addr, got, c.want)
		}
	}
}

func TestClientID(t *testing.T) {
	tests := []struct {
		name, in string
		want     []byte
		wantFmt  string
	}{
		{name: "hex with colons", in: "hex:01:02:00:00:00:00:98", want: []byte{1, 2, 0, 0, 0, 0, 0x98}, wantFmt: "hex:01:02:00:00:00:00:98"},
		{name: "hex with dashes and spaces", in: "hex:01-AB cd", want: []byte{1, 0xab, 0xcd}, wantFmt: "hex:01:ab:cd"},
		{name: "hex run", in: "hex:ff00", want: []byte{0xff, 0}, wantFmt: "hex:ff:00"},
		{name: "text", in: "printer-7", want: []byte("printer-7"), wantFmt: "hex:70:72:69:6e:74:65:72:2d:37"},
		{name: "text that looks like hex", in: "HEX:01", want: []byte("HEX:01"), wantFmt: "hex:48:45:58:3a:30:31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseClientID(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			f := FormatClientID(got)
			if diff := cmp.Diff(tt.wantFmt, f); diff != "" {
				t.Errorf("FormatClientID (-want +got):\n%s", diff)
			}
			again, err := ParseClientID(f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFailbackMode(t *testing.T) {
	for _, m := range []FailbackMode{FailbackNAK, FailbackKeep} {
		got, err := ParseFailback(m.String())
		if err != nil || got != m {
			t.Errorf("ParseFailback(%q) = %v, %v", m, got, err)
		}
	}
	if diff := cmp.Diff("FailbackMode(7)", FailbackMode(7).String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

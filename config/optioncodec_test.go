package config

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEncodeDomainSearchRFC3397 encodes the example of RFC 3397 §2:
// "eng.apple.com." and "marketing.apple.com.", the second ending in a
// pointer to the first's "apple.com".
func TestEncodeDomainSearchRFC3397(t *testing.T) {
	names := []string{"eng.apple.com.", "marketing.apple.com."}
	want := []byte{
		3, 'e', 'n', 'g', // offset 0: "eng"
		5, 'a', 'p', 'p', 'l', 'e', // offset 4: "apple"
		3, 'c', 'o', 'm', // offset 10: "com"
		0,                                              // root: end of the first name
		9, 'm', 'a', 'r', 'k', 'e', 't', 'i', 'n', 'g', // offset 15: "marketing"
		0xc0, 0x04, // pointer to offset 4: "apple.com"
	}
	got := EncodeDomainSearch(names)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EncodeDomainSearch (-want +got):\n%s", diff)
	}
	back, err := DecodeDomainSearch(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"eng.apple.com", "marketing.apple.com"}, back); diff != "" {
		t.Errorf("DecodeDomainSearch (-want +got):\n%s", diff)
	}
}

// TestEncodeClasslessRoutesRFC3442 encodes one route of each width of the
// table in RFC 3442 §3 (0, 8, 16, 24, 25 and 32 bits), with documentation
// addresses in place of the RFC's.
func TestEncodeClasslessRoutesRFC3442(t *testing.T) {
	gw := netip.MustParseAddr("203.0.113.1")
	var routes []Route
	for _, p := range []string{"0.0.0.0/0", "198.0.0.0/8", "198.51.0.0/16", "198.51.100.0/24", "203.0.113.128/25", "203.0.113.47/32"} {
		routes = append(routes, Route{Dest: netip.MustParsePrefix(p), Router: gw})
	}
	want := []byte{
		0, 203, 0, 113, 1, // 0: default route, no destination octets
		8, 198, 203, 0, 113, 1, // 8.198
		16, 198, 51, 203, 0, 113, 1, // 16.198.51
		24, 198, 51, 100, 203, 0, 113, 1, // 24.198.51.100
		25, 203, 0, 113, 128, 203, 0, 113, 1, // 25: four octets, the last partly significant
		32, 203, 0, 113, 47, 203, 0, 113, 1, // 32: a host route
	}
	got := EncodeClasslessRoutes(routes)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EncodeClasslessRoutes (-want +got):\n%s", diff)
	}
	back, err := DecodeClasslessRoutes(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(routes, back, cmpOpts(), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("DecodeClasslessRoutes (-want +got):\n%s", diff)
	}
}

func TestDecodeOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{name: "119 forward pointer", in: []byte{0xc0, 0x02, 0}, want: "compression pointer at 0 points to 2, not before 0"},
		{name: "119 self pointer", in: []byte{0xc0, 0x00}, want: "compression pointer at 0 points to 0, not before 0"},
		{name: "119 pointer loop", in: []byte{0, 1, 'a', 0xc0, 0x01}, want: "compression pointer at 3 points to 1, not before 1"},
		{name: "119 label past end", in: []byte{5, 'a'}, want: "label runs past the end of the option"},
		{name: "119 no root", in: []byte{1, 'a'}, want: "domain name runs past the end of the option"},
		{name: "119 reserved length", in: []byte{0x40}, want: "label length byte 0x40 at 0 is reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeDomainSearch(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
	for in, want := range map[string]string{"\x21": "prefix length 33 is more than 32", "\x18\xc6\x33": "route runs past the end of the option"} {
		if _, err := DecodeClasslessRoutes([]byte(in)); err == nil || err.Error() != want {
			t.Errorf("DecodeClasslessRoutes(%q): error %v, want %s", in, err, want)
		}
	}
}

// FuzzOptionCodecs checks that the decoders take any bytes without
// panicking, and that what they decode encodes to data that decodes the
// same.
func FuzzOptionCodecs(f *testing.F) {
	f.Add(EncodeDomainSearch([]string{"eng.apple.com", "marketing.apple.com"}))
	f.Add([]byte{24, 198, 51, 100, 203, 0, 113, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		if names, err := DecodeDomainSearch(b); err == nil && allDomains(names) {
			again, err := DecodeDomainSearch(EncodeDomainSearch(names))
			if err != nil || !cmp.Equal(nonEmpty(names), again) {
				t.Errorf("119 round trip: %q → %q (%v)", names, again, err)
			}
		}
		if rs, err := DecodeClasslessRoutes(b); err == nil {
			again, err := DecodeClasslessRoutes(EncodeClasslessRoutes(rs))
			if err != nil || len(again) != len(rs) {
				t.Errorf("121 round trip: %v → %v (%v)", rs, again, err)
			}
		}
	})
}

// nonEmpty is names as a re-encoding decodes them: nil for none.
func nonEmpty(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	return names
}

// allDomains reports whether every name is one the encoder takes: a
// checked domain name or the root.
func allDomains(names []string) bool {
	for _, n := range names {
		if checkDomain(n) != nil {
			return false
		}
	}
	return true
}

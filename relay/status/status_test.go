package status

import (
	"net/netip"
	"testing"
	"time"
)

// The histogram's bounds cannot be changed by a caller: each call returns
// its own copy.
func TestLatencyBoundsImmutable(t *testing.T) {
	b := LatencyBounds()
	b[0] = time.Hour
	if got := LatencyBounds()[0]; got != time.Millisecond {
		t.Errorf("first bound after a caller changed its copy: %v, want 1ms", got)
	}
	got := LatencyBounds()
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Errorf("bounds not increasing at %d: %v", i, got)
		}
	}
}

func TestHelperSetID(t *testing.T) {
	a, b := netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("198.51.100.10")
	in := []netip.Addr{b, a}
	if got, want := HelperSetID(in), "198.51.100.2,198.51.100.10"; got != want {
		t.Errorf("HelperSetID = %q, want %q", got, want)
	}
	if in[0] != b {
		t.Error("HelperSetID reordered its argument")
	}
	if got := (HelperSetStats{Helpers: []netip.Addr{a, b}}).ID(); got != HelperSetID(in) {
		t.Errorf("ID %q differs from HelperSetID %q", got, HelperSetID(in))
	}
}

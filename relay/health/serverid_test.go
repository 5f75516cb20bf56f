package health

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestServerIDs: a Tracker knows the server identifiers its set's replies
// carried, and past maxServerIDs it forgets them all and learns again.
func TestServerIDs(t *testing.T) {
	kea := netip.MustParseAddr("198.51.100.2")
	relay := netip.MustParseAddr("203.0.113.1") // server-id-override
	bogus := netip.MustParseAddr("198.51.100.99")
	nth := func(i int) netip.Addr { // fillers: none of the above
		return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(i >> 8), 15: byte(i)})
	}
	tests := []struct {
		name  string
		learn []netip.Addr
		fill  int // then learn this many more, nth(0)...
		ask   []netip.Addr
		want  []bool
	}{
		{name: "none learnt", ask: []netip.Addr{kea, relay}, want: []bool{false, false}},
		{name: "the ones learnt", learn: []netip.Addr{kea, relay, kea}, ask: []netip.Addr{kea, relay, bogus}, want: []bool{true, true, false}},
		{name: "up to the bound", learn: []netip.Addr{kea}, fill: maxServerIDs - 1, ask: []netip.Addr{kea, nth(maxServerIDs - 2)}, want: []bool{true, true}},
		{name: "past it, forgets and learns again", learn: []netip.Addr{kea}, fill: maxServerIDs, ask: []netip.Addr{kea, nth(maxServerIDs - 2), nth(maxServerIDs - 1)}, want: []bool{false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(Config{Start: t0})
			for _, id := range tt.learn {
				tr.LearnServerID(id)
			}
			for i := range tt.fill {
				tr.LearnServerID(nth(i))
			}
			var got []bool
			for _, id := range tt.ask {
				got = append(got, tr.KnowsServerID(id))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("KnowsServerID(%v) (-want +got):\n%s", tt.ask, diff)
			}
		})
	}
}

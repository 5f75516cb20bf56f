package fallback

import (
	"net/netip"
	"testing"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// TestSpreadStart: with SpreadStart, nodes that differ only in their server
// identifier start their search for a never-used address at different
// points of the pool, each the same after a restart; without it every node
// offers the pool's first address.
func TestSpreadStart(t *testing.T) {
	firstOffer := func(t *testing.T, sid string, spread bool) netip.Addr {
		t.Helper()
		sc := testScope()
		sc.Ranges, sc.Exclusions = []Range{{ip("203.0.113.10"), ip("203.0.113.250")}}, nil
		sc.ServerID, sc.SpreadStart = ip(sid), spread
		s, err := NewServer(sc, leasestore.NewMemStore(), nil, newFakeClock(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return offerAll(t, s, []byte{1})[1]
	}
	for _, sid := range []string{"203.0.113.2", "203.0.113.3", "203.0.113.4"} {
		if got := firstOffer(t, sid, false); got != ip("203.0.113.10") {
			t.Errorf("server %s without SpreadStart offered %v first, want 203.0.113.10", sid, got)
		}
	}
	seen := map[netip.Addr]string{}
	for _, sid := range []string{"203.0.113.2", "203.0.113.3", "203.0.113.4"} {
		got := firstOffer(t, sid, true)
		if again := firstOffer(t, sid, true); again != got {
			t.Errorf("server %s offered %v first, then %v after a restart", sid, got, again)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("servers %s and %s both start at %v", other, sid, got)
		}
		seen[got] = sid
	}
	t.Logf("first offers: %v", seen)
}

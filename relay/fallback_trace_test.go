package relay

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/trace"
)

// TestFallbackRepliesAreTraced: the fallback server's OFFER and ACK
// appear in the packet trace as its own replies, a request handed to it
// as handed (not as answered), and a request it does not answer with its
// outcome.
func TestFallbackRepliesAreTraced(t *testing.T) {
	tr := trace.New(0, nil)
	events, cancel := tr.Subscribe("eth1")
	defer cancel()
	rig := startFallbackRigTraced(t, leasestore.NewMemStore(), nil, nil, tr)

	rig.sendDiscover(t, 9)
	<-rig.up.sent
	offer := rig.delivered(t, "the fallback's OFFER")
	want := []string{"in DISCOVER relayed", "out OFFER delivered from the fallback"}
	if diff := cmp.Diff(want, summarizeEvents(t, events, len(want))); diff != "" {
		t.Errorf("DISCOVER (-want +got):\n%s", diff)
	}

	req, err := dhcpv4.NewRequestFromOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	rig.send(t, req, zeroAddr, ipBroadcast)
	rig.delivered(t, "the fallback's ACK")
	want = []string{"in REQUEST fallback", "out ACK delivered from the fallback"}
	if diff := cmp.Diff(want, summarizeEvents(t, events, len(want))); diff != "" {
		t.Errorf("REQUEST for the fallback's offer (-want +got):\n%s", diff)
	}

	// SELECTING another server: relayed, and the fallback stays silent.
	other, err := dhcpv4.NewRequestFromOffer(offer, dhcpv4.WithOption(dhcpv4.OptServerIdentifier(helperAddr.AsSlice())))
	if err != nil {
		t.Fatal(err)
	}
	rig.send(t, other, zeroAddr, ipBroadcast)
	<-rig.up.sent
	want = []string{"in REQUEST fallback_silent ignored_other_server", "in REQUEST relayed"}
	if diff := cmp.Diff(want, summarizeEvents(t, events, len(want))); diff != "" {
		t.Errorf("REQUEST for another server (-want +got):\n%s", diff)
	}
}

// summarizeEvents waits for n events and returns them as "DIR TYPE
// ACTION [REASON]" ("from the fallback" for its replies), sorted.
func summarizeEvents(t *testing.T, events <-chan trace.Event, n int) []string {
	t.Helper()
	names := map[trace.Action]string{trace.Relayed: "relayed", trace.Delivered: "delivered", trace.Dropped: "dropped", trace.Fallback: "fallback", trace.Silent: "fallback_silent"}
	var out []string
	for len(out) < n {
		select {
		case e := <-events:
			s := []string{e.Dir.String(), trace.TypeName(e.Op, e.Type), names[e.Action]}
			if e.Reason != "" {
				s = append(s, e.Reason)
			}
			if e.FromFallback {
				s = append(s, "from the fallback")
			}
			out = append(out, strings.Join(s, " "))
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d events, want %d: %q", len(out), n, out)
		}
	}
	select {
	case e := <-events:
		t.Errorf("an extra event: %s", trace.Format(e))
	case <-time.After(50 * time.Millisecond):
	}
	sort.Strings(out)
	return out
}

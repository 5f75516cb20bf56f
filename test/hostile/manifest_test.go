package hostile

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay"
)

// covered are the drop reasons the replay must cause: every reason of the
// request path that a client's packets can cause, and every reason of the
// reply path that a host on a client VLAN or a rogue on the server segment
// can cause.
var covered = []string{
	"bad_checksum", "bad_frame", "bad_option82", "chaddr_mismatch", "foreign_option82",
	"fragment", "giaddr_is_ours", "malformed", "max_hops", "non_helper_source",
	"not_bootrequest", "not_for_us", "policy_drop", "rate_limit_client",
	"reply_from_downstream", "reply_malformed", "unknown_giaddr", "untrusted_giaddr",
	"untrusted_option82",
}

// notCovered are the reasons the replay leaves out, and why.
var notCovered = map[string]string{
	"rate_limit_interface": "needs thousands of frames: the flood scenario (hostile_flood_test.go) covers it",
	"rate_limit_helper":    "needs a flood and --helper-rate-limit: the flood scenario covers it",
	"fallback_busy":        "needs a flood and a fallback scope",
	"no_address":           "the relay's state (an interface without an address), not a packet",
	"no_helper":            "the relay's configuration (helpers behind the ingress interface)",
	"send_failed":          "a failure of the relay's own socket",
	"interface_down":       "the relay's state (no listener on the interface)",
	"deliver_failed":       "a failure of the relay's own socket",
	"circuit_id_collision": "the relay's configuration (interfaces sharing a giaddr and a circuit-id)",
	"socket_overflow":      "the kernel's drops when a packet socket is full: TestSocketOverflowsAreCounted (relay) covers it",
	"reply_overflow":       "the kernel's drops when a UDP receive buffer is full: TestSocketOverflowsAreCounted (relay) covers it",
	// The replay's relay forwards no UDP port besides DHCP.
	"udp_forged_source":             "forwarded UDP broadcasts: TestUDPForwardHostileDropped (test/integration) covers it",
	"udp_ttl_expired":               "forwarded UDP broadcasts: TestUDPForwardHostileDropped (test/integration) covers it",
	"udp_loop":                      "forwarded UDP broadcasts: TestUDPForwardHostileDropped (test/integration) covers it",
	"udp_port_not_forwarded":        "the packet filter keeps such frames out but around a reload: TestForwardDecision (relay) covers it",
	"udp_directed_broadcast_denied": "the relay's configuration, which check-config rejects: TestForwardRoute (relay) covers it",
}

func load(t *testing.T) *Manifest {
	t.Helper()
	m, err := Load("testdata")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m
}

// TestManifestCoversTheReasons checks that the frames, together, cause
// exactly the reasons in covered, and that covered and notCovered name
// every reason of relay/reason.go once: a new reason must be added to one.
func TestManifestCoversTheReasons(t *testing.T) {
	m := load(t)
	seen := map[string]bool{}
	for _, f := range m.Frames {
		for r := range f.Expect {
			seen[r] = true
		}
	}
	got := slices.Sorted(func(yield func(string) bool) {
		for r := range seen {
			if !yield(r) {
				return
			}
		}
	})
	if diff := cmp.Diff(covered, got); diff != "" {
		t.Errorf("reasons the frames cause (-want +got):\n%s", diff)
	}
	var all []string
	for _, r := range relay.Reasons() {
		all = append(all, r.String())
	}
	listed := append(slices.Clone(covered), keys(notCovered)...)
	slices.Sort(all)
	slices.Sort(listed)
	if diff := cmp.Diff(all, listed); diff != "" {
		t.Errorf("relay.Reasons() vs covered+notCovered (-reasons +listed):\n%s", diff)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestManifestFrames checks each frame's entry: a unique name, a known side,
// counts of 1 per reason, frames read by the relay's packet sockets only
// on the client sides.
func TestManifestFrames(t *testing.T) {
	m := load(t)
	names := map[string]bool{}
	for _, f := range m.Frames {
		if names[f.Name] {
			t.Errorf("frame %d: name %q used twice", f.Index, f.Name)
		}
		names[f.Name] = true
		if f.Side != Client && f.Side != Trusted && f.Side != Upstream {
			t.Errorf("frame %d (%s): unknown side %q", f.Index, f.Name, f.Side)
		}
		for r, n := range f.Expect {
			if n != 1 {
				t.Errorf("frame %d (%s): %s × %d, want 1", f.Index, f.Name, r, n)
			}
		}
		if f.RequestsReceived > 1 || (f.Side == Upstream && f.RequestsReceived != 0) {
			t.Errorf("frame %d (%s): requests_received %d on side %s", f.Index, f.Name, f.RequestsReceived, f.Side)
		}
	}
}

// allowed are the addresses a frame may carry (the lab's rule): the two
// documentation ranges, 0.0.0.0 and the limited broadcast.
var allowed = []netip.Prefix{
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("0.0.0.0/32"),
	netip.MustParsePrefix("255.255.255.255/32"),
}

// TestFramesUseLabAddresses checks the IPv4 source and destination and the
// BOOTP ciaddr, yiaddr, siaddr and giaddr of every frame, where the frame
// is long enough to hold them, against the lab's address ranges.
func TestFramesUseLabAddresses(t *testing.T) {
	m := load(t)
	for _, f := range m.Frames {
		for _, a := range frameAddrs(f.Data) {
			if !slices.ContainsFunc(allowed, func(p netip.Prefix) bool { return p.Contains(a) }) {
				t.Errorf("frame %d (%s) carries %s, outside the lab's ranges", f.Index, f.Name, a)
			}
		}
	}
}

// frameAddrs returns the IPv4 addresses at their usual places in an
// Ethernet frame (untagged or with one 802.1Q tag), with a 20-byte IPv4
// header and a UDP header before the BOOTP message.
func frameAddrs(b []byte) []netip.Addr {
	l3 := 14
	if len(b) >= 14 && binary.BigEndian.Uint16(b[12:14]) == 0x8100 {
		l3 += 4
	}
	offs := []int{l3 + 12, l3 + 16} // IPv4 source, destination
	for i := range 4 {              // ciaddr, yiaddr, siaddr, giaddr
		offs = append(offs, l3+28+12+4*i)
	}
	var out []netip.Addr
	for _, o := range offs {
		if o+4 <= len(b) {
			out = append(out, netip.AddrFrom4([4]byte(b[o:o+4])))
		}
	}
	return out
}

// TestGroups checks that a burst's frames are sent together and that the
// expectations of a group add up.
func TestGroups(t *testing.T) {
	m := &Manifest{Frames: []Frame{
		{Index: 0, Name: "a", Expect: map[string]uint64{"malformed": 1}, RequestsReceived: 1},
		{Index: 1, Name: "b1", Burst: "b", Expect: map[string]uint64{"max_hops": 1}, RequestsReceived: 1},
		{Index: 2, Name: "b2", Burst: "b", Expect: map[string]uint64{"max_hops": 1}, RequestsReceived: 1},
		{Index: 3, Name: "b3", Burst: "b", Expect: map[string]uint64{"rate_limit_client": 1}, RequestsReceived: 1},
		{Index: 4, Name: "c", Expect: map[string]uint64{}},
	}}
	var got [][]string
	for _, g := range m.Groups() {
		var names []string
		for _, f := range g {
			names = append(names, f.Name)
		}
		got = append(got, names)
	}
	if diff := cmp.Diff([][]string{{"a"}, {"b1", "b2", "b3"}, {"c"}}, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	drops, received := Expected(m.Groups()[1])
	if diff := cmp.Diff(map[string]uint64{"max_hops": 2, "rate_limit_client": 1}, drops); diff != "" || received != 3 {
		t.Errorf("Expected: received %d, want 3; drops (-want +got):\n%s", received, diff)
	}
}

package failover

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func secondaries(s Scope, size int) []int {
	var out []int
	for i := range size {
		if s.OwnerAt(i, size) == Secondary {
			out = append(out, i)
		}
	}
	return out
}

func TestOwnerAtHotStandbyShare(t *testing.T) {
	s := Scope{Mode: ModeHotStandby, StandbyShare: 10}
	for size := 1; size <= 300; size++ {
		got := len(secondaries(s, size))
		want := size / 10
		switch {
		case size == 1:
			want = 0 // a pool of one is the primary's
		case size < 10:
			want = 1 // a share above 0 gives the secondary one address
		}
		if got != want {
			t.Errorf("size %d: secondary owns %d, want %d", size, got, want)
		}
	}
	// Spread: every tenth address, the last of each stride.
	if diff := cmp.Diff([]int{9, 19, 29}, secondaries(s, 30)); diff != "" {
		t.Errorf("size 30 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{4}, secondaries(s, 5)); diff != "" {
		t.Errorf("size 5 (-want +got):\n%s", diff)
	}
}

func TestOwnerAtEvenSpread(t *testing.T) {
	for _, share := range []uint8{1, 10, 25, 33, 50, 90} {
		s := Scope{Mode: ModeHotStandby, StandbyShare: share}
		for _, size := range []int{10, 37, 100, 254} {
			idx := secondaries(s, size)
			if len(idx) < 2 {
				continue
			}
			lo, hi := size, 0
			for i := 1; i < len(idx); i++ {
				lo, hi = min(lo, idx[i]-idx[i-1]), max(hi, idx[i]-idx[i-1])
			}
			if hi-lo > 1 {
				t.Errorf("share %d, size %d: gaps between %d and %d, want even", share, size, lo, hi)
			}
		}
	}
}

func TestOwnerAtLoadSharing(t *testing.T) {
	tests := []struct {
		split uint8
		size  int
		want  []int // the secondary's indices
	}{
		{50, 10, []int{1, 3, 5, 7, 9}},
		{30, 10, []int{1, 2, 4, 5, 7, 8, 9}},
		{100, 10, nil},
		{0, 10, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{50, 1, nil},
		{50, 2, []int{1}},
		{0, 1, []int{0}},
		{99, 3, []int{2}},
	}
	for _, tc := range tests {
		got := secondaries(Scope{Mode: ModeLoadSharing, Split: tc.split}, tc.size)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("split %d, size %d (-want +got):\n%s", tc.split, tc.size, diff)
		}
	}
}

func TestOwnerAtOutOfRange(t *testing.T) {
	s := Scope{Mode: ModeLoadSharing, Split: 0}
	for _, i := range []int{-1, 10} {
		if got := s.OwnerAt(i, 10); got != Primary {
			t.Errorf("OwnerAt(%d, 10) = %s, want primary", i, got)
		}
	}
	if got := (Scope{Mode: ModeSplit}).OwnerAt(3, 10); got != Primary {
		t.Errorf("split mode: %s, want primary", got)
	}
}

func TestAssigned(t *testing.T) {
	k0 := []byte{0x00}       // hash 175
	k1 := []byte{0x01}       // hash 251
	k2 := []byte{0x00, 0x00} // hash 150
	k3 := []byte{0x0f, 0x00} // hash 212
	low := []byte{}          // hash 0
	tests := []struct {
		split uint8
		key   []byte
		want  Role
	}{
		{50, low, Primary},
		{50, k0, Secondary}, // 175 ≥ 128
		{70, k0, Primary},   // 175 < 179
		{70, k3, Secondary}, // 212 ≥ 179
		{60, k2, Primary},   // 150 < 153
		{100, k1, Primary},
		{0, low, Secondary},
	}
	for _, tc := range tests {
		if got := (Scope{Mode: ModeLoadSharing, Split: tc.split}).Assigned(tc.key); got != tc.want {
			t.Errorf("split %d, key % x: %s, want %s", tc.split, tc.key, got, tc.want)
		}
	}
	if got := (Scope{Mode: ModeHotStandby}).Assigned(k0); got != Primary {
		t.Errorf("hot-standby: %s, want primary", got)
	}
}

func TestServesClient(t *testing.T) {
	ls := Scope{Mode: ModeLoadSharing, Split: 50}
	hs := Scope{Mode: ModeHotStandby, StandbyShare: 10}
	mine := []byte{}       // hash 0: the primary's
	theirs := []byte{0x00} // hash 175: the secondary's
	tests := []struct {
		name string
		s    Scope
		role Role
		st   State
		key  []byte
		secs uint16
		want bool
	}{
		{"split, any state", Scope{Mode: ModeSplit}, Secondary, Startup, theirs, 0, true},
		{"hot-standby NORMAL primary", hs, Primary, Normal, theirs, 0, true},
		{"hot-standby NORMAL secondary", hs, Secondary, Normal, theirs, 0, false},
		{"load-sharing NORMAL, own client", ls, Primary, Normal, mine, 0, true},
		{"load-sharing NORMAL, partner's client", ls, Primary, Normal, theirs, 60, false},
		{"COMMUNICATIONS-INTERRUPTED, own client", ls, Primary, CommInterrupted, mine, 0, true},
		{"COMMUNICATIONS-INTERRUPTED, partner's client, secs below", ls, Primary, CommInterrupted, theirs, 9, false},
		{"COMMUNICATIONS-INTERRUPTED, partner's client, secs at threshold", ls, Primary, CommInterrupted, theirs, 10, true},
		{"hot-standby COMMUNICATIONS-INTERRUPTED secondary, secs below", hs, Secondary, CommInterrupted, mine, 0, false},
		{"PARTNER-DOWN, partner's client", ls, Primary, PartnerDown, theirs, 0, true},
		{"STARTUP", ls, Primary, Startup, mine, 0, false},
		{"RECOVER", ls, Primary, Recover, mine, 0, false},
		{"RECOVER-WAIT", ls, Primary, RecoverWait, mine, 0, false},
		{"SHUTDOWN", ls, Primary, Shutdown, mine, 0, false},
	}
	for _, tc := range tests {
		if got := tc.s.ServesClientSecs(tc.role, tc.st, tc.key, tc.secs, 10); got != tc.want {
			t.Errorf("%s: ServesClientSecs = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !ls.ServesClient(Primary, CommInterrupted, theirs) {
		t.Error("ServesClient in COMMUNICATIONS-INTERRUPTED: every client")
	}
}

func TestNames(t *testing.T) {
	for m := ModeSplit; m <= ModeLoadSharing; m++ {
		if got, err := ParseMode(m.String()); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	for r := Primary; r <= Secondary; r++ {
		if got, err := ParseRole(r.String()); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r.String(), got, err)
		}
	}
	for s := Startup; s <= Shutdown; s++ {
		if got, err := ParseState(s.String()); err != nil || got != s {
			t.Errorf("ParseState(%q) = %v, %v", s.String(), got, err)
		}
	}
	if diff := cmp.Diff([]string{"STARTUP", "NORMAL", "COMMUNICATIONS-INTERRUPTED", "PARTNER-DOWN", "RECOVER", "RECOVER-WAIT", "SHUTDOWN", "state(9)"},
		[]string{Startup.String(), Normal.String(), CommInterrupted.String(), PartnerDown.String(), Recover.String(), RecoverWait.String(), Shutdown.String(), State(9).String()}); diff != "" {
		t.Error(diff)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := ParseMode("hot_standby"); return err }(), `unknown failover mode "hot_standby" (want split, hot-standby or load-sharing)`},
		{func() error { _, err := ParseRole("master"); return err }(), `unknown failover role "master" (want primary or secondary)`},
		{func() error { _, err := ParseState("normal"); return err }(), `unknown failover state "normal"`},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("error %v, want %q", tc.err, tc.want)
		}
	}
	if Primary.Other() != Secondary || Secondary.Other() != Primary {
		t.Error("Other")
	}
}

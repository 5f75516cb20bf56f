package main

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/control"
)

// TestClearStatistics: clear statistics, of every interface or of one,
// starts the counters show displays over; the relay's own counters (the
// Prometheus ones) stay.
func TestClearStatistics(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     string
		eth1Zero bool // show statistics then shows eth1 with 0 requests received
		helper   bool // ... and the helpers' counters at 0
	}{
		{name: "text", args: []string{"clear", "statistics"}, want: "Statistics cleared.\n", eth1Zero: true, helper: true},
		{name: "alias and JSON", args: []string{"clear", "counters", "--json"}, want: `{"cleared":"statistics"}` + "\n", eth1Zero: true, helper: true},
		{name: "one interface", args: []string{"clear", "statistics", "eth1"}, want: "Statistics of eth1 cleared.\n", eth1Zero: true},
		{name: "one interface, JSON", args: []string{"clear", "statistics", "eth2.20", "--json"}, want: `{"cleared":"statistics","interface":"eth2.20"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := &fakeRelay{st: clientTestStatus()}
			path := startControl(t, control.Sources{Status: rel})
			got, errText := runClient(t, path, tt.args...)
			if errText != "" {
				t.Fatal(errText)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			stats, errText := runClient(t, path, "show", "statistics")
			if errText != "" {
				t.Fatal(errText)
			}
			eth1 := stats[:strings.Index(stats, "Interface eth2.20")]
			if zero := strings.Contains(eth1, "Requests received            0\n"); zero != tt.eth1Zero {
				t.Errorf("eth1 shows 0 requests received: %v, want %v:\n%s", zero, tt.eth1Zero, eth1)
			}
			if zero := strings.Contains(stats, "198.51.100.2  up      2026-11-30T11:00:00Z  2026-11-30T12:01:02Z  0     0 "); zero != tt.helper {
				t.Errorf("helper shows 0 sent: %v, want %v:\n%s", zero, tt.helper, stats)
			}
			if n := rel.Status().Interfaces[0].Counters.RequestsIn; n != 12 {
				t.Errorf("the relay's counter is %d, want 12: clear must not touch it", n)
			}
		})
	}
}

func TestClearBadArguments(t *testing.T) {
	path := startControl(t, control.Sources{Status: &fakeRelay{st: clientTestStatus()}})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"clear", "statistics", "eth1", "bindings"}, `clear statistics: unexpected arguments ["eth1" "bindings"], want at most an interface`},
		{[]string{"clear", "statistics", "eth9"}, `no downstream interface "eth9"; the interfaces are eth1, eth2.20 (bad_argument)`},
	} {
		if _, errText := runClient(t, path, tt.args...); errText != tt.want {
			t.Errorf("%v: error %q, want %q", tt.args, errText, tt.want)
		}
	}
}

// fakeConflictSource frees what it quarantines.
type fakeConflictSource struct{ quar []netip.Addr }

func (f *fakeConflictSource) ClearConflicts(addr netip.Addr) []netip.Addr {
	var freed, kept []netip.Addr
	for _, a := range f.quar {
		if !addr.IsValid() || a == addr {
			freed = append(freed, a)
		} else {
			kept = append(kept, a)
		}
	}
	f.quar = kept
	return freed
}

func TestClearConflicts(t *testing.T) {
	path := startControl(t, control.Sources{Conflicts: &fakeConflictSource{quar: []netip.Addr{mustAddr("203.0.113.100"), mustAddr("203.0.113.101")}}})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"clear", "conflicts", "203.0.113.101"}, "Freed 1 quarantined address(es): 203.0.113.101\n"},
		{[]string{"clear", "conflicts", "203.0.113.101"}, "No quarantined address to free.\n"},
		{[]string{"clear", "conf", "*", "--json"}, "{\n  \"freed\": [\n    \"203.0.113.100\"\n  ]\n}\n"},
	} {
		got, errText := runClient(t, path, tt.args...)
		if errText != "" {
			t.Fatalf("%v: %s", tt.args, errText)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, diff)
		}
	}
}

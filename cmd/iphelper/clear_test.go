package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/control"
)

func TestClearStatistics(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "text", args: []string{"clear", "statistics"}, want: "Statistics cleared.\n"},
		{name: "alias and JSON", args: []string{"clear", "counters", "--json"}, want: `{"cleared":"statistics"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := &fakeRelay{st: clientTestStatus(), cleared: make(chan struct{}, 1)}
			path := startControl(t, control.Sources{Status: rel})
			got, errText := runClient(t, path, tt.args...)
			if errText != "" {
				t.Fatal(errText)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			select {
			case <-rel.cleared:
			case <-time.After(5 * time.Second):
				t.Error("the relay's counters were not cleared")
			}
		})
	}
}

func TestClearUnknownTarget(t *testing.T) {
	path := startControl(t, control.Sources{})
	_, errText := runClient(t, path, "clear", "statistics", "bindings")
	if want := `clear statistics: unexpected arguments ["bindings"]`; errText != want {
		t.Errorf("error %q, want %q", errText, want)
	}
}

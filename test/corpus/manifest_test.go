package corpus

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseManifestRejects(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string
	}{
		{"not JSON", "{", "failed to parse manifest: unexpected end of JSON input"},
		{"unknown server", `{"server":"bind"}`, `failed to parse manifest: server "bind": want one of ["kea" "dhcpd" "dnsmasq"]`},
		{"unknown client", `{"server":"kea","steps":[{"client":"pump"}]}`,
			`failed to parse manifest of kea: steps[0]: client "pump": want one of ["dhclient" "udhcpc" "udhcpc-bcast" "dhcpcd"]`},
		{"out of order", `{"server":"kea","steps":[{"client":"udhcpc","start":"2026-01-01T00:00:02Z"},{"client":"dhcpcd","start":"2026-01-01T00:00:01Z"}]}`,
			"failed to parse manifest of kea: steps[1]: starts before the step before it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tt.json))
			if err == nil {
				t.Fatal("ParseManifest succeeded")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestManifestRoundTrip(t *testing.T) {
	want := Manifest{Server: "dnsmasq", RelayArgs: []string{"--link-selection"}, Steps: []Step{
		{Client: "dhclient", What: "DORA", Start: time.Date(2026, 1, 1, 0, 0, 1, 5, time.UTC)},
	}}
	b, err := want.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestStepAt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := Manifest{Server: "kea", Steps: []Step{
		{Client: "dhclient", Start: t0},
		{Client: "udhcpc", Start: t0.Add(time.Second)},
		{Client: "dhcpcd", Start: t0.Add(time.Second)},
		{Client: "udhcpc-bcast", Start: t0.Add(3 * time.Second)},
	}}
	tests := []struct {
		name string
		at   time.Time
		want string // "" for no step
	}{
		{"before the first", t0.Add(-time.Nanosecond), ""},
		{"at the first", t0, "dhclient"},
		{"inside the first", t0.Add(time.Second - 1), "dhclient"},
		{"two steps at once: the later", t0.Add(time.Second), "dhcpcd"},
		{"after the last", t0.Add(time.Hour), "udhcpc-bcast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := m.stepAt(tt.at)
			got := ""
			if ok {
				got = s.Client
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("stepAt (-want +got):\n%s", diff)
			}
		})
	}
}

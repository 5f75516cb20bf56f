package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/status"
)

// TestShowFallbackDisabled: show interfaces says, under the table, which
// interface's fallback scope is disabled and why; --json carries the
// state of every scope and the reason.
func TestShowFallbackDisabled(t *testing.T) {
	const reason = `lease database unavailable: failed to open lease database "/var/lib/iphelper/leases.db": invalid database`
	st := status.Status{Interfaces: []status.InterfaceStatus{
		{Name: "eth1", State: "up", Fallback: true, FallbackDisabled: reason, Policy: "replace", Counters: status.InterfaceStats{Drops: map[string]uint64{}}},
		{Name: "eth2", State: "up", Fallback: true, Policy: "replace", Counters: status.InterfaceStats{Drops: map[string]uint64{}}},
		{Name: "eth3", State: "up", Policy: "replace", Counters: status.InterfaceStats{Drops: map[string]uint64{}}},
	}}
	path := startControl(t, control.Sources{Status: &fakeRelay{st: st}})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			name: "table",
			args: []string{"show", "interfaces"},
			want: `
Interface  State  VLAN  Address  Giaddr  Helpers  Option 82  Trusted  Policy   Circuit-ID  In  Relayed  Out  Drops
eth1       up     -     -        -       -        off        no       replace  -           0   0        0    0
eth2       up     -     -        -       -        off        no       replace  -           0   0        0    0
eth3       up     -     -        -       -        off        no       replace  -           0   0        0    0
eth1: fallback disabled: ` + reason + `
`,
		},
		{
			name: "json",
			args: []string{"show", "interfaces", "--json"},
			want: `
eth1 "disabled" ` + strings.ReplaceAll(`"`+reason+`"`, `"/var/lib/iphelper/leases.db"`, `\"/var/lib/iphelper/leases.db\"`) + `
eth2 "serving" 
eth3  
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errText := runClient(t, path, tt.args...)
			if errText != "" {
				t.Fatal(errText)
			}
			if tt.name == "json" {
				got = fallbackFields(t, got)
			}
			if diff := cmp.Diff(strings.TrimPrefix(tt.want, "\n"), got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

// fallbackFields reduces show interfaces --json to one line per interface:
// its name and the raw JSON of "fallback" and "fallback_reason" (empty
// when left out).
func fallbackFields(t *testing.T, out string) string {
	t.Helper()
	ifs, err := decode[[]map[string]json.RawMessage]([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, i := range ifs {
		name, _ := strings.CutPrefix(strings.TrimSuffix(string(i["name"]), `"`), `"`)
		b.WriteString(name + " " + string(i["fallback"]) + " " + string(i["fallback_reason"]) + "\n")
	}
	return b.String()
}

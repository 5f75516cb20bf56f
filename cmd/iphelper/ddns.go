package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/iphelper/iphelper/relay/control"
)

// renderDDNS prints `show ddns`: per scope its queue and outcomes, then
// per zone the update steps done and failed by reason.
func renderDDNS(w io.Writer, data json.RawMessage, _ string) error {
	ds, err := decode[[]control.DDNSScope](data)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		_, err := fmt.Fprintln(w, "No fallback scope has dynamic DNS.")
		return err
	}
	t := newTable(w, "Interface", "Pending", "Registered", "Done", "Conflicts", "Queue full", "Failed")
	for _, d := range ds {
		t.row(d.Interface, fmt.Sprint(d.Pending), fmt.Sprint(d.Registered), u64(d.Done), u64(d.Conflicts), u64(d.QueueFull), byReason(d.Failed))
	}
	if err := t.flush(); err != nil {
		return err
	}
	z := newTable(w, "Interface", "Zone", "Done", "Failed")
	for _, d := range ds {
		for _, zone := range d.Zones {
			z.row(d.Interface, zone.Zone, u64(zone.Done), byReason(zone.Failed))
		}
	}
	return z.flush()
}

// byReason is "reason=n, …" in reason order; "-" for none.
func byReason(m map[string]uint64) string {
	if len(m) == 0 {
		return "-"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

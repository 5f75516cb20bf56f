package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iphelper/iphelper/relay/control"
)

// latencyMs prints a latency percentile in milliseconds, "-" when no
// transaction was answered (since the last clear statistics).
func latencyMs(v float64, samples uint64) string {
	if samples == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", v)
}

// messageTypes are the DHCP message types in the order of a
// transaction, as show statistics lists them (IOS: show ip dhcp server
// statistics).
var messageTypes = []string{"discover", "offer", "request", "ack", "nak", "release", "decline", "inform"}

// writeMessageTypes lists the DHCP messages an interface received and
// delivered by type: every type of a transaction, then any other seen.
func writeMessageTypes(w io.Writer, c control.Counters) error {
	if len(c.In) == 0 && len(c.Out) == 0 {
		return nil
	}
	types := slices.Clone(messageTypes)
	for _, m := range []map[string]uint64{c.In, c.Out} {
		for k := range m {
			if !slices.Contains(types, k) {
				types = append(types, k)
			}
		}
	}
	slices.Sort(types[len(messageTypes):])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  Message\tReceived\tDelivered\n")
	for _, t := range types {
		fmt.Fprintf(tw, "  %s\t%d\t%d\n", strings.ToUpper(clean(t)), c.In[t], c.Out[t])
	}
	return tw.Flush()
}

func renderPools(w io.Writer, data json.RawMessage, _ string) error {
	ps, err := decode[[]control.Pool](data)
	if err != nil {
		return err
	}
	t := newTable(w, "Interface", "Size", "Leased", "Offered", "Quarantined", "Free", "Utilisation")
	for _, p := range ps {
		t.row(clean(p.Interface), fmt.Sprint(p.Size), fmt.Sprint(p.Leased), fmt.Sprint(p.Offered), fmt.Sprint(p.Quarantined),
			fmt.Sprint(p.Free), fmt.Sprintf("%.1f%%", p.Utilisation))
	}
	return t.flush()
}

func renderConflicts(w io.Writer, data json.RawMessage, _ string) error {
	cs, err := decode[[]control.Conflict](data)
	if err != nil {
		return err
	}
	t := newTable(w, "Address", "Interface", "Detection", "Declined by", "Quarantined until")
	for _, c := range cs {
		t.row(c.Addr.String(), clean(c.Interface), clean(c.Detection), orDashString(c.MAC.String()), stamp(c.Until))
	}
	return t.flush()
}

func renderVersion(w io.Writer, data json.RawMessage, _ string) error {
	v, err := decode[control.DaemonVersion](data)
	if err != nil {
		return err
	}
	return writeBuild(w, v.Build, false,
		[2]string{"Started", stamp(v.Started)},
		[2]string{"Uptime", humanDuration(time.Duration(v.UptimeSeconds) * time.Second)},
		[2]string{"Config hash", orDashString(clean(v.ConfigHash))},
		[2]string{"Reloads", fmt.Sprintf("%d applied, %d rejected", v.ReloadsOK, v.ReloadsFailed)})
}

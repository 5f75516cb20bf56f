package lab

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Lease is what a DHCP client reported to its script at one event.
type Lease struct {
	// Event is the client's reason in upper case: BOUND, RENEW, REBIND, REBOOT,
	// and for udhcpc also DECONFIG, LEASEFAIL, NAK.
	Event string
	// Addr is the leased address (your-IP); invalid for events without one.
	Addr netip.Addr
	// Mask is the subnet mask (option 1) in dotted form.
	Mask netip.Addr
	// Router is the first router (option 3).
	Router netip.Addr
	// ServerID is the server identifier (option 54) the client will talk to.
	ServerID netip.Addr
	// LeaseTime is the lease time (option 51).
	LeaseTime time.Duration
}

// Bound reports whether the event means the client holds the lease.
func (l Lease) Bound() bool {
	switch l.Event {
	case "BOUND", "RENEW", "REBIND", "REBOOT":
		return l.Addr.IsValid()
	}
	return false
}

// recordFields is how many |-separated fields a script record line has.
const recordFields = 6

// parseRecord decodes one line the lab's client scripts write:
// EVENT|ip|mask|router|server-id|lease-seconds, where all but EVENT may be empty.
func parseRecord(line string) (Lease, error) {
	f := strings.Split(line, "|")
	if len(f) != recordFields {
		return Lease{}, fmt.Errorf("failed to parse client record %q: want %d fields, got %d", line, recordFields, len(f))
	}
	if f[0] == "" {
		return Lease{}, fmt.Errorf("failed to parse client record %q: empty event", line)
	}
	l := Lease{Event: strings.ToUpper(f[0])}
	for _, a := range []struct {
		name string
		s    string
		dst  *netip.Addr
	}{{"address", f[1], &l.Addr}, {"mask", f[2], &l.Mask}, {"router", f[3], &l.Router}, {"server-id", f[4], &l.ServerID}} {
		if a.s == "" {
			continue
		}
		v, err := netip.ParseAddr(a.s)
		if err != nil {
			return Lease{}, fmt.Errorf("failed to parse client record %q: %s: %w", line, a.name, err)
		}
		*a.dst = v
	}
	if f[5] != "" {
		n, err := strconv.ParseUint(f[5], 10, 32)
		if err != nil {
			return Lease{}, fmt.Errorf("failed to parse client record %q: lease time: %w", line, err)
		}
		l.LeaseTime = time.Duration(n) * time.Second
	}
	return l, nil
}

// parseRecords decodes every complete line of a record file; a last line
// without its newline is still being written and is left out.
func parseRecords(data string) ([]Lease, error) {
	var out []Lease
	lines := strings.Split(data, "\n")
	for _, line := range lines[:len(lines)-1] {
		if line == "" {
			continue
		}
		l, err := parseRecord(line)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

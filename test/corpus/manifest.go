package corpus

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Step is one client run of a capture session: every packet captured from
// Start until the next step's Start belongs to it.
type Step struct {
	// Client names the client that ran, the source of the requests of the
	// step: dhclient, udhcpc, udhcpc-bcast or dhcpcd.
	Client string `json:"client"`
	// What says what the step did, for people reading the manifest.
	What string `json:"what"`
	// Start is when the step began, on the clock tcpdump stamps packets with.
	Start time.Time `json:"start"`
}

// Manifest describes the captures of one session: one server behind the
// relay, the client side and the server side captured by tcpdump.
type Manifest struct {
	// Server names the DHCP server: kea, dhcpd or dnsmasq.
	Server string `json:"server"`
	// RelayArgs are the flags iphelper ran with.
	RelayArgs []string `json:"relay_args"`
	// Steps are the client runs, in time order.
	Steps []Step `json:"steps"`
}

// servers are the servers of a full capture, one session each, in the order
// their captures are read.
func servers() []string { return []string{"kea", "dhcpd", "dnsmasq"} }

// clients are the clients a step may name.
func clients() []string { return []string{"dhclient", "udhcpc", "udhcpc-bcast", "dhcpcd"} }

// ParseManifest decodes and checks a manifest.
func ParseManifest(b []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("failed to parse manifest: %w", err)
	}
	if !slices.Contains(servers(), m.Server) {
		return Manifest{}, fmt.Errorf("failed to parse manifest: server %q: want one of %q", m.Server, servers())
	}
	for i, s := range m.Steps {
		if !slices.Contains(clients(), s.Client) {
			return Manifest{}, fmt.Errorf("failed to parse manifest of %s: steps[%d]: client %q: want one of %q", m.Server, i, s.Client, clients())
		}
		if i > 0 && s.Start.Before(m.Steps[i-1].Start) {
			return Manifest{}, fmt.Errorf("failed to parse manifest of %s: steps[%d]: starts before the step before it", m.Server, i)
		}
	}
	return m, nil
}

// Marshal encodes the manifest as indented JSON with a final newline.
func (m Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("failed to encode manifest of %s: %w", m.Server, err)
	}
	return append(b, '\n'), nil
}

// stepAt returns the step a packet captured at t belongs to: the last one
// that started at or before t. ok is false for a packet before the first.
func (m Manifest) stepAt(t time.Time) (Step, bool) {
	i, found := slices.BinarySearchFunc(m.Steps, t, func(s Step, t time.Time) int { return s.Start.Compare(t) })
	if !found {
		i--
	}
	if i < 0 {
		return Step{}, false
	}
	for i+1 < len(m.Steps) && !m.Steps[i+1].Start.After(t) {
		i++
	}
	return m.Steps[i], true
}

package config

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Reservation is a fixed address for one client, named by exactly one of
// MAC (the chaddr) and ClientID (option 61).
type Reservation struct {
	// MAC is the client's hardware address, or nil.
	MAC net.HardwareAddr
	// ClientID is the client identifier (option 61) as sent, type byte
	// included, or nil.
	ClientID []byte
	// Addr is the reserved address.
	Addr netip.Addr
}

// Limits of a client identifier, option 61 (RFC 2132 §9.14: at least 2
// bytes, a type byte and the identifier; at most 255, one option).
const (
	minClientID = 2
	maxClientID = 255
)

// parseReservations parses a reservations: list; where prefixes its
// errors. Each entry names exactly one of mac and client-id, and no two
// share an address, a MAC or a client-id.
func parseReservations(list []rawReservation, where string, errs *errList) *[]Reservation {
	out := []Reservation{}
	for i, rr := range list {
		r, err := parseReservation(rr)
		if err != nil {
			errs.addf(where, "reservations[%d]: %w", i, err)
			continue
		}
		if j, what, dup := duplicateReservation(out, r); dup {
			errs.addf(where, "reservations[%d]: %s is also in reservations[%d]", i, what, j)
			continue
		}
		out = append(out, r)
	}
	return &out
}

// parseReservation parses one reservation.
func parseReservation(rr rawReservation) (Reservation, error) {
	var r Reservation
	switch {
	case rr.MAC != nil && rr.ClientID != nil, rr.MAC == nil && rr.ClientID == nil:
		return r, fmt.Errorf("give exactly one of mac and client-id")
	case rr.MAC != nil:
		mac, err := parseMAC(*rr.MAC)
		if err != nil {
			return r, fmt.Errorf("mac: %w", err)
		}
		r.MAC = mac
	default:
		id, err := ParseClientID(*rr.ClientID)
		if err != nil {
			return r, fmt.Errorf("client-id: %w", err)
		}
		r.ClientID = id
	}
	if rr.Address == nil {
		return r, fmt.Errorf("address: missing")
	}
	a, err := parseHostAddr(*rr.Address)
	if err != nil {
		return r, fmt.Errorf("address: %w", err)
	}
	r.Addr = a
	return r, nil
}

// duplicateReservation returns the first of rs that shares r's address or
// client key, and what they share.
func duplicateReservation(rs []Reservation, r Reservation) (int, string, bool) {
	for j, o := range rs {
		switch {
		case o.Addr == r.Addr:
			return j, "address " + r.Addr.String(), true
		case r.MAC != nil && bytes.Equal(o.MAC, r.MAC):
			return j, "mac " + r.MAC.String(), true
		case r.ClientID != nil && bytes.Equal(o.ClientID, r.ClientID):
			return j, "client-id " + FormatClientID(r.ClientID), true
		}
	}
	return 0, "", false
}

// parseMAC parses a hardware address that fits chaddr (16 bytes): 6-byte
// Ethernet or 8-byte EUI-64, in any form net.ParseMAC reads.
func parseMAC(s string) (net.HardwareAddr, error) {
	mac, err := net.ParseMAC(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a MAC address: write six hex bytes such as 02:00:5e:10:00:42", s)
	}
	if len(mac) > 16 {
		return nil, fmt.Errorf("%q is longer than the 16 bytes of chaddr", s)
	}
	return mac, nil
}

// ParseClientID parses a client identifier as written in the config file:
// "hex:" and pairs of hex digits, optionally separated by ':', '-' or ' '
// (e.g. "hex:01:02:00:00:00:00:98", type 1 and a MAC address), or else the
// text itself as bytes. The result is 2 to 255 bytes (RFC 2132 §9.14).
func ParseClientID(s string) ([]byte, error) {
	id := []byte(s)
	if body, ok := strings.CutPrefix(s, hexPrefix); ok {
		digits := strings.NewReplacer(":", "", "-", "", " ", "").Replace(body)
		var err error
		if id, err = hex.DecodeString(digits); err != nil {
			return nil, fmt.Errorf("%q: bad hex digits: write pairs of 0-9 and a-f after the hex prefix", s)
		}
	}
	if len(id) < minClientID || len(id) > maxClientID {
		return nil, fmt.Errorf("%q is %d bytes, want %d..%d (RFC 2132 §9.14)", s, len(id), minClientID, maxClientID)
	}
	return id, nil
}

// FormatClientID writes a client identifier as "hex:" and colon-separated
// hex pairs, the form ParseClientID reads back.
func FormatClientID(id []byte) string {
	var b strings.Builder
	b.WriteString(hexPrefix)
	for i, c := range id {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02x", c)
	}
	return b.String()
}

// checkDomain checks a domain name for option 15: "" (none), or dot-separated
// labels of 1 to 63 letters, digits, '-' or '_', at most 253 bytes, with an
// optional final dot.
func checkDomain(s string) error {
	if s == "" {
		return nil
	}
	name := strings.TrimSuffix(s, ".")
	if len(name) == 0 || len(name) > 253 {
		return fmt.Errorf("%q is not a domain name: want 1..253 bytes", s)
	}
	for _, label := range strings.Split(name, ".") {
		if len(label) == 0 || len(label) > 63 {
			return fmt.Errorf("%q is not a domain name: labels are 1..63 bytes", s)
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isLabelByte(c) {
				return fmt.Errorf("%q is not a domain name: it holds %q", s, c)
			}
		}
	}
	return nil
}

// isLabelByte reports whether c may appear in a domain label.
func isLabelByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

package leasestore

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// recordVersion is the version of the JSON value layout below. Decode
// rejects other versions (as corrupt) rather than guessing.
const recordVersion = 1

// record is the JSON value of one address record. The address itself is the
// bbolt key (4 bytes) and the interface is the bucket name; the address is
// repeated in the value so that a record can be checked against its key.
type record struct {
	Version  int       `json:"v"`
	Addr     string    `json:"addr"`
	State    string    `json:"state"`
	Expiry   time.Time `json:"expiry"`
	ClientID []byte    `json:"client_id,omitempty"` // base64
	MAC      string    `json:"mac,omitempty"`       // aa:bb:cc:dd:ee:ff, any length up to 16
	Hostname string    `json:"hostname,omitempty"`
	// PartnerExpiry is absent outside a failover pair.
	PartnerExpiry *time.Time `json:"partner_expiry,omitempty"`
}

// addrKey is the bbolt key of addr: its 4 bytes in network order.
func addrKey(addr netip.Addr) []byte {
	b := addr.As4()
	return b[:]
}

// checkLease reports why l cannot be stored, if it cannot.
func checkLease(l Lease) error {
	switch {
	case l.Interface == "":
		return fmt.Errorf("%w: no interface", ErrInvalidLease)
	case !l.Addr.Is4():
		return fmt.Errorf("%w: address %v is not IPv4", ErrInvalidLease, l.Addr)
	case l.State.String() == "unknown":
		return fmt.Errorf("%w: unknown state %d", ErrInvalidLease, l.State)
	}
	return nil
}

// encodeLease returns the JSON value of l (l must pass checkLease).
func encodeLease(l Lease) ([]byte, error) {
	r := record{
		Version:  recordVersion,
		Addr:     l.Addr.String(),
		State:    l.State.String(),
		Expiry:   l.Expiry.UTC(),
		ClientID: l.ClientID,
		Hostname: l.Hostname,
	}
	if !l.PartnerExpiry.IsZero() {
		pe := l.PartnerExpiry.UTC()
		r.PartnerExpiry = &pe
	}
	if len(l.MAC) > 0 {
		r.MAC = l.MAC.String()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("failed to encode lease of %v: %w", l.Addr, err)
	}
	return b, nil
}

// decodeLease decodes the record stored under key in iface's bucket.
func decodeLease(iface string, key, value []byte) (Lease, error) {
	if len(key) != 4 {
		return Lease{}, fmt.Errorf("%w: key of %d bytes, want 4", ErrCorruptRecord, len(key))
	}
	keyAddr := netip.AddrFrom4([4]byte(key))
	var r record
	if err := json.Unmarshal(value, &r); err != nil {
		return Lease{}, fmt.Errorf("%w: %v: %v", ErrCorruptRecord, keyAddr, err)
	}
	if r.Version != recordVersion {
		return Lease{}, fmt.Errorf("%w: %v: version %d, want %d", ErrCorruptRecord, keyAddr, r.Version, recordVersion)
	}
	addr, err := netip.ParseAddr(r.Addr)
	if err != nil || addr != keyAddr {
		return Lease{}, fmt.Errorf("%w: %v: address %q does not match the key", ErrCorruptRecord, keyAddr, r.Addr)
	}
	state, ok := parseState(r.State)
	if !ok {
		return Lease{}, fmt.Errorf("%w: %v: unknown state %q", ErrCorruptRecord, keyAddr, r.State)
	}
	l := Lease{Interface: iface, Addr: addr, ClientID: r.ClientID, Hostname: r.Hostname, Expiry: r.Expiry, State: state}
	if r.PartnerExpiry != nil {
		l.PartnerExpiry = *r.PartnerExpiry
	}
	if r.MAC != "" {
		if l.MAC, err = parseHWAddr(r.MAC); err != nil {
			return Lease{}, fmt.Errorf("%w: %v: %v", ErrCorruptRecord, keyAddr, err)
		}
	}
	return l, nil
}

// parseHWAddr parses the colon-separated hex form net.HardwareAddr.String
// writes, for any chaddr length from 1 to 16 bytes (net.ParseMAC knows only
// the 6-, 8- and 20-byte forms).
func parseHWAddr(s string) (net.HardwareAddr, error) {
	parts := strings.Split(s, ":")
	if len(parts) > 16 {
		return nil, fmt.Errorf("hardware address %q is longer than 16 bytes", s)
	}
	hw := make(net.HardwareAddr, len(parts))
	for i, p := range parts {
		if len(p) != 2 {
			return nil, fmt.Errorf("bad hardware address %q", s)
		}
		b, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return nil, fmt.Errorf("bad hardware address %q", s)
		}
		hw[i] = byte(b)
	}
	return hw, nil
}

package bindings

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// recordVersion is the first byte of an encoded binding; a record of
// another version is refused, not guessed at.
const recordVersion = 1

// recordFixed is the length of a record before its variable fields:
// version, address (4), expiry (8, Unix nanoseconds, 0 for an infinite
// lease), VLAN (2).
const recordFixed = 1 + 4 + 8 + 2

// errShortRecord says a record ends inside a field.
var errShortRecord = errors.New("record too short")

// Encode returns b as a record for the binding table's store: the fixed
// fields, then MAC, client-id, interface and host name, each behind a
// one-byte length. It fails on a field longer than 255 bytes, which no
// binding learned from a DHCP message has.
func Encode(b Binding) ([]byte, error) {
	if !b.Addr.Is4() {
		return nil, fmt.Errorf("failed to encode binding: address %v is not IPv4", b.Addr)
	}
	out := make([]byte, recordFixed, recordFixed+4+len(b.MAC)+len(b.ClientID)+len(b.Interface)+len(b.Hostname))
	out[0] = recordVersion
	a := b.Addr.As4()
	copy(out[1:5], a[:])
	if !b.Expiry.IsZero() {
		binary.BigEndian.PutUint64(out[5:13], uint64(b.Expiry.UnixNano()))
	}
	binary.BigEndian.PutUint16(out[13:15], uint16(b.VLAN))
	for _, f := range [][]byte{b.MAC, b.ClientID, []byte(b.Interface), []byte(b.Hostname)} {
		if len(f) > 255 {
			return nil, fmt.Errorf("failed to encode binding of %v: a field of %d bytes (at most 255)", b.Addr, len(f))
		}
		out = append(out, byte(len(f)))
		out = append(out, f...)
	}
	return out, nil
}

// Decode parses a record Encode made. It never panics: every length is
// checked against what is left of p.
func Decode(p []byte) (Binding, error) {
	if len(p) < recordFixed {
		return Binding{}, fmt.Errorf("failed to decode binding: %w (%d bytes)", errShortRecord, len(p))
	}
	if p[0] != recordVersion {
		return Binding{}, fmt.Errorf("failed to decode binding: unknown record version %d", p[0])
	}
	b := Binding{Addr: netip.AddrFrom4([4]byte(p[1:5])), VLAN: int(binary.BigEndian.Uint16(p[13:15]))}
	if ns := binary.BigEndian.Uint64(p[5:13]); ns != 0 {
		b.Expiry = time.Unix(0, int64(ns)).UTC()
	}
	rest := p[recordFixed:]
	var fields [4][]byte
	for i := range fields {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return Binding{}, fmt.Errorf("failed to decode binding of %v: %w (field %d)", b.Addr, errShortRecord, i)
		}
		n := int(rest[0])
		if n > 0 {
			fields[i] = append([]byte(nil), rest[1:1+n]...)
		}
		rest = rest[1+n:]
	}
	if len(rest) != 0 {
		return Binding{}, fmt.Errorf("failed to decode binding of %v: %d bytes after the last field", b.Addr, len(rest))
	}
	b.MAC, b.ClientID = net.HardwareAddr(fields[0]), fields[1]
	b.Interface, b.Hostname = string(fields[2]), string(fields[3])
	return b, nil
}

// Version counts the changes to the table: it moves on every binding
// learned or removed, so a saver writes the table only when it differs
// from what it wrote last.
func (t *Table) Version() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.version
}

// Snapshot returns every binding that has not expired at now, in
// address order, and the table's Version they are a copy of.
func (t *Table) Snapshot(now time.Time) ([]Binding, uint64) {
	t.mu.Lock()
	out := make([]Binding, 0, len(t.byAddr))
	for _, e := range t.byAddr {
		if !e.b.Expired(now) {
			out = append(out, e.b)
		}
	}
	v := t.version
	t.mu.Unlock()
	sortByAddr(out)
	return out, v
}

// Restore learns the bindings of recs, records Encode made, except those
// expired at now. It returns how many it restored; a record that does not
// decode is skipped and reported in the error, the others are restored.
func (t *Table) Restore(recs [][]byte, now time.Time) (int, error) {
	var bad []error
	n := 0
	for _, r := range recs {
		b, err := Decode(r)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		if b.Expired(now) {
			continue
		}
		if t.Learn(b) {
			n++
		}
	}
	if len(bad) > 0 {
		return n, fmt.Errorf("skipped %d of %d saved bindings: %w", len(bad), len(recs), errors.Join(bad...))
	}
	return n, nil
}

package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Frame layout.
const (
	Magic     = "IPHF"
	Version   = 1
	HeaderLen = 10       // magic, version, type, body length
	MaxBody   = 64 << 10 // the largest body
	MaxFrame  = HeaderLen + MaxBody
)

// Append appends m's frame to dst. It fails, leaving dst's contents up to
// len(dst) untouched, when a field is beyond its limit or invalid (an
// address that is not IPv4, a subnet not masked, an address outside its
// subnet) or the body exceeds MaxBody.
func Append(dst []byte, m Message) ([]byte, error) {
	if m == nil {
		return dst, fmt.Errorf("failed to encode a nil message: %w", ErrMalformed)
	}
	start := len(dst)
	b := append(dst, Magic...)
	b = append(b, Version, byte(m.Type()), 0, 0, 0, 0)
	b, err := m.appendBody(b)
	if err != nil {
		return dst[:start], fmt.Errorf("failed to encode %s: %w", m.Type(), err)
	}
	n := len(b) - start - HeaderLen
	if n > MaxBody {
		return dst[:start], fmt.Errorf("failed to encode %s: body of %d bytes, at most %d: %w", m.Type(), n, MaxBody, ErrTooLong)
	}
	binary.BigEndian.PutUint32(b[start+6:], uint32(n))
	return b, nil
}

func (h Hello) appendBody(b []byte) ([]byte, error) {
	if h.Role > RoleSecondary {
		return b, fmt.Errorf("%s: %w", h.Role, ErrMalformed)
	}
	if len(h.NodeName) > MaxNodeName {
		return b, fmt.Errorf("node name of %d bytes, at most %d: %w", len(h.NodeName), MaxNodeName, ErrTooLong)
	}
	if len(h.Scopes) > 0xffff {
		return b, fmt.Errorf("%d scopes: %w", len(h.Scopes), ErrTooLong)
	}
	b = append(b, h.Version, byte(h.Role), h.State, boolByte(h.Fresh), byte(len(h.NodeName)))
	b = append(b, h.NodeName...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.Scopes)))
	for i, s := range h.Scopes {
		var err error
		if b, err = appendPrefix(b, s.Subnet); err != nil {
			return b, fmt.Errorf("scope %d: %w", i, err)
		}
		b = append(b, s.Mode)
		b = append(b, s.Hash[:]...)
	}
	return b, nil
}

func (s State) appendBody(b []byte) ([]byte, error) {
	return append(b, s.State, boolByte(s.Shutdown)), nil
}

func (h Heartbeat) appendBody(b []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint64(b, h.Seq), nil
}

func (u BndUpd) appendBody(b []byte) ([]byte, error) {
	switch {
	case len(u.ClientID) > MaxClientID:
		return b, fmt.Errorf("client identifier of %d bytes, at most %d: %w", len(u.ClientID), MaxClientID, ErrTooLong)
	case len(u.MAC) > MaxMAC:
		return b, fmt.Errorf("chaddr of %d bytes, at most %d: %w", len(u.MAC), MaxMAC, ErrTooLong)
	case len(u.Hostname) > MaxHostname:
		return b, fmt.Errorf("hostname of %d bytes, at most %d: %w", len(u.Hostname), MaxHostname, ErrTooLong)
	case u.State < BindBound || u.State > BindExpired:
		return b, fmt.Errorf("%s: %w", u.State, ErrMalformed)
	case !u.Addr.Is4() || !u.Subnet.Contains(u.Addr):
		return b, fmt.Errorf("address %s not in subnet %s: %w", u.Addr, u.Subnet, ErrMalformed)
	}
	b = binary.BigEndian.AppendUint64(b, u.Seq)
	b, err := appendPrefix(b, u.Subnet)
	if err != nil {
		return b, err
	}
	a := u.Addr.As4()
	b = append(b, a[:]...)
	b = append(append(b, byte(len(u.ClientID))), u.ClientID...)
	b = append(append(b, byte(len(u.MAC))), u.MAC...)
	b = append(append(b, byte(len(u.Hostname))), u.Hostname...)
	b = append(b, byte(u.State))
	b = binary.BigEndian.AppendUint32(b, u.Remaining)
	return binary.BigEndian.AppendUint32(b, u.Updated), nil
}

func (a BndAck) appendBody(b []byte) ([]byte, error) {
	if len(a.Reason) > MaxReason {
		return b, fmt.Errorf("reason of %d bytes, at most %d: %w", len(a.Reason), MaxReason, ErrTooLong)
	}
	b = binary.BigEndian.AppendUint64(b, a.Seq)
	b = append(b, a.Status, byte(len(a.Reason)))
	return append(b, a.Reason...), nil
}

func (r UpdReq) appendBody(b []byte) ([]byte, error) {
	return append(b, boolByte(r.All)), nil
}

func (UpdDone) appendBody(b []byte) ([]byte, error) { return b, nil }

// appendPrefix appends an IPv4 prefix as its 4 address bytes and its length.
func appendPrefix(b []byte, p netip.Prefix) ([]byte, error) {
	if !p.IsValid() || !p.Addr().Is4() || p.Masked() != p {
		return b, fmt.Errorf("subnet %s is not a masked IPv4 prefix: %w", p, ErrMalformed)
	}
	a := p.Addr().As4()
	return append(append(b, a[:]...), byte(p.Bits())), nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

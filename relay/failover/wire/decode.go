package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
)

// Parse decodes the frame at the start of b. It returns the message and the
// frame's length. An incomplete frame is ErrTruncated (more bytes may
// complete it); every other error means the stream is not usable.
func Parse(b []byte) (Message, int, error) {
	typ, n, err := parseHeader(b)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < HeaderLen+n {
		return nil, 0, fmt.Errorf("%s body of %d bytes, %d present: %w", typ, n, len(b)-HeaderLen, ErrTruncated)
	}
	m, err := parseBody(typ, b[HeaderLen:HeaderLen+n])
	if err != nil {
		return nil, 0, err
	}
	return m, HeaderLen + n, nil
}

// Read reads one frame from r and decodes it. buf is scratch space for the
// frame: with a capacity of MaxFrame, Read allocates only what the message
// holds. A stream that ends between frames is io.EOF; inside one,
// io.ErrUnexpectedEOF.
func Read(r io.Reader, buf []byte) (Message, error) {
	if cap(buf) < HeaderLen {
		buf = make([]byte, HeaderLen)
	}
	hdr := buf[:HeaderLen]
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	typ, n, err := parseHeader(hdr)
	if err != nil {
		return nil, err
	}
	if cap(buf) < HeaderLen+n {
		nb := make([]byte, HeaderLen+n)
		copy(nb, hdr)
		buf = nb
	}
	body := buf[HeaderLen : HeaderLen+n]
	if _, err := io.ReadFull(r, body); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("failed to read a %s body of %d bytes: %w", typ, n, err)
	}
	return parseBody(typ, body)
}

// parseHeader checks the frame header at the start of b and returns the type
// and body length.
func parseHeader(b []byte) (Type, int, error) {
	if len(b) < HeaderLen {
		if len(b) >= 4 && string(b[:4]) != Magic {
			return 0, 0, fmt.Errorf("frame starts with %q: %w", b[:4], ErrMagic)
		}
		return 0, 0, fmt.Errorf("header of %d bytes, want %d: %w", len(b), HeaderLen, ErrTruncated)
	}
	if string(b[:4]) != Magic {
		return 0, 0, fmt.Errorf("frame starts with %q: %w", b[:4], ErrMagic)
	}
	if b[4] != Version {
		return 0, 0, fmt.Errorf("frame of version %d, this node speaks %d: %w", b[4], Version, ErrVersion)
	}
	typ := Type(b[5])
	if typ < TypeHello || typ > TypeUpdDone {
		return 0, 0, fmt.Errorf("%s: %w", typ, ErrType)
	}
	n := binary.BigEndian.Uint32(b[6:10])
	if n > MaxBody {
		return 0, 0, fmt.Errorf("%s body of %d bytes, at most %d: %w", typ, n, MaxBody, ErrTooLong)
	}
	return typ, int(n), nil
}

// parseBody decodes a body of type typ; it must be consumed exactly.
func parseBody(typ Type, body []byte) (Message, error) {
	d := decoder{b: body}
	var m Message
	switch typ {
	case TypeHello:
		m = d.hello()
	case TypeState:
		m = State{State: d.u8(), Shutdown: d.boolean()}
	case TypeHeartbeat:
		m = Heartbeat{Seq: d.u64()}
	case TypeBndUpd:
		m = d.bndUpd()
	case TypeBndAck:
		m = BndAck{Seq: d.u64(), Status: d.u8(), Reason: d.str(MaxReason)}
	case TypeUpdReq:
		m = UpdReq{All: d.boolean()}
	case TypeUpdDone:
		m = UpdDone{}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the last field", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("failed to decode %s: %w", typ, d.err)
	}
	return m, nil
}

func (d *decoder) hello() Hello {
	h := Hello{Version: d.u8(), Role: Role(d.u8()), State: d.u8(), Fresh: d.boolean()}
	if d.err == nil && h.Role > RoleSecondary {
		d.fail("%s", h.Role)
	}
	h.NodeName = d.str(MaxNodeName)
	n := int(d.u16())
	if d.err != nil {
		return h
	}
	const scopeLen = 4 + 1 + 1 + 32
	if n*scopeLen != len(d.b) {
		d.fail("%d scopes in %d bytes", n, len(d.b))
		return h
	}
	if n > 0 {
		h.Scopes = make([]ScopeInfo, n)
	}
	for i := range h.Scopes {
		h.Scopes[i].Subnet = d.prefix()
		h.Scopes[i].Mode = d.u8()
		copy(h.Scopes[i].Hash[:], d.take(32))
	}
	return h
}

func (d *decoder) bndUpd() BndUpd {
	u := BndUpd{Seq: d.u64(), Subnet: d.prefix()}
	if a := d.take(4); a != nil {
		u.Addr = netip.AddrFrom4([4]byte(a))
	}
	u.ClientID = d.bytes(MaxClientID)
	u.MAC = d.bytes(MaxMAC)
	u.Hostname = d.str(MaxHostname)
	u.State = BindState(d.u8())
	u.Remaining = d.u32()
	u.Updated = d.u32()
	if d.err != nil {
		return u
	}
	if u.State < BindBound || u.State > BindExpired {
		d.fail("%s", u.State)
	} else if !u.Subnet.Contains(u.Addr) {
		d.fail("address %s not in subnet %s", u.Addr, u.Subnet)
	}
	return u
}

// decoder reads fields off a body; the first failure sticks and later reads
// return zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format+": %w", append(args, ErrMalformed)...)
	}
}

// take returns the next n bytes (aliasing the body), or nil after a failure.
func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.fail("field of %d bytes, %d left", n, len(d.b))
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8 {
	if v := d.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if v := d.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if v := d.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) boolean() bool {
	v := d.u8()
	if v > 1 {
		d.fail("boolean %d", v)
	}
	return v == 1
}

// field reads a length byte and that many bytes, at most limit (aliasing
// the body).
func (d *decoder) field(limit int) []byte {
	n := int(d.u8())
	if d.err == nil && n > limit {
		d.err = fmt.Errorf("field of %d bytes, at most %d: %w", n, limit, ErrTooLong)
	}
	return d.take(n)
}

// bytes is field as a copy, nil when empty.
func (d *decoder) bytes(limit int) []byte {
	v := d.field(limit)
	if len(v) == 0 {
		return nil
	}
	return append([]byte(nil), v...)
}

// str is field as a string.
func (d *decoder) str(limit int) string { return string(d.field(limit)) }

// prefix reads an IPv4 prefix: 4 address bytes and the length, masked.
func (d *decoder) prefix() netip.Prefix {
	a := d.take(4)
	bits := int(d.u8())
	if d.err != nil {
		return netip.Prefix{}
	}
	p := netip.PrefixFrom(netip.AddrFrom4([4]byte(a)), bits)
	if bits > 32 || p.Masked() != p {
		d.fail("subnet %v/%d is not a masked IPv4 prefix", netip.AddrFrom4([4]byte(a)), bits)
		return netip.Prefix{}
	}
	return p
}

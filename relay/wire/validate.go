package wire

import (
	"errors"
	"fmt"
)

// Sentinel errors. Functions wrap them with a message naming the offset and
// option code at fault; branch with errors.Is.
var (
	// ErrTruncated: the message is shorter than a field it must hold.
	ErrTruncated = errors.New("truncated message")
	// ErrBadOp: op is neither BOOTREQUEST nor BOOTREPLY.
	ErrBadOp = errors.New("bad op")
	// ErrBadHLen: hlen is larger than the 16-byte chaddr field.
	ErrBadHLen = errors.New("bad hlen")
	// ErrMalformedOptions: an option overruns the message, or non-padding
	// bytes follow END.
	ErrMalformedOptions = errors.New("malformed options")
	// ErrNoEnd: the options field has no END option.
	ErrNoEnd = errors.New("no end option")
	// ErrNoCookie: the message has no DHCP magic cookie, so no options field
	// (plain BOOTP).
	ErrNoCookie = errors.New("no magic cookie")
	// ErrTooBig: an edit would make the message larger than allowed.
	ErrTooBig = errors.New("message too big")
	// ErrBadOption: option bytes handed in for insertion are not a sequence
	// of complete options.
	ErrBadOption = errors.New("bad option encoding")
	// ErrNotIPv4: an address handed in is not an IPv4 address.
	ErrNotIPv4 = errors.New("not an IPv4 address")
)

// Validate checks the minimum a relay needs before it touches a message:
//   - at least the 236-byte BOOTP header (ErrTruncated);
//   - op BOOTREQUEST or BOOTREPLY (ErrBadOp);
//   - hlen at most 16 (ErrBadHLen);
//   - when the magic cookie is present, a well-formed options field: every
//     option's length fits (ErrMalformedOptions) and an END comes before
//     the data ends (ErrNoEnd);
//   - when option overload (52) is present, a valid value and well-formed
//     options ending with END in each field it names, without option 82
//     (ErrMalformedOptions, ErrNoEnd; RFC 2131 §4.1, RFC 2132 §9.3, RFC
//     3046 §2.1).
//
// Bytes after END are ignored, not rejected: RFC 2131 says they "should"
// be padding, servers (Kea, ISC dhcpd) stop reading at END, and some
// embedded clients leave junk there. A relay that dropped such requests
// would strand those clients; InsertBeforeEnd discards the bytes anyway.
//
// A message without the cookie is plain BOOTP; its vendor area is opaque and
// not checked. Without option overload, sname and file are opaque bytes.
func Validate(b []byte) error {
	if len(b) < HeaderLen {
		return fmt.Errorf("%w: message is %d bytes, the BOOTP header alone is %d", ErrTruncated, len(b), HeaderLen)
	}
	p := Packet(b)
	if op := p.Op(); op != OpRequest && op != OpReply {
		return fmt.Errorf("%w: op %d at offset %d, want 1 (BOOTREQUEST) or 2 (BOOTREPLY)", ErrBadOp, byte(op), OffOp)
	}
	if hlen := p.HLen(); hlen > CHAddrLen {
		return fmt.Errorf("%w: hlen %d at offset %d is larger than the %d-byte chaddr field", ErrBadHLen, hlen, OffHLen, CHAddrLen)
	}
	if !p.HasMagicCookie() {
		return nil
	}
	if _, err := EndOffset(b); err != nil {
		return err
	}
	return checkOverload(b)
}

// Option overload values (RFC 2132 §9.3): which of the fixed fields hold
// options.
const (
	overloadFile  = 1 // the file field holds options
	overloadSName = 2 // the sname field holds options
)

// checkOverload checks the option overload option (52) of a message whose
// options field is well formed: its value is one byte, 1 (file), 2 (sname)
// or 3 (both), and each field it names holds well-formed options that begin
// at its first byte and end with END inside it (RFC 2131 §4.1). A message
// without option 52 passes. Only the first option 52 counts, as in
// FindOption.
func checkOverload(b []byte) error {
	start, end, ok := FindOption(b, OptOverload)
	if !ok {
		return nil
	}
	if end-start != 1 {
		return fmt.Errorf("%w: option overload (52) at offset %d has length %d, want 1", ErrMalformedOptions, start-2, end-start)
	}
	v := b[start]
	if v < overloadFile || v > overloadFile|overloadSName {
		return fmt.Errorf("%w: option overload (52) at offset %d has value %d, want 1 (file), 2 (sname) or 3 (both)", ErrMalformedOptions, start-2, v)
	}
	if v&overloadFile != 0 {
		if err := checkField(b, "file", OffFile, FileLen); err != nil {
			return err
		}
	}
	if v&overloadSName != 0 {
		return checkField(b, "sname", OffSName, SNameLen)
	}
	return nil
}

// checkField checks that the n bytes of field name at off hold options
// ending with END, none of them option 82: a relay agent puts its
// information in the options field only (RFC 3046 §2.1), so option 82 in
// sname or file is a client hiding one from the relay's untrusted-option-82
// check, for a server that joins the fields. b must be at least off+n bytes
// long.
func checkField(b []byte, name string, off, n int) error {
	limit := off + n
	for i := off; i < limit; {
		switch code := b[i]; {
		case code == OptPad:
			i++
		case code == OptEnd:
			return nil
		case i+1 >= limit:
			return fmt.Errorf("%w: overloaded %s field: option %d at offset %d has no length byte", ErrMalformedOptions, name, code, i)
		case code == OptRelayAgentInfo:
			return fmt.Errorf("%w: overloaded %s field: option 82 at offset %d: relay agent information belongs in the options field", ErrMalformedOptions, name, i)
		default:
			next := i + 2 + int(b[i+1])
			if next > limit {
				return fmt.Errorf("%w: overloaded %s field: option %d at offset %d: length %d overruns the field end at offset %d",
					ErrMalformedOptions, name, code, i, next-i-2, limit)
			}
			i = next
		}
	}
	return fmt.Errorf("%w: overloaded %s field runs to its end at offset %d without END", ErrNoEnd, name, limit)
}

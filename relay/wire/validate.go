package wire

import "fmt"

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

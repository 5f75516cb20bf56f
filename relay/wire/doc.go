// Package wire is an in-place view of a BOOTP/DHCPv4 message (RFC 951,
// RFC 2131) for the relay's hot path.
//
// A relay must forward what the client sent, changing only hops, giaddr and
// option 82. Decoding a message into Go values and encoding it again is lossy
// (options get sorted and merged, sname/file truncated, padding changed), so
// this package never does that: it reads fields at their fixed offsets, walks
// the options field without allocating, and edits the caller's buffer in
// place.
//
// Every function accepts any byte string and never panics: accessors on a
// message too short for their field return the zero value, and the editing
// functions check the whole options field before they change a byte. Callers
// run Validate first and map its sentinel errors (ErrTruncated, ErrBadOp,
// ErrBadHLen, ErrMalformedOptions, ErrNoEnd) to drop reasons.
//
// Only the main options field (from offset 240 up to END) is searched and
// edited. With option overload (52) a client may also carry options in sname
// and file, but RFC 3046 §2.0 puts option 82 in the options field, and the
// message type (53) that a relay needs is in practice always there too, so
// sname and file are never searched or edited. Validate does check that an
// overloaded field is well formed (RFC 2131 §4.1): garbage there is a
// malformed message, dropped like a malformed options field.
//
// The files go by concern: packet.go is the fixed header (offsets, the op,
// the message types, the option codes, the accessors and setters);
// options.go walks and edits the options field (the scanner, FindOption,
// InsertBeforeEnd, StripOption); validate.go is Validate, its sentinel
// errors and the option-overload check.
//
// Nothing in this package keeps state; all functions are safe for concurrent
// use on different buffers.
package wire

package option82

import "errors"

// Sentinel errors. Functions wrap them with a message naming the sub-option
// code and its offset in the option's data; branch with errors.Is.
var (
	// ErrEmpty: option 82 carries no sub-options (RFC 3046 §2.0 asks for
	// one or more).
	ErrEmpty = errors.New("empty relay agent information")
	// ErrTruncated: a sub-option's header or value runs past the data.
	ErrTruncated = errors.New("truncated sub-option")
	// ErrEmptySubOption: a circuit-id, remote-id or subscriber-id of length
	// zero (RFC 3046 §2.1.1, §2.2; RFC 3993 §3).
	ErrEmptySubOption = errors.New("empty sub-option")
	// ErrBadLength: a fixed-size sub-option (link-selection,
	// server-id-override, flags) has the wrong length.
	ErrBadLength = errors.New("bad sub-option length")
	// ErrDuplicate: a sub-option that may appear once appears again.
	ErrDuplicate = errors.New("duplicate sub-option")
	// ErrTooLong: encoding would exceed 255 bytes for a sub-option or for
	// the option.
	ErrTooLong = errors.New("relay agent information too long")
	// ErrNotIPv4: an address handed to the Builder is not IPv4.
	ErrNotIPv4 = errors.New("not an IPv4 address")
)

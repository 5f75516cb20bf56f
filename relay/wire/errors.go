package wire

import "errors"

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

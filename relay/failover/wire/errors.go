package wire

import "errors"

// Errors a caller may branch on. Every decoding error wraps one of them.
var (
	// ErrTruncated: the input ends inside a frame (Parse needs more bytes).
	ErrTruncated = errors.New("truncated frame")
	// ErrMagic: the input does not start with "IPHF": not this protocol.
	ErrMagic = errors.New("not an iphelper failover frame")
	// ErrVersion: the frame is of a wire version this node does not speak.
	ErrVersion = errors.New("unsupported wire version")
	// ErrType: the frame's type is unknown.
	ErrType = errors.New("unknown message type")
	// ErrTooLong: a body longer than MaxBody, or a field beyond its limit.
	ErrTooLong = errors.New("too long")
	// ErrMalformed: a body that does not decode as its type says.
	ErrMalformed = errors.New("malformed message")
)

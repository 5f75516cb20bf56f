package option82

import "strconv"

// Sub-option codes.
const (
	CircuitID        byte = 1  // agent circuit id (RFC 3046 §2.1.1)
	RemoteID         byte = 2  // agent remote id (RFC 3046 §2.2)
	LinkSelection    byte = 5  // link selection, an IPv4 address (RFC 3527)
	SubscriberID     byte = 6  // subscriber id (RFC 3993)
	Flags            byte = 10 // relay agent flags, one byte (RFC 5010)
	ServerIDOverride byte = 11 // server identifier override, an IPv4 address (RFC 5107)
)

// FlagUnicast is the 'U' bit of the relay agent flags sub-option (RFC 5010
// §3): set when the relay received the client's message by unicast.
const FlagUnicast byte = 0x80

// MaxDataLen is the most data one option-82 instance, and one sub-option,
// can carry: its length is one byte.
const MaxDataLen = 255

// codeName returns the sub-option's name for error messages, "" when the
// code is not one this package knows.
func codeName(code byte) string {
	switch code {
	case CircuitID:
		return "circuit-id"
	case RemoteID:
		return "remote-id"
	case LinkSelection:
		return "link-selection"
	case SubscriberID:
		return "subscriber-id"
	case Flags:
		return "flags"
	case ServerIDOverride:
		return "server-id-override"
	}
	return ""
}

// label names a sub-option in error messages: `sub-option 1 (circuit-id)`.
func label(code byte) string {
	name := codeName(code)
	if name == "" {
		return "sub-option " + strconv.Itoa(int(code))
	}
	return "sub-option " + strconv.Itoa(int(code)) + " (" + name + ")"
}

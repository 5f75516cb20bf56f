package wire

import "strconv"

// Op is the BOOTP op field: the direction of a message.
type Op byte

// BOOTP op codes (RFC 951).
const (
	OpRequest Op = 1 // BOOTREQUEST: client (or relay) to server
	OpReply   Op = 2 // BOOTREPLY: server to client (or relay)
)

// String returns "BOOTREQUEST", "BOOTREPLY" or "Op(n)".
func (o Op) String() string {
	switch o {
	case OpRequest:
		return "BOOTREQUEST"
	case OpReply:
		return "BOOTREPLY"
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

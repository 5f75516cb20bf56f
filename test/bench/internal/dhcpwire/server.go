package dhcpwire

import (
	"encoding/binary"
	"errors"
)

// Request is what the stateless responder takes from a (relayed) request.
// Its slices point into the message it was parsed from.
type Request struct {
	// Type is the DHCP message type.
	Type byte
	// Header is the message's first 236 bytes: the fixed BOOTP fields the
	// reply copies (xid, flags, ciaddr, giaddr, chaddr, …).
	Header []byte
	// AgentInfo is the whole option 82 (code, length, data) when present,
	// to be echoed verbatim (RFC 3046 §2.2); nil otherwise.
	AgentInfo []byte
}

// GIAddr returns the request's giaddr.
func (q *Request) GIAddr() [4]byte { return [4]byte(q.Header[offGIAddr : offGIAddr+4]) }

// CHAddr returns the first six bytes of the request's chaddr.
func (q *Request) CHAddr() [6]byte { return [6]byte(q.Header[offCHAddr : offCHAddr+6]) }

// ParseRequest parses a BOOTREQUEST message (a UDP payload) into q. It does
// not allocate; q's slices point into msg.
func ParseRequest(msg []byte, q *Request) error {
	if len(msg) < offOpts {
		return ErrTruncated
	}
	if msg[offOp] != opRequest {
		return ErrWrongOp
	}
	q.Type, q.Header, q.AgentInfo = 0, msg[:offCookie], nil
	err := scanOptions(msg, func(code byte, whole, data []byte) bool {
		switch {
		case code == optMsgType && len(data) == 1:
			q.Type = data[0]
		case code == optAgentInfo && q.AgentInfo == nil:
			q.AgentInfo = whole
		}
		return true
	})
	if err != nil {
		return err
	}
	if q.Type == 0 {
		return ErrNoType
	}
	return nil
}

// ServerReply is what the responder puts in a reply beyond what it copies
// from the request.
type ServerReply struct {
	// Type is TypeOffer or TypeAck.
	Type byte
	// YIAddr is the address given to the client.
	YIAddr [4]byte
	// ServerID is option 54: the responder's own address.
	ServerID [4]byte
	// Mask is option 1.
	Mask [4]byte
	// LeaseSecs is option 51.
	LeaseSecs uint32
}

// errReplyType is returned by BuildReply for a type it does not build.
var errReplyType = errors.New("reply type must be OFFER or ACK")

// BuildReply writes into b the reply to q: the request's fixed fields with
// op BOOTREPLY, hops and secs zero and yiaddr set, then options 53, 54, 51,
// 1, 3 (giaddr, when set), q's option 82 verbatim, and END, padded to 300
// bytes. It returns the message's length and does not allocate. b must not
// overlap the message q was parsed from.
func BuildReply(b []byte, q *Request, s *ServerReply) (int, error) {
	if s.Type != TypeOffer && s.Type != TypeAck {
		return 0, errReplyType
	}
	need := offOpts + 3 + 6 + 6 + 6 + 6 + len(q.AgentInfo) + 1
	n := max(need, minBOOTP)
	if len(q.Header) != offCookie || len(b) < n {
		return 0, ErrShortBuffer
	}
	msg := b[:n]
	clear(msg)
	copy(msg, q.Header)
	msg[offOp] = opReply
	msg[offHops] = 0
	binary.BigEndian.PutUint16(msg[offSecs:], 0)
	copy(msg[offYIAddr:], s.YIAddr[:])
	clear(msg[offSIAddr : offSIAddr+4])
	clear(msg[offCHAddr+16 : offCookie]) // sname and file
	copy(msg[offCookie:], magicCookie[:])
	o := msg[offOpts:offOpts]
	o = append(o, optMsgType, 1, s.Type)
	o = append(o, optServerID, 4)
	o = append(o, s.ServerID[:]...)
	o = append(o, optLeaseTime, 4, byte(s.LeaseSecs>>24), byte(s.LeaseSecs>>16), byte(s.LeaseSecs>>8), byte(s.LeaseSecs))
	o = append(o, optSubnetMask, 4)
	o = append(o, s.Mask[:]...)
	if gi := q.GIAddr(); gi != [4]byte{} {
		o = append(o, optRouter, 4)
		o = append(o, gi[:]...)
	}
	o = append(o, q.AgentInfo...)
	_ = append(o, optEnd)
	return n, nil
}

package wire

import (
	"net/netip"
	"strconv"
)

// Type is a frame's message type.
type Type uint8

// The message types.
const (
	TypeHello     Type = 1
	TypeState     Type = 2
	TypeHeartbeat Type = 3
	TypeBndUpd    Type = 4
	TypeBndAck    Type = 5
	TypeUpdReq    Type = 6
	TypeUpdDone   Type = 7
)

// String names the type as docs/failover.md does.
func (t Type) String() string {
	switch t {
	case TypeHello:
		return "HELLO"
	case TypeState:
		return "STATE"
	case TypeHeartbeat:
		return "HEARTBEAT"
	case TypeBndUpd:
		return "BNDUPD"
	case TypeBndAck:
		return "BNDACK"
	case TypeUpdReq:
		return "UPDREQ"
	case TypeUpdDone:
		return "UPDDONE"
	}
	return "type " + strconv.Itoa(int(t))
}

// Message is one of Hello, State, Heartbeat, BndUpd, BndAck, UpdReq and
// UpdDone (values, not pointers). The set is closed.
type Message interface {
	// Type is the message's frame type.
	Type() Type
	appendBody(b []byte) ([]byte, error)
}

// Role is a node's role in the pair.
type Role uint8

// The roles.
const (
	RolePrimary   Role = 0
	RoleSecondary Role = 1
)

// String is "primary" or "secondary".
func (r Role) String() string {
	switch r {
	case RolePrimary:
		return "primary"
	case RoleSecondary:
		return "secondary"
	}
	return "role " + strconv.Itoa(int(r))
}

// Limits of the variable-length fields.
const (
	MaxNodeName = 64
	MaxClientID = 255
	MaxMAC      = 16
	MaxHostname = 255
	MaxReason   = 255
)

// Hello opens a connection, from each side once it is authenticated.
type Hello struct {
	Version  uint8 // the highest wire version the sender speaks
	Role     Role
	State    uint8 // the sender's failover state (relay/failover's numbering)
	Fresh    bool  // the sender's lease store is new for the pair (it must recover)
	NodeName string
	Scopes   []ScopeInfo
}

// ScopeInfo names one failover scope of the sender, so the receiver can check
// it is configured alike.
type ScopeInfo struct {
	Subnet netip.Prefix // IPv4, masked
	Mode   uint8        // the failover mode (relay/failover's numbering)
	Hash   [32]byte     // hash of the scope's ranges and settings
}

// State tells the partner the sender's failover state changed.
type State struct {
	State    uint8
	Shutdown bool // the sender is stopping gracefully
}

// Heartbeat keeps a quiet connection alive.
type Heartbeat struct {
	Seq uint64
}

// BindState is a binding's state in a BndUpd.
type BindState uint8

// The binding states.
const (
	BindBound    BindState = 1
	BindReleased BindState = 2
	BindDeclined BindState = 3
	BindExpired  BindState = 4
)

// String names the state.
func (s BindState) String() string {
	switch s {
	case BindBound:
		return "bound"
	case BindReleased:
		return "released"
	case BindDeclined:
		return "declined"
	case BindExpired:
		return "expired"
	}
	return "bind state " + strconv.Itoa(int(s))
}

// BndUpd carries one binding to the partner.
type BndUpd struct {
	Seq       uint64
	Subnet    netip.Prefix // the scope's subnet (IPv4, masked)
	Addr      netip.Addr   // the address, inside Subnet
	ClientID  []byte       // option 61, at most MaxClientID bytes; empty if none
	MAC       []byte       // chaddr, at most MaxMAC bytes
	Hostname  string       // at most MaxHostname bytes
	State     BindState
	Remaining uint32 // seconds of the lease left when sent
	Updated   uint32 // seconds since the binding changed, when sent
}

// BndAck answers a BndUpd by its sequence number.
type BndAck struct {
	Seq    uint64
	Status uint8  // AckOK, or a reason code the update was refused for
	Reason string // at most MaxReason bytes
}

// AckOK is the BndAck status of an accepted update.
const AckOK uint8 = 0

// UpdReq asks the partner for its updates: all of them, or those not yet
// acknowledged.
type UpdReq struct {
	All bool
}

// UpdDone ends the updates an UpdReq asked for.
type UpdDone struct{}

// Type implements Message.
func (Hello) Type() Type { return TypeHello }

// Type implements Message.
func (State) Type() Type { return TypeState }

// Type implements Message.
func (Heartbeat) Type() Type { return TypeHeartbeat }

// Type implements Message.
func (BndUpd) Type() Type { return TypeBndUpd }

// Type implements Message.
func (BndAck) Type() Type { return TypeBndAck }

// Type implements Message.
func (UpdReq) Type() Type { return TypeUpdReq }

// Type implements Message.
func (UpdDone) Type() Type { return TypeUpdDone }

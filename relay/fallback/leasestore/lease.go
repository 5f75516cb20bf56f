package leasestore

import (
	"net"
	"net/netip"
	"time"
)

// State is the state of one address record.
type State uint8

// The record states. Only StateBound, StateDeclined and StateReleased are
// written to a Store; StateOffered lives in the server's memory only.
const (
	// StateBound: the address is leased to the client until Expiry. A bound
	// record whose Expiry has passed is free, but still remembers its client.
	StateBound State = iota + 1
	// StateOffered: the address is held for the client by an OFFER until
	// Expiry (memory only).
	StateOffered
	// StateDeclined: the address is quarantined until Expiry, after a
	// DHCPDECLINE or a conflict probe found another host using it.
	StateDeclined
	// StateReleased: the client released the address; it is free, and the
	// record remembers the client so that it gets the address back.
	StateReleased
)

var stateNames = map[State]string{
	StateBound:    "bound",
	StateOffered:  "offered",
	StateDeclined: "declined",
	StateReleased: "released",
}

// String returns the state's stable name, e.g. "bound"; "unknown" for a
// value that is not one of the constants.
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return "unknown"
}

// parseState is the inverse of String.
func parseState(name string) (State, bool) {
	for s, n := range stateNames {
		if n == name {
			return s, true
		}
	}
	return 0, false
}

// Lease is one address record of the fallback server: who holds (or last
// held) Addr on Interface, and until when.
type Lease struct {
	// Interface is the downstream interface whose fallback scope the address
	// belongs to; a Store keeps each interface's records apart.
	Interface string
	// Addr is the leased IPv4 address; a Store holds one record per address.
	Addr netip.Addr
	// ClientID is the client's option 61, when it sent one.
	ClientID []byte
	// MAC is the client's chaddr.
	MAC net.HardwareAddr
	// Hostname is the client's option 12, sanitized.
	Hostname string
	// Expiry is when the lease, offer or quarantine ends.
	Expiry time.Time
	// State says what the record means.
	State State
	// PartnerExpiry is, in a failover pair, the expiry of this record that
	// the partner has acknowledged (docs/failover.md, the lease rules);
	// zero when the partner never acknowledged one, and outside a pair.
	PartnerExpiry time.Time
	// Rev is, from a shared store (EtcdStore), the store's revision of
	// this record: the revision of the write that made it, or of the
	// delete that removed it (Deleted). Zero from the other stores.
	Rev int64
	// Deleted says, in a shared store's change feed only, that the record
	// was removed; only Interface, Addr and Rev are set.
	Deleted bool
}

// Clone returns a deep copy of l, sharing no slices with it.
func (l Lease) Clone() Lease {
	c := l
	c.ClientID = cloneBytes(l.ClientID)
	c.MAC = net.HardwareAddr(cloneBytes(l.MAC))
	return c
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

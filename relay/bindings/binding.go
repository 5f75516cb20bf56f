package bindings

import (
	"net"
	"net/netip"
	"time"
)

// Binding is one address lease the relay saw a server grant.
//
// The slices are owned by the table once the Binding is handed to Learn,
// and are never modified afterwards; bindings returned by the table share
// them, so callers must not modify them either.
type Binding struct {
	// Addr is the leased IPv4 address (the ACK's yiaddr).
	Addr netip.Addr
	// MAC is the client hardware address (chaddr, hlen bytes).
	MAC net.HardwareAddr
	// ClientID is the client identifier (option 61); nil when absent.
	ClientID []byte
	// Interface is the downstream interface the ACK was delivered on.
	Interface string
	// VLAN is the 802.1Q id of that interface; 0 if none.
	VLAN int
	// Hostname is the host name option (12) of the ACK, with every byte
	// that is not printable ASCII replaced by '?'; empty when absent.
	Hostname string
	// Expiry is when the lease ends; the zero time means an infinite lease
	// (lease time 0xffffffff, RFC 2131 §3.3).
	Expiry time.Time
}

// Expired reports whether b's lease has ended at now.
func (b Binding) Expired(now time.Time) bool {
	return !b.Expiry.IsZero() && !now.Before(b.Expiry)
}

// expiresBefore reports whether a lease ending at a ends before one ending
// at b, the zero time being infinitely late.
func expiresBefore(a, b time.Time) bool {
	switch {
	case a.IsZero():
		return false
	case b.IsZero():
		return true
	}
	return a.Before(b)
}

// clientKey identifies a client on one interface without allocating: the
// MAC is copied into a fixed array and the interface name string shares the
// caller's bytes.
type clientKey struct {
	mac   [16]byte
	n     uint8
	iface string
}

func keyOf(mac net.HardwareAddr, iface string) clientKey {
	k := clientKey{iface: iface}
	k.n = uint8(copy(k.mac[:], mac))
	return k
}

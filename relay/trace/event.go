package trace

import (
	"net/netip"
	"time"

	"github.com/iphelper/iphelper/relay/wire"
)

// Direction says whether the relay received or sent the packet, seen from
// the downstream interface: requests come in, replies go out.
type Direction uint8

// The directions.
const (
	In  Direction = iota // a BOOTREQUEST read on a downstream interface
	Out                  // a BOOTREPLY for a downstream interface
)

// String returns "in" or "out".
func (d Direction) String() string {
	if d == Out {
		return "out"
	}
	return "in"
}

// Action is what the relay did with the packet.
type Action uint8

// The actions.
const (
	Relayed   Action = iota + 1 // a request sent to Event.Helpers
	Delivered                   // a reply delivered to the client (Event.To, Event.Broadcast)
	Dropped                     // dropped for Event.Reason
	Fallback                    // a request handed to the interface's fallback server instead of the helpers
	Silent                      // a request the fallback server did not answer, for Event.Reason (its outcome)
	DNSUpdate                   // a dynamic DNS update step for a fallback client (Event.DNS), with its result in Event.Reason
)

// Event is one packet the relay saw and what it did with it. It is a plain
// value, copied into each subscriber's channel; building one allocates
// nothing. Formatting happens in the subscriber (Format).
type Event struct {
	// Time is when the packet was handled; Emit sets it when zero.
	Time time.Time
	// Interface is the downstream interface; empty for a reply that
	// matched none.
	Interface string
	Dir       Direction
	Op        wire.Op
	Type      wire.MessageType // 0 for plain BOOTP or no option 53
	XID       uint32
	HLen      uint8    // chaddr length, at most 16
	CHAddr    [16]byte // the first HLen bytes are the client's hardware address
	GIAddr    netip.Addr
	Action    Action
	// Helpers are the servers a request was relayed to. The slice is
	// shared with the relay and must not be modified.
	Helpers []netip.AddrPort
	// From is the server a reply came from; for a reply of the
	// interface's fallback server (FromFallback), the server's address.
	From         netip.Addr
	FromFallback bool
	// To is the IP destination a reply was delivered to; Broadcast says
	// it went as a broadcast.
	To        netip.Addr
	Broadcast bool
	// Reason is the drop reason's stable name (relay.Reason.String()), or
	// the fallback server's outcome for Silent. A dropped request with
	// Helpers lost only its sends to those helpers.
	Reason string
	// UDPPort is set for a forwarded UDP broadcast (not DHCP): its
	// destination port; UDPSrc is its source. The DHCP fields stay zero,
	// and Helpers are where it was forwarded.
	UDPPort uint16
	UDPSrc  netip.AddrPort
	// DNS is set for a DNSUpdate: the step sent to the zone's server.
	DNS DNSStep
}

// DNSStep is one dynamic DNS update step (relay/ddns): for the client
// of Addr, Name's records in Zone are added (Add) or removed, Step names
// the RFC 4703 step ("add-new", "add-mine", "add-ptr", "remove-a",
// "remove-dhcid", "remove-ptr").
type DNSStep struct {
	Name, Zone, Step string
	Addr             netip.Addr
	Add              bool
}

// SetMessage copies the header fields of a BOOTP message into e: op, the
// DHCP message type, xid, chaddr and giaddr. Call it before the relay
// edits the message, so that the trace shows giaddr as received. It never
// panics and does not allocate; fields a short message lacks stay zero.
func (e *Event) SetMessage(msg []byte) {
	p := wire.Packet(msg)
	e.Op = p.Op()
	e.Type = p.MessageType()
	e.XID = p.XID()
	e.GIAddr = p.GIAddr()
	mac := p.CHAddr()
	e.HLen = uint8(copy(e.CHAddr[:], mac))
}

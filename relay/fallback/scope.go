package fallback

import (
	"net"
	"net/netip"
	"time"
)

// Defaults for the zero values of Scope's durations, beside what justifies
// them. The config package may fill its own; these apply when it does not.
const (
	// DefaultLeaseTime is short: a fallback lease should not outlive the
	// outage by much, so clients return to the central server soon.
	DefaultLeaseTime = 10 * time.Minute
	// DefaultOfferHold covers a client's whole first exchange: RFC 2131
	// §4.1 retransmits at 4, 8, 16 s (±1 s), so 30 s spans the DISCOVER
	// retries that would otherwise get a second address.
	DefaultOfferHold = 30 * time.Second
	// DefaultDeclineQuarantine is how long a declined or conflicting
	// address stays out of the pool (ISC dhcpd abandons for much longer;
	// a fallback pool is small, so 10 minutes, one default lease).
	DefaultDeclineQuarantine = 10 * time.Minute
	// MaxPoolSize bounds the addresses of one scope (ranges minus
	// exclusions, plus reservations), and with it the server's memory and
	// the store's size.
	MaxPoolSize = 1 << 16
	// DefaultReserveForKnown is the percentage of the dynamic pool that new
	// clients cannot take (see Scope.ReserveForKnown).
	DefaultReserveForKnown = 10
	// DefaultOffersPercent and MinOffersOutstanding give the default of
	// Scope.MaxOffersOutstanding: 10% of the dynamic pool, at least 4.
	DefaultOffersPercent = 10
	MinOffersOutstanding = 4
	// maxLeaseTime is one second below 0xffffffff, which option 51 reserves
	// for an infinite lease (RFC 2132 §9.2).
	maxLeaseTime = (1<<32 - 2) * time.Second
)

// Failback says what the server does with a client that holds a fallback
// lease when the upstream servers are up again. See the package doc for the
// trade-off.
type Failback uint8

const (
	// FailbackNAK NAKs the client's next renewal and deletes its lease, so
	// that it re-acquires an address from upstream (the default).
	FailbackNAK Failback = iota
	// FailbackKeep renews the lease as usual until the client leaves.
	FailbackKeep
)

// String returns "nak" or "keep", the config file's spelling.
func (f Failback) String() string {
	switch f {
	case FailbackNAK:
		return "nak"
	case FailbackKeep:
		return "keep"
	}
	return "unknown"
}

// Range is an inclusive range of IPv4 addresses, Start..End.
type Range struct {
	Start, End netip.Addr
}

// Contains reports whether a lies in r.
func (r Range) Contains(a netip.Addr) bool {
	return a.Is4() && r.Start.Compare(a) <= 0 && a.Compare(r.End) <= 0
}

// Reservation gives a fixed address to one client, named by its chaddr
// (MAC) or its client identifier (option 61). When both are set, either
// matches. The address must lie in the Subnet; it need not lie in a Range,
// and exclusions do not apply to it.
type Reservation struct {
	MAC      net.HardwareAddr
	ClientID []byte
	Addr     netip.Addr
}

// Scope is the fallback scope of one downstream interface. NewServer and
// UpdateScope validate it; the zero value of each duration means its default.
type Scope struct {
	// Interface names the downstream interface; it is also the store's key.
	Interface string
	// Subnet is the interface's subnet (from its address); host bits are
	// ignored. It gives option 1 and decides "wrong subnet".
	Subnet netip.Prefix
	// ServerID is the appliance's address on the interface: option 54.
	ServerID netip.Addr
	// SharedServerID says that the upstream servers' replies may carry
	// ServerID as their server identifier too: the relay asks them to with
	// RFC 5107 server-id-override. A SELECTING REQUEST naming ServerID is
	// then ours only when it is for an address we offered or leased to
	// that client; any other is the answer to an upstream OFFER, and gets
	// no reply here (our offer to that client is withdrawn).
	SharedServerID bool
	// Local are the appliance's own addresses on Subnet besides ServerID:
	// the interface's secondary addresses (a VRRP/keepalived virtual
	// address, a second address of the subnet) and any other link's.
	// They change at run time (UpdateScope). A conflict probe cannot see
	// them (the appliance does not answer its own ARP), so they are never
	// offered nor ACKed, whatever Ranges and Reservations say; a REQUEST for
	// one that the Ranges or Reservations cover is NAKed
	// (OutcomeNakLocalAddress), so that a client that leased it before it
	// became the appliance's gives it up at its next renewal.
	Local []netip.Addr
	// Ranges are the dynamic pool, inside Subnet, not overlapping. The
	// ServerID, Local and Router addresses are never offered, even when a
	// range covers them.
	Ranges []Range
	// Exclusions are taken out of the Ranges.
	Exclusions []Range
	// Reservations are fixed addresses for known clients.
	Reservations []Reservation
	// Router is option 3; empty means ServerID.
	Router []netip.Addr
	// DNS is option 6; empty means the option is not sent.
	DNS []netip.Addr
	// Domain is option 15; empty means the option is not sent.
	Domain string
	// Options are the scope's other options, no two with one code (see
	// addOptions for which a client gets).
	Options []Option
	// NextServer is the siaddr of OFFERs and ACKs; the zero Addr for
	// 0.0.0.0. BootFile is their file field; "" for none.
	NextServer netip.Addr
	BootFile   string
	// LeaseTime is option 51 (0: DefaultLeaseTime).
	LeaseTime time.Duration
	// T1 and T2 are options 58 and 59 (0: 50% and 87.5% of LeaseTime,
	// RFC 2131 §4.4.5). They must satisfy T1 < T2 < LeaseTime.
	T1, T2 time.Duration
	// Enabled false deactivates the scope: no offers, and requests for
	// addresses of the scope are NAKed.
	Enabled bool
	// OfferHold is how long an offered address stays reserved for the
	// client (0: DefaultOfferHold).
	OfferHold time.Duration
	// DeclineQuarantine is how long an address stays out of the pool after
	// a DECLINE or a probe conflict (0: DefaultDeclineQuarantine).
	DeclineQuarantine time.Duration
	// Failback is what happens to a fallback client once upstream is up.
	Failback Failback
	// SpreadStart starts the search for a never-used address at a point of
	// the pool derived from ServerID instead of at its first address, so
	// that the nodes of a site sharing one lease store do not all offer
	// the same next address (docs/cluster.md).
	SpreadStart bool
	// MaxOffersOutstanding caps the addresses held by OFFERs not yet
	// taken: once that many are out, a DISCOVER from a new client gets no
	// OFFER (OutcomeOffersCapped) until one is taken or its OfferHold
	// ends, unless it comes back and the credit lets it past (newClients).
	// Known clients are not capped (see the package doc, "Pool
	// protection"). 0: 10% of the dynamic pool, at least 4; negative: no
	// cap.
	MaxOffersOutstanding int
	// ReserveForKnown is the percentage (at most 100) of the dynamic pool,
	// rounded down, that is kept for known clients: a new client gets an
	// address only while more than that many are free
	// (OutcomeReservedForKnown). 0: DefaultReserveForKnown; negative: no
	// reserve.
	ReserveForKnown int
}

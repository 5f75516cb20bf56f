package config

import (
	"net/netip"
	"time"
)

// Fallback is the fallback scope of one downstream interface: the embedded
// DHCP server that answers the interface's clients when its helpers do not
// (docs/fallback.md). The documented setup is a split
// scope: the upstream server's scope for the subnet excludes Pools.
//
// Ranges, exclusions and reservations are absolute addresses, checked for
// syntax and overlap when the config is built; whether they lie in the
// interface's subnet can only be known at run time, when the relay calls
// CheckSubnet with the interface's prefix (check-config does it too for
// interfaces that exist on the machine where it runs).
//
// # When it answers, and the secs field
//
// While the helpers answer, the fallback answers a DISCOVER only when no
// upstream OFFER for it has passed back within OfferDelay (Windows split
// scope "delay in offer"). Once DownAfter forwarded transactions in a row,
// from DownAfter different clients, got no reply within
// TransactionTimeout, the helpers are down and the fallback answers at
// once (the relay counts only the messages a healthy server must answer);
// requests still go upstream, and the first upstream reply brings the
// helpers back up.
//
// The client's secs field (seconds since it began acquiring) is an
// optional extra signal, off by default: with UseSecs, a DISCOVER whose
// secs is at least SecsThreshold is answered at once even while the
// helpers are up, like the Windows "boot threshold". It cannot be the only
// signal, and is not on by default, because many clients (udhcpc, some
// embedded stacks) leave secs at 0 or reset it on every retransmission, so
// it may never reach the threshold.
//
// # Failback
//
// When the helpers are back, new clients go upstream. A client that holds
// a fallback lease is handled by Failback: FailbackNAK (the default) NAKs
// its next renewal so it re-acquires from the upstream server at once, at
// the cost of a brief re-configuration (a new address unless the upstream
// hands out the same one); FailbackKeep renews it until the client leaves,
// which never disturbs a running client but keeps it off the central
// server (no central lease record, no DNS update, no upstream policy) for
// as long as it stays.
type Fallback struct {
	// Enabled is false for a deactivated scope: the fallback then NAKs
	// requests for its addresses (as a DHCP server does for a deactivated
	// scope) and offers none.
	Enabled bool

	// Pools are the address ranges the fallback leases from; never empty,
	// no two overlap.
	Pools []Range
	// Exclude are ranges that are never leased (they may overlap each
	// other and need not lie in a pool); nil if none.
	Exclude []Range
	// Reservations give fixed addresses to clients; nil if none. No two
	// share an address or a client key.
	Reservations []Reservation

	// Router are the routers offered (option 3); nil means the interface's
	// own address, filled in at run time.
	Router []netip.Addr
	// DNS are the DNS servers offered (option 6); nil if none.
	DNS []netip.Addr
	// Domain is the domain name offered (option 15); "" if none.
	Domain string
	// Options are the other options offered, no two with one code; nil
	// if none. Each goes to a client that lists it in its parameter
	// request list (option 55), or that sends no list, or to every
	// client with AlwaysSend; those that do not fit the client's maximum
	// message size are left out (docs/fallback.md "What it answers").
	Options []Option
	// NextServer is the siaddr of OFFERs and ACKs (the TFTP server of
	// network boot); the zero Addr for 0.0.0.0.
	NextServer netip.Addr
	// BootFile is the file field of OFFERs and ACKs; "" for none.
	BootFile string

	// LeaseTime is the lease offered (option 51); whole seconds.
	LeaseTime time.Duration
	// T1 and T2 are the renewal (option 58) and rebinding (option 59)
	// times; 0 means the RFC 2131 §4.4.5 defaults, 50% and 87.5% of
	// LeaseTime. Use RenewalTime and RebindingTime for the effective values.
	T1, T2 time.Duration

	// OfferDelay is how long a DISCOVER waits for an upstream OFFER before
	// the fallback answers it while the helpers are up; less than 4s.
	OfferDelay time.Duration
	// DownAfter is the number of forwarded transactions in a row without a
	// reply, from as many different clients, after which the helpers are
	// down.
	DownAfter int
	// TransactionTimeout is how long a forwarded transaction may wait for
	// its reply before it counts as unanswered.
	TransactionTimeout time.Duration

	// ProbeCount is the number of ARP probes sent for an address before it
	// is offered; 0 turns conflict detection off.
	ProbeCount int
	// MaxOffers caps the addresses held by OFFERs to clients the scope
	// does not know yet (a DHCP starvation flood's random MACs are all
	// new): 0 means 10 % of the pool, at least 4; -1 means no cap. Known
	// clients (a reservation, a current or remembered lease) are exempt.
	MaxOffers int
	// ReserveForKnown is the percentage of the pool kept free for known
	// clients, so that a returning client gets its address during a
	// flood: 0 means 10; -1 means none.
	ReserveForKnown int
	// ProbeTimeout is how long each probe waits for an answer.
	ProbeTimeout time.Duration
	// DeclineQuarantine is how long an address a client declined (or a
	// probe found in use) is kept out of the pool.
	DeclineQuarantine time.Duration
	// OfferHold is how long an offered address is held for the client it
	// was offered to.
	OfferHold time.Duration

	// Failback says what happens to a fallback lease at renewal once the
	// helpers are back up.
	Failback FailbackMode

	// UseSecs makes a DISCOVER whose secs field is at least SecsThreshold
	// be answered at once (see the type's documentation).
	UseSecs bool
	// SecsThreshold is the secs value, in whole seconds, for UseSecs.
	SecsThreshold time.Duration

	// FailoverMode is how the scope shares its clients with the partner
	// node of a failover pair (docs/failover.md); FailoverNone by default.
	FailoverMode FailoverMode
	// FailoverRole is this node's role for the scope: the failover:
	// block's role, or in split mode without one the scope's
	// failover-role. FailoverNoRole when FailoverMode is FailoverNone.
	FailoverRole FailoverRole
	// PartnerPools are the partner's ranges of a split scope, none of
	// which overlaps Pools; nil in every other mode.
	PartnerPools []Range
	// DDNS registers the scope's clients in DNS; nil when off.
	DDNS *DDNS
	// SecondaryDelay is how much longer than OfferDelay this node waits
	// before it offers: the failover: block's secondary-delay (its
	// default without one) for a split scope whose role is secondary, 0
	// otherwise.
	SecondaryDelay time.Duration
}

// RenewalTime returns T1, or its RFC 2131 §4.4.5 default of half the lease.
func (f *Fallback) RenewalTime() time.Duration {
	if f.T1 != 0 {
		return f.T1
	}
	return f.LeaseTime / 2
}

// RebindingTime returns T2, or its RFC 2131 §4.4.5 default of 87.5% of the
// lease.
func (f *Fallback) RebindingTime() time.Duration {
	if f.T2 != 0 {
		return f.T2
	}
	return f.LeaseTime / 8 * 7
}

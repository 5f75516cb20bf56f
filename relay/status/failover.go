package status

import (
	"net/netip"
	"time"
)

// Failover is the failover pair's state, for `show failover` and the
// metrics (docs/failover.md).
type Failover struct {
	Name string
	Role string // "primary" or "secondary"
	// State is this node's state and Since when it was entered;
	// PartnerState the partner's last announced state ("" before any).
	State        string
	Since        time.Time
	PartnerState string
	// Connected says the authenticated connection is up; LastContact is
	// the last message from the partner (zero: none since start).
	Connected   bool
	LastContact time.Time
	Listen      netip.AddrPort
	Peer        netip.AddrPort
	MCLT        time.Duration
	// PartnerDownSince is when PARTNER-DOWN was entered (zero outside it).
	PartnerDownSince time.Time
	// PendingUpdates are the lease updates sent and not yet acknowledged.
	PendingUpdates int
	Scopes         []FailoverScope
	// Transitions are the last state changes, oldest first.
	Transitions []FailoverTransition
	// Counters are the pair's counts by name (updates_sent, updates_acked,
	// updates_received, updates_refused, ack_timeouts, queue_full,
	// transitions, …) and the connection's (auth_failed, disconnects, …).
	Counters map[string]uint64
}

// FailoverScope is one fallback scope in the pair.
type FailoverScope struct {
	Interface string
	Subnet    netip.Prefix
	Mode      string
	// Mismatch says the partner's scope of the subnet is configured
	// differently (or missing): the scope is not served in failover.
	Mismatch bool
	// PartnerMissing says the partner did not name the scope when it
	// connected (it does not serve it, or not yet).
	PartnerMissing bool
	// Owned and PartnerOwned count the scope's dynamic addresses that each
	// node may allocate in NORMAL.
	Owned, PartnerOwned int
}

// FailoverTransition is one state change with its reason.
type FailoverTransition struct {
	At       time.Time
	From, To string
	Reason   string
}

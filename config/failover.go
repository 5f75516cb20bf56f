package config

import (
	"fmt"
	"net/netip"
	"time"
)

// Failover is the node's side of a failover pair (docs/failover.md): two
// appliances whose fallback scopes share the clients of the same VLANs so
// that no address is ever given to two clients. The zero value is "no
// failover: block": Enabled reports false and every other field is zero.
//
// The struct carries the values only; the state machine and the lease
// rules live in the relay, which reads them.
type Failover struct {
	// Role is this node's role in the pair; never FailoverNoRole when
	// Enabled.
	Role FailoverRole
	// Name names the relationship in logs and show output; "" if none.
	Name string

	// Listen is where this node accepts its partner's connection, and
	// Peer where it connects to the partner (port 647 unless given).
	Listen, Peer netip.AddrPort

	// KeyFile is the pre-shared key's file, or "" when the pair
	// authenticates by certificates (TLSCert, TLSKey and TLSCA, all set).
	// Exactly one of the two is configured. The files are read by the
	// daemon, not by the config package.
	KeyFile                string
	TLSCert, TLSKey, TLSCA string

	// MCLT is the Maximum Client Lead Time: how far a lease may run ahead
	// of what the partner has acknowledged.
	MCLT time.Duration
	// Heartbeat is how often a node sends a message when it has nothing
	// else to send; MaxResponseDelay, more than Heartbeat, is how long
	// without any message ends NORMAL.
	Heartbeat, MaxResponseDelay time.Duration
	// StartupDelay is the longest a node waits in STARTUP for its partner.
	StartupDelay time.Duration
	// MaxAckDelay is how long a client's ACK waits for the partner's
	// acknowledgement of its lease.
	MaxAckDelay time.Duration
	// AutoPartnerDown is how long without contact, with the evidence of
	// UnansweredClients, before the node enters PARTNER-DOWN by itself; 0
	// means never (only the operator's command).
	AutoPartnerDown time.Duration
	// UnansweredClients is how many distinct clients of the partner must
	// go unanswered, with secs at least SecsThreshold, for that evidence.
	UnansweredClients int
	// SecsThreshold is that secs value, in whole seconds.
	SecsThreshold time.Duration
	// MaxPendingUpdates bounds the lease updates waiting for the
	// partner's acknowledgement.
	MaxPendingUpdates int

	// Split is the percentage of clients (load-sharing) and of addresses
	// that the primary serves, 0..100.
	Split int
	// StandbyShare is the percentage of a hot-standby scope's addresses
	// the secondary owns, 1..50.
	StandbyShare int
	// SecondaryDelay is how much longer than the primary the secondary
	// waits before it offers, in split mode.
	SecondaryDelay time.Duration
}

// Enabled reports whether the configuration has a failover: block (or
// the failover flags that make one).
func (f *Failover) Enabled() bool { return f.Role != FailoverNoRole }

// UsesKey reports whether the pair authenticates by a pre-shared key
// rather than by certificates.
func (f *Failover) UsesKey() bool { return f.KeyFile != "" }

// FailoverRole is a node's role in a failover pair.
type FailoverRole uint8

// The roles.
const (
	// FailoverNoRole is the zero value: no failover relationship.
	FailoverNoRole FailoverRole = iota
	// FailoverPrimary is the primary: in hot-standby it serves every
	// client while the pair is NORMAL.
	FailoverPrimary
	// FailoverSecondary is the secondary.
	FailoverSecondary
)

// String returns the role as written in the config file: "primary",
// "secondary", or "none" for the zero value.
func (r FailoverRole) String() string {
	switch r {
	case FailoverNoRole:
		return "none"
	case FailoverPrimary:
		return "primary"
	case FailoverSecondary:
		return "secondary"
	}
	return fmt.Sprintf("FailoverRole(%d)", int(r))
}

// ParseFailoverRole returns the role called s: "primary" or "secondary".
func ParseFailoverRole(s string) (FailoverRole, error) {
	for _, r := range []FailoverRole{FailoverPrimary, FailoverSecondary} {
		if s == r.String() {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown failover role %q: want primary or secondary", s)
}

// FailoverMode is how a fallback scope shares its clients with the
// partner node (docs/failover.md, "Modes").
type FailoverMode uint8

// The failover modes.
const (
	// FailoverNone: the scope is this node's alone (default).
	FailoverNone FailoverMode = iota
	// FailoverSplit: each node leases from its own ranges (Pools here,
	// PartnerPools on the partner); no connection between the nodes.
	FailoverSplit
	// FailoverHotStandby: the primary serves, the secondary keeps a copy
	// of every lease and owns StandbyShare percent of the addresses.
	FailoverHotStandby
	// FailoverLoadSharing: both serve, each the clients the RFC 3074 hash
	// assigns to it.
	FailoverLoadSharing
)

// String returns the mode as written in the config file: "none", "split",
// "hot-standby" or "load-sharing".
func (m FailoverMode) String() string {
	switch m {
	case FailoverNone:
		return "none"
	case FailoverSplit:
		return "split"
	case FailoverHotStandby:
		return "hot-standby"
	case FailoverLoadSharing:
		return "load-sharing"
	}
	return fmt.Sprintf("FailoverMode(%d)", int(m))
}

// Connected reports whether the mode needs the connection between the
// nodes (hot-standby and load-sharing).
func (m FailoverMode) Connected() bool {
	return m == FailoverHotStandby || m == FailoverLoadSharing
}

// ParseFailoverMode returns the mode called s.
func ParseFailoverMode(s string) (FailoverMode, error) {
	for _, m := range []FailoverMode{FailoverNone, FailoverSplit, FailoverHotStandby, FailoverLoadSharing} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown failover mode %q: want none, split, hot-standby or load-sharing", s)
}

package status

import (
	"net/netip"

	"github.com/iphelper/iphelper/relay/ddns"
	"github.com/iphelper/iphelper/relay/fallback"
)

// Status is a snapshot of the relay for the control socket and metrics:
// every downstream interface with a link or configured by exact name, and
// every helper's counters.
type Status struct {
	Interfaces []InterfaceStatus
	Helpers    []HelperStats
	// HelperSets is the health of each helper set in use, which decides
	// the fallback of the interfaces that use it.
	HelperSets []HelperSetStats
	Global     InterfaceStats
	// Scopes is the address use of each fallback scope, by interface.
	Scopes []ScopeStatus
	// LeaseStore is the fallback servers' lease store.
	LeaseStore LeaseStore
	// DropReasons names every drop reason the relay counts, in counter
	// order, so that a reader can report the ones that never happened
	// (InterfaceStats.Drops leaves them out).
	DropReasons []string
}

// InterfaceStatus is the state of one downstream interface, for `show
// interfaces`.
type InterfaceStatus struct {
	Name  string
	State string // the agent's state: "up", "waiting for link", …
	// Up says the agent is up: its socket is open and it relays.
	Up        bool
	Index     int          // ifindex; 0 while the link does not exist
	VLAN      int          // 802.1Q id, 0 if none
	Address   netip.Prefix // primary IPv4 address; invalid when none
	GIAddr    netip.Addr   // what goes into giaddr; invalid when none yet
	Helpers   []netip.Addr // configured helpers
	Trusted   bool
	Option82  bool   // our option 82 is inserted
	Policy    string // keep / replace / drop
	CircuitID string // our circuit-id, as bytes in a string
	RemoteID  string
	// Polling says the interface's read loop is busy (its packet rate is
	// above poll-above: batches of up to 32 packets); Ring that its packet
	// socket receives into a TPACKET_V2 ring.
	Polling bool
	Ring    bool
	// Fallback says whether the interface has a fallback scope;
	// FallbackDisabled, when not empty, why that scope is not served (the
	// lease database cannot be opened, the scope does not fit the
	// interface's subnet): the relay goes on without it.
	Fallback         bool
	FallbackDisabled string
	Counters         InterfaceStats
}

// ScopeStatus is the address use of one interface's fallback scope.
type ScopeStatus struct {
	Interface string
	fallback.PoolStats
	// Outcomes counts the fallback server's decisions by name ("offer",
	// "ack", "pool_exhausted", "offers_capped", …); ones that never
	// happened are left out.
	Outcomes map[string]uint64
	// NewClients is the ledger of the offers to clients the scope did not
	// know, and the state of the offer cap: it tells a storm of real new
	// clients (offers taken) from a flood (offers abandoned).
	NewClients fallback.NewClientStats
	// DDNS is the scope's dynamic DNS (`show ddns`); nil when off.
	DDNS *ddns.Status
}

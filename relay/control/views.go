package control

import (
	"net/netip"
	"time"
)

// Counters are the counters of one interface (or of no interface: drops
// that could not be charged to one).
type Counters struct {
	RequestsReceived uint64 `json:"requests_received"`
	RequestsRelayed  uint64 `json:"requests_relayed"`
	Option82Inserted uint64 `json:"option82_inserted"`
	Option82Omitted  uint64 `json:"option82_omitted"`
	RepliesDelivered uint64 `json:"replies_delivered"`
	RepliesBroadcast uint64 `json:"replies_broadcast"`
	FallbackReplies  uint64 `json:"fallback_replies"` // answers of the fallback server
	// UDPForwarded counts UDP broadcasts (not DHCP) forwarded to at least
	// one helper; UDPPorts has each forwarded port's counters, in port
	// order, and is left out when the interface forwards only DHCP.
	UDPForwarded uint64         `json:"udp_forwarded"`
	UDPPorts     []PortCounters `json:"udp_ports,omitempty"`
	// In counts the requests received by message type ("discover",
	// "request", "decline", "release", "inform", "bootp", …), Out the
	// replies delivered ("offer", "ack", "nak", …); types never seen are
	// left out.
	In  map[string]uint64 `json:"in,omitempty"`
	Out map[string]uint64 `json:"out,omitempty"`
	// Drops counts dropped packets by reason (the names of status.Status.DropReasons); reasons
	// that never happened are left out.
	Drops map[string]uint64 `json:"drops"`
}

// PortCounters are the counters of one forwarded UDP port of an interface.
type PortCounters struct {
	Port      uint16 `json:"port"`
	Received  uint64 `json:"received"`
	Forwarded uint64 `json:"forwarded"`
	Dropped   uint64 `json:"dropped"`
}

// TotalDrops is the sum of c.Drops.
func (c Counters) TotalDrops() uint64 {
	var n uint64
	for _, v := range c.Drops {
		n += v
	}
	return n
}

// Interface is one downstream interface (`show interfaces`).
type Interface struct {
	Name    string       `json:"name"`
	State   string       `json:"state"` // "up", "waiting for link", "waiting for address", "error"
	Index   int          `json:"index"` // 0 while the link does not exist
	VLAN    int          `json:"vlan"`  // 0: none
	Address netip.Prefix `json:"address,omitzero"`
	GIAddr  netip.Addr   `json:"giaddr,omitzero"`
	Helpers []netip.Addr `json:"helpers"`
	Trusted bool         `json:"trusted"`
	// Option82 says whether our option 82 is inserted; Policy is what
	// happens to an option 82 that arrives on a trusted interface.
	Option82 bool   `json:"option82"`
	Policy   string `json:"option82_policy"`
	// CircuitID and RemoteID are our sub-option values: the text when it
	// is printable ASCII, else "hex:" and the bytes in hex.
	CircuitID string `json:"circuit_id,omitempty"`
	RemoteID  string `json:"remote_id,omitempty"`
	// Polling says the read loop polls the socket every millisecond (a
	// storm, above poll-above); ReceiveRing that the packet socket
	// receives into a TPACKET_V2 ring. Both omitted when false.
	Polling     bool `json:"polling,omitempty"`
	ReceiveRing bool `json:"receive_ring,omitempty"`
	// Fallback is the state of the interface's fallback scope: "serving",
	// "disabled" (FallbackReason says why: the lease database cannot be
	// opened, the scope does not fit the subnet), or "" (omitted) when the
	// interface has none.
	Fallback       string   `json:"fallback,omitempty"`
	FallbackReason string   `json:"fallback_reason,omitempty"`
	Counters       Counters `json:"counters"`

	// LeaseStoreQuorumLostSince is, for a scope on a shared lease store
	// (lease-store: etcd), when the etcd cluster stopped answering this
	// node: no fallback lease is acknowledged meanwhile. Omitted while it
	// answers (docs/cluster.md).
	LeaseStoreQuorumLostSince *time.Time `json:"lease_store_quorum_lost_since,omitempty"`
}

// Helper is one helper address (`show helpers`).
type Helper struct {
	Addr       netip.Addr `json:"address"`
	Sent       uint64     `json:"requests_sent"`
	SendErrors uint64     `json:"send_errors"`
	Replies    uint64     `json:"replies_received"`
	// LastReply is zero (omitted) before the first reply.
	LastReply time.Time `json:"last_reply,omitzero"`
	// Health is the helper's own state: "up", or "down" when its last
	// transactions (in one of its sets) got no reply from it in time; ""
	// (omitted) when no interface uses the helper now. Since and Reason go
	// with it. The transactions and latencies are the helper's own too.
	Health       string    `json:"health,omitempty"`
	Since        time.Time `json:"since,omitzero"`
	Reason       string    `json:"reason,omitempty"`
	Forwarded    uint64    `json:"transactions_forwarded"`
	Answered     uint64    `json:"transactions_answered"`
	TimedOut     uint64    `json:"transactions_timed_out"`
	LatencyP50Ms float64   `json:"latency_p50_ms"`
	LatencyP99Ms float64   `json:"latency_p99_ms"`
	// LatencySamples counts the answered transactions the latency
	// histogram holds (since the last clear statistics): with none, the
	// percentiles mean nothing.
	LatencySamples uint64 `json:"latency_samples"`
	// Sets are the helper sets in use that hold the helper.
	Sets []HelperSet `json:"sets"`
}

// HelperSet is one helper set: the helpers an interface relays to
// (interfaces with the same helpers share one). Its health, not a single
// helper's, decides whether the fallback of its interfaces answers at
// once: it is down when no helper answers.
type HelperSet struct {
	Helpers      []netip.Addr `json:"helpers"`
	Interfaces   []string     `json:"interfaces"`
	Health       string       `json:"health"`
	Since        time.Time    `json:"since,omitzero"`
	Reason       string       `json:"reason,omitempty"`
	Forwarded    uint64       `json:"transactions_forwarded"`
	Answered     uint64       `json:"transactions_answered"`
	TimedOut     uint64       `json:"transactions_timed_out"`
	LatencyP50Ms float64      `json:"latency_p50_ms"`
	LatencyP99Ms float64      `json:"latency_p99_ms"`
	// LatencySamples is as in Helper.
	LatencySamples uint64 `json:"latency_samples"`
}

// InterfaceCounters are the counters of one interface by name.
type InterfaceCounters struct {
	Name     string   `json:"name"`
	State    string   `json:"state"`
	Counters Counters `json:"counters"`
	// NewClients is the fallback scope's ledger of offers to new clients;
	// nil for an interface without a fallback scope.
	NewClients *NewClients `json:"new_clients,omitempty"`
}

// NewClients are a fallback scope's offers to clients it did not know and
// the state of its offer cap: a storm of real clients takes its offers, a
// flood abandons them (docs/fallback.md, "Storms of new clients and
// floods").
type NewClients struct {
	Offered     uint64 `json:"offered"`
	Earned      uint64 `json:"earned"` // past the base cap, to clients that came back
	Taken       uint64 `json:"taken"`
	Abandoned   uint64 `json:"abandoned"`
	Capped      uint64 `json:"capped"` // DISCOVERs turned away
	Outstanding int    `json:"outstanding"`
	// Cap and EarnedCap are the base and the earned limit (-1: none);
	// CapState is "open", "reduced" or "base".
	Cap       int    `json:"cap"`
	EarnedCap int    `json:"earned_cap"`
	CapState  string `json:"cap_state"`
}

// Statistics are every counter of the relay (`show statistics`).
type Statistics struct {
	Interfaces []InterfaceCounters `json:"interfaces"`
	Helpers    []Helper            `json:"helpers"`
	// Global holds the drops that belong to no interface, such as a reply
	// whose giaddr is not ours.
	Global Counters `json:"global"`
}

// Binding is one entry of the relay's binding table (`show bindings`).
type Binding struct {
	Addr      netip.Addr `json:"address"`
	MAC       Hex        `json:"mac"`
	ClientID  Hex        `json:"client_id,omitempty"`
	Interface string     `json:"interface"`
	VLAN      int        `json:"vlan"`
	Hostname  string     `json:"hostname,omitempty"`
	// Expiry is when the lease ends; absent (the zero time) for an
	// infinite lease.
	Expiry time.Time `json:"expiry,omitzero"`
}

// Lease is one lease of the fallback server (`show leases`).
type Lease struct {
	Addr      netip.Addr `json:"address"`
	MAC       Hex        `json:"mac"`
	ClientID  Hex        `json:"client_id,omitempty"`
	Hostname  string     `json:"hostname,omitempty"`
	Interface string     `json:"interface"`
	Expiry    time.Time  `json:"expiry,omitzero"`
	State     string     `json:"state"` // "bound", "offered", "declined", "released"
}

// TraceStart is the data of the answer that starts a `debug packets`
// stream.
type TraceStart struct {
	// Interface is the interface traced; empty for every interface.
	Interface string `json:"interface,omitempty"`
	// State is that interface's state (InterfaceStatus.State): "up", or
	// "waiting for link" while a configured interface does not exist yet,
	// whose packets are traced once it does; empty for every interface.
	State string `json:"state,omitempty"`
}

// TraceEvent is one packet of a `debug packets` stream: the fields of
// trace.Event, and Line, the formatted one-line trace.
type TraceEvent struct {
	Time      time.Time  `json:"time"`
	Interface string     `json:"interface"`
	Direction string     `json:"direction"` // "in" or "out"
	Type      string     `json:"type"`      // "DISCOVER", …, "BOOTREQUEST"/"BOOTREPLY" for BOOTP
	XID       uint32     `json:"xid"`
	CHAddr    Hex        `json:"chaddr"`
	GIAddr    netip.Addr `json:"giaddr"`
	// Action is "relayed", "delivered", "dropped", "fallback" (handed to
	// the fallback server) or "fallback_silent" (the fallback server did
	// not answer, for Reason, its outcome).
	Action string `json:"action,omitempty"`
	// Helpers are the helpers a request was relayed to; for a dropped
	// request, the helpers only whose sends were dropped.
	Helpers []netip.AddrPort `json:"helpers,omitempty"`
	From    netip.Addr       `json:"from,omitzero"`
	// FromFallback marks a reply of the interface's fallback server (From
	// is then its address).
	FromFallback bool       `json:"from_fallback,omitempty"`
	To           netip.Addr `json:"to,omitzero"`
	Broadcast    bool       `json:"broadcast,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	Line         string     `json:"line"`
}

// ReloadResult is the answer to an applied reload.
type ReloadResult struct {
	// RestartNeeded names the changed keys that the running daemon cannot
	// apply (for example "log.format"): they take effect at the next
	// start. Empty when everything was applied.
	RestartNeeded []string `json:"restart_needed,omitempty"`
}

// Build names a binary: its version, the commit it was built from and
// the Go release that built it (`iphelper version`, `show version`).
type Build struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	// Modified says the work tree had uncommitted changes at build time.
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version,omitempty"`
}

// DaemonVersion is the running daemon's build, how long it has run and
// the hash of its running configuration (`show version`).
type DaemonVersion struct {
	Build
	Started       time.Time `json:"started,omitzero"`
	UptimeSeconds int64     `json:"uptime_seconds"`
	// ConfigHash identifies the running configuration (as the metric
	// iphelper_config_info does); empty when the daemon cannot reload.
	ConfigHash    string `json:"config_hash,omitempty"`
	ReloadsOK     uint64 `json:"reloads_applied"`
	ReloadsFailed uint64 `json:"reloads_rejected"`
}

// Pool is the address use of one interface's fallback scope (`show
// pools`; IOS: show ip dhcp pool).
type Pool struct {
	Interface string `json:"interface"`
	// Size is every address the scope can hand out; Leased, Offered and
	// Quarantined are held now, Free is the rest.
	Size        int `json:"size"`
	Leased      int `json:"leased"`
	Offered     int `json:"offered"`
	Quarantined int `json:"quarantined"`
	Free        int `json:"free"`
	// Utilisation is the share of Size not free, in percent.
	Utilisation float64 `json:"utilisation_percent"`
}

// Conflict is one address the fallback server keeps out of its pool
// (`show conflicts`; IOS: show ip dhcp conflict).
type Conflict struct {
	Addr      netip.Addr `json:"address"`
	Interface string     `json:"interface"`
	// Detection is how the conflict was found: "decline" (a client
	// declined the address, MAC is its) or "probe" (the address answered
	// the ARP probe before an offer).
	Detection string    `json:"detection"`
	MAC       Hex       `json:"mac,omitempty"`
	Until     time.Time `json:"until,omitzero"`
}

// ClearedConflicts is the answer to clear conflicts: the addresses freed
// (none when the address was not quarantined).
type ClearedConflicts struct {
	Freed []netip.Addr `json:"freed"`
}

package config

import "net/netip"

// Config is the whole validated configuration of the daemon. It is immutable
// once built: the daemon swaps a new *Config in on reload and never edits one
// in place, so it may be read concurrently without locks.
type Config struct {
	// Interfaces are the downstream (client-facing) interfaces, in the order
	// they were given. An entry's Name is an exact link name or a pattern
	// (path.Match syntax plus numeric ranges, e.g. "eth0.*" or
	// "eth0.{10-20}", see pattern.go); exact names win over patterns and
	// earlier patterns over later ones (see Match).
	Interfaces []Interface

	// MaxHops is the largest hops value a BOOTREQUEST may carry and still be
	// relayed (RFC 1542 §4.1.1: a request whose hops exceeds the threshold is
	// discarded). A relayed request leaves with its hops plus one, so at
	// most MaxHops+1: with the largest MaxHops, 16, a request with hops 16
	// leaves with 17, which the next relay discards.
	MaxHops int

	// MaxPacketSize is the largest DHCP message (UDP payload) the relay
	// sends upstream; when appending option 82 would exceed it, the request
	// goes on without option 82 and a counter says so.
	MaxPacketSize int

	// Hostname is the relay's name, used by the {hostname} template
	// variable (the default remote-id).
	Hostname string

	// LeaseDB is the path of the fallback servers' lease database.
	LeaseDB string

	// Etcd, when set, holds the leases in an etcd cluster shared by the
	// nodes of a site instead of in LeaseDB (lease-store: etcd).
	Etcd *Etcd

	// HelperRate is the requests per second the relay sends to each helper
	// address, from all interfaces together; 0 means unlimited. HelperBurst
	// is how many may go at once (0 when HelperRate is 0).
	HelperRate  float64
	HelperBurst int

	// PollRate is the packet rate, per second, at or above which a
	// socket's read loop is busy: it keeps a 32-slot outbox and, for a
	// packet socket, after 100 ms a receive ring (see relay/pace); 0 means
	// never.
	PollRate int

	// Log configures logging.
	Log Log

	// Failover is this node's side of a failover pair; its zero value
	// (Enabled false) when the configuration has no failover: block.
	Failover Failover

	// Warnings are what the configuration holds that is legal but almost
	// surely a mistake (a pool that is wholly excluded, an --interface
	// given twice), each led by its FILE:LINE:COLUMN when the file holds
	// it; nil if none. check-config and run print them.
	Warnings []string
}

// Interface is the relay configuration of one downstream interface or of a
// pattern of them.
type Interface struct {
	// Name is an exact interface name or a pattern: path.Match syntax
	// plus numeric ranges {FIRST-LAST}. A pattern never takes loopback
	// or a link that holds the route to a helper (see MatchLink).
	Name string

	// Helpers are the DHCP servers (IPv4 unicast) every BOOTREQUEST from this
	// interface is sent to, without repeats. Never empty after validation.
	// Loopback addresses are allowed (a server on the relay itself).
	Helpers []netip.Addr

	// GIAddr, when valid, is the address written into giaddr instead of the
	// interface's primary IPv4 address: IPv4 unicast and not loopback. It
	// must be one of the relay's own addresses (checked at run time, when
	// the addresses are known).
	GIAddr netip.Addr

	// SourceInterface, when not empty, names the interface whose primary
	// IPv4 address is used as giaddr and as the source of relayed packets
	// (Cisco "ip dhcp relay source-interface"). It is an exact name, and
	// empty whenever GIAddr is valid: the two are mutually exclusive.
	SourceInterface string

	// Trusted marks the interface as facing trusted agents (Cisco "ip dhcp
	// relay information trusted"): a request with giaddr 0 and an option 82
	// (from a switch that inserts one) is then handled by Option82.Policy
	// instead of being dropped (RFC 3046 §2.1.1), and a request with giaddr
	// set (from a relay agent below us) is relayed untouched instead of
	// being dropped as untrusted_giaddr. Untrusted is for access ports:
	// a client there could forge a giaddr to skip the checks that apply
	// to giaddr-0 requests.
	Trusted bool

	// Option82 is the relay agent information option policy.
	Option82 Option82

	// RateLimit is the interface's request rate limits.
	RateLimit RateLimit

	// VerifyCHAddr drops a request with giaddr 0 whose chaddr differs from
	// its Ethernet source MAC (Cisco "ip dhcp snooping verify
	// mac-address", HPE "dhcp-snooping verify mac"). Requests with giaddr
	// set come through another relay, whose MAC is the source, and are not
	// checked.
	VerifyCHAddr bool

	// ForwardPorts are the UDP destination ports, besides BOOTP, whose
	// broadcasts from this interface are forwarded to the helpers (IOS
	// `ip forward-protocol udp PORT`), in ascending order; empty: only
	// DHCP is relayed.
	ForwardPorts []uint16

	// PortHelpers are per-port server lists (Junos "forwarding-options
	// helpers port N server ADDR"): a port listed here is forwarded to
	// these servers instead of Helpers, and is in ForwardPorts. Nil: none.
	PortHelpers map[uint16][]netip.Addr

	// DirectedBroadcast lets a forwarded broadcast whose helper is this
	// interface's subnet broadcast leave on it as a link-layer broadcast
	// (IOS `ip directed-broadcast`); without it such a helper is a
	// configuration error.
	DirectedBroadcast bool

	// Fallback is the interface's fallback DHCP server scope; nil means
	// the interface has none. It is shared, read-only, by every link a
	// pattern entry matches.
	Fallback *Fallback
}

// Option82 is the relay agent information option (RFC 3046) configuration
// of one interface.
type Option82 struct {
	// Insert appends option 82 to requests relayed with giaddr 0.
	Insert bool
	// Policy says what to do with an option 82 that arrives, with giaddr 0,
	// on a trusted interface.
	Policy Policy
	// Check drops replies whose option 82 is not the one we stamped.
	Check bool
	// CircuitID is the sub-option 1 template (RFC 3046 §3.1); never zero.
	CircuitID Template
	// RemoteID is the sub-option 2 template (RFC 3046 §3.2); never zero.
	RemoteID Template
	// SubscriberID, when not empty, adds sub-option 6 (RFC 3993).
	SubscriberID Template
	// LinkSelection adds sub-option 5 (RFC 3527) with the interface's subnet.
	LinkSelection bool
	// ServerIDOverride adds sub-option 11 (RFC 5107) with the interface's
	// address and the flags sub-option 10 (RFC 5010).
	ServerIDOverride bool
}

// RateLimit is the token-bucket limits on the requests one downstream
// interface accepts, checked before any other work. A rate is in requests
// per second, 0 meaning unlimited; a burst is how many requests may come at
// once (the bucket's size), 0 when its rate is 0.
type RateLimit struct {
	// InterfaceRate and InterfaceBurst limit the interface as a whole.
	InterfaceRate  float64
	InterfaceBurst int
	// ClientRate and ClientBurst limit each client, told apart by Ethernet
	// source MAC. Behind another relay every client shares that relay's
	// MAC, so set it off on interfaces facing relays.
	ClientRate  float64
	ClientBurst int
	// MaxClients bounds how many clients' buckets are kept; the least
	// recently seen client makes room for a new one.
	MaxClients int
}

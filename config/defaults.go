package config

// The defaults, each beside the RFC or Cisco default that justifies it.
const (
	// DefaultMaxHops is the hops limit: RFC 1542 §4.1.1 makes it
	// configurable and suggests a default of 4.
	DefaultMaxHops = 4
	// MaxMaxHops is the largest allowed hops limit: RFC 1542 §4.1.1 says
	// the limit must not be more than 16.
	MaxMaxHops = 16

	// DefaultMaxPacketSize is a 1500-byte Ethernet MTU minus the 20-byte
	// IPv4 and 8-byte UDP headers.
	DefaultMaxPacketSize = 1472
	// MinMaxPacketSize is the smallest allowed maximum: RFC 2131 §2 builds
	// on every host accepting 576-byte IP datagrams.
	MinMaxPacketSize = 576
	// MaxMaxPacketSize is the largest UDP payload in an IPv4 datagram
	// (65535 minus the 20-byte IPv4 and 8-byte UDP headers).
	MaxMaxPacketSize = 65507

	// DefaultInsert: insert option 82 (RFC 3046). Cisco IOS leaves "ip dhcp
	// relay information option" off until configured; iphelper turns it on,
	// as DESIGN.md says, because the reply path finds the interface by it.
	DefaultInsert = true
	// DefaultPolicy for an option 82 arriving on a trusted interface:
	// replace, the Cisco default of "ip dhcp relay information policy".
	DefaultPolicy = PolicyReplace
	// DefaultCheck: check the option 82 in replies, the Cisco default of
	// "ip dhcp relay information check" (RFC 3046 §2.2).
	DefaultCheck = true
	// DefaultTrusted: interfaces are untrusted, the Cisco default (no "ip
	// dhcp relay information trusted"; RFC 3046 §2.1.1 drops a giaddr-0
	// request carrying option 82 on them).
	DefaultTrusted = false
	// DefaultCircuitID names the interface the request arrived on (RFC 3046
	// §3.1: circuit-id identifies the circuit the request came from).
	DefaultCircuitID = "{ifname}"
	// DefaultRemoteID names this relay (RFC 3046 §3.2; Cisco's default
	// remote-id identifies the relay too, by its MAC address).
	DefaultRemoteID = "{hostname}"

	// DefaultLogLevel and DefaultLogFormat configure log/slog.
	DefaultLogLevel  = "info"
	DefaultLogFormat = "text"
)

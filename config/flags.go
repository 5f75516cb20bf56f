package config

// Flags is what the command line gave, before validation. A nil pointer,
// an empty string or an empty slice means "not given". Values are kept as
// the user typed them so that errors can quote them; Build parses them.
//
// Entries of the form NAME=VALUE in HelperAddresses, CircuitIDs and
// SubscriberIDs apply to the interface entry called NAME only (an exact
// name, or a pattern such as "eth0.*" written the same way); entries
// without "NAME=" apply to all interfaces (see the package documentation
// for the precedence). For templates, a prefix before '=' that contains
// '{', '}' or ':' is not taken as a name, so "hex:..." is always a template.
type Flags struct {
	// Interfaces are --interface names or patterns; those not in the
	// file are added, and global flags take precedence over the file for
	// all of them.
	Interfaces []string
	// HelperAddresses are --helper-address values: ADDR or NAME=ADDR.
	HelperAddresses []string
	// TrustedInterfaces are --trusted-interface names.
	TrustedInterfaces []string
	// TrustAll is --trust-all: every interface is trusted.
	TrustAll bool

	InformationOption *bool   // --information-option / --no-information-option
	InformationPolicy *string // --information-policy keep|replace|drop
	InformationCheck  *bool   // --information-check / --no-information-check
	LinkSelection     *bool   // --link-selection
	ServerIDOverride  *bool   // --server-id-override

	// CircuitIDs and SubscriberIDs are templates: TEMPLATE or NAME=TEMPLATE.
	CircuitIDs    []string
	SubscriberIDs []string
	// RemoteID is the --remote-id template.
	RemoteID *string

	SourceInterface *string // --source-interface NAME
	GIAddr          *string // --giaddr ADDR

	// FallbackPools are --fallback-pool values: NAME=START-END enables a
	// fallback on interface entry NAME; START-END without NAME= applies to
	// every --interface (not to the file's entries).
	FallbackPools []string
	// FallbackDNS are --fallback-dns addresses, for every fallback.
	FallbackDNS []string

	FallbackRouter    *string // --fallback-router ADDR
	FallbackDomain    *string // --fallback-domain NAME
	FallbackLeaseTime *string // --fallback-lease-time DURATION
	OfferDelay        *string // --offer-delay DURATION
	Failback          *string // --failback nak|keep
	LeaseDB           *string // --lease-db PATH
	LeaseStore        *string // --lease-store bolt|etcd
	// EtcdEndpoints are --etcd-endpoint values; they replace the etcd:
	// block's endpoints.
	EtcdEndpoints []string

	InterfaceRate *string // --rate-limit-interface RATE (see ParseRate)
	ClientRate    *string // --rate-limit-client RATE
	HelperRate    *string // --helper-rate-limit RATE
	PollAbove     *string // --poll-above RATE
	VerifyCHAddr  *bool   // --verify-chaddr / --no-verify-chaddr

	// ForwardProtocols are --forward-protocol values: ENTRY or NAME=ENTRY,
	// where ENTRY is a forward-protocol entry ("udp:69", "ios-defaults",
	// "no udp:137"); they apply on top of the file's lists.
	ForwardProtocols []string
	// DirectedBroadcast are --directed-broadcast interface names.
	DirectedBroadcast []string

	// The failover flags: any of role, listen, peer and key-file makes
	// the failover: block (or sets its keys over the file's).
	FailoverRole    *string // --failover-role primary|secondary
	FailoverListen  *string // --failover-listen ADDR[:PORT]
	FailoverPeer    *string // --failover-peer ADDR[:PORT]
	FailoverKeyFile *string // --failover-key-file PATH
	// FailoverMode is --failover-mode, the failover-mode of every
	// fallback scope, at the level of the global flags.
	FailoverMode *string
	// FailoverPartnerPools are --failover-partner-pool values, like
	// FallbackPools: NAME=START-END adds to the partner-pools of
	// interface entry NAME, START-END alone to every --interface's.
	FailoverPartnerPools []string

	MaxHops       *int    // --max-hops
	MaxPacketSize *int    // --max-packet-size
	LogLevel      *string // --log-level
	LogFormat     *string // --log-format
}

package config

import "time"

// The defaults, each beside the RFC or Cisco default that justifies it.
const (
	// DefaultMaxHops is the hops limit: RFC 1542 §4.1.1 makes it
	// configurable and suggests a default of 4; a request whose hops
	// exceeds it is dropped.
	DefaultMaxHops = 4
	// MaxMaxHops is the largest allowed hops limit: RFC 1542 §4.1.1
	// discards every request whose hops exceeds 16.
	MaxMaxHops = 16

	// DefaultPollRate: a socket's loop is busy from 8,000 packets/s, where
	// its drains find several packets waiting often enough to fill batches.
	DefaultPollRate = 8000

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
	// because the reply path finds the interface by it (docs/packet-paths.md, reply step 2).
	DefaultInsert = true
	// DefaultPolicy for an option 82 arriving on a trusted interface:
	// replace, the Cisco default of "ip dhcp relay information policy".
	DefaultPolicy = PolicyReplace
	// DefaultCheck: check the option 82 in replies, the Cisco default of
	// "ip dhcp relay information check" (RFC 3046 §2.2).
	DefaultCheck = true
	// DefaultTrusted: interfaces are untrusted, the Cisco default (no "ip
	// dhcp relay information trusted"; RFC 3046 §2.1.1 drops a giaddr-0
	// request carrying option 82 on them). They also drop a request with
	// giaddr set: only an interface facing a relay may see one.
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

// The fallback scope's defaults (see Fallback).
const (
	// DefaultLeaseDB is where the fallback's leases are stored.
	DefaultLeaseDB = "/var/lib/iphelper/leases.db"
	// DefaultLeaseStore keeps the leases in one node's file (lease-db).
	DefaultLeaseStore = LeaseStoreBolt
	// DefaultEtcdPrefix starts the keys of a shared store.
	DefaultEtcdPrefix = "/iphelper/"
	// DefaultEtcdDialTimeout bounds a connection to an etcd member.
	DefaultEtcdDialTimeout = 5 * time.Second
	// DefaultEtcdRequestTimeout bounds one request to the etcd cluster: a
	// node cut off from the quorum sends no ACK after this long.
	DefaultEtcdRequestTimeout = 3 * time.Second
	// MinEtcdTimeout and MaxEtcdTimeout bound both etcd timeouts: a
	// client waits a few seconds for its ACK, not longer.
	MinEtcdTimeout = 100 * time.Millisecond
	MaxEtcdTimeout = time.Minute

	// DefaultFallbackLeaseTime is short, so that clients served by the
	// fallback move back to the upstream server soon after it returns.
	DefaultFallbackLeaseTime = 10 * time.Minute
	// MinFallbackLeaseTime keeps renewals (every half lease) from flooding
	// the fallback.
	MinFallbackLeaseTime = time.Minute
	// MaxFallbackLeaseTime is the longest finite lease option 51 can carry:
	// 32-bit seconds, 0xffffffff meaning infinite (RFC 2132 §9.2).
	MaxFallbackLeaseTime = 0xfffffffe * time.Second

	// DefaultOfferDelay is the Windows split-scope "delay in offer" most
	// deployments use (Windows' own default is 0, which answers before the
	// upstream server can).
	DefaultOfferDelay = time.Second
	// MaxOfferDelay bounds the delay (exclusive): clients retransmit their
	// first DISCOVER after about 4s (RFC 2131 §4.1).
	MaxOfferDelay = 4 * time.Second

	// DefaultDownAfter is the number of unanswered transactions in a row,
	// from as many different clients, that mark the helpers down.
	DefaultDownAfter = 3
	// MaxDownAfter bounds it.
	MaxDownAfter = 100
	// DefaultTransactionTimeout is how long a forwarded transaction may
	// wait for its reply: a healthy server answers within milliseconds, and
	// a client retransmits after about 4s.
	DefaultTransactionTimeout = 2 * time.Second
	// MinTransactionTimeout and MaxTransactionTimeout bound it.
	MinTransactionTimeout = 100 * time.Millisecond
	MaxTransactionTimeout = 30 * time.Second

	// DefaultProbeCount is one ARP probe before an offer (RFC 2131 §2.2:
	// the server SHOULD probe an address before allocating it).
	DefaultProbeCount = 1
	// MaxProbeCount bounds it.
	MaxProbeCount = 5
	// MaxFallbackPool bounds max-offers-outstanding: a fallback scope holds
	// at most 65,536 addresses (relay/fallback.MaxPoolSize).
	MaxFallbackPool = 1 << 16
	// DefaultProbeTimeout is how long a probe waits: an ARP reply on a LAN
	// takes well under a millisecond.
	DefaultProbeTimeout = 200 * time.Millisecond
	// MinProbeTimeout and MaxProbeTimeout bound it.
	MinProbeTimeout = 10 * time.Millisecond
	MaxProbeTimeout = 2 * time.Second

	// DefaultDeclineQuarantine keeps a declined or conflicting address out
	// of the pool for one default lease time.
	DefaultDeclineQuarantine = 10 * time.Minute
	// MaxDeclineQuarantine bounds it.
	MaxDeclineQuarantine = 30 * 24 * time.Hour
	// DefaultOfferHold is how long an offered address is held for its
	// client: clients REQUEST within seconds (RFC 2131 §4.4.1).
	DefaultOfferHold = 30 * time.Second
	// MaxOfferHold bounds it.
	MaxOfferHold = 10 * time.Minute

	// DefaultFailback NAKs fallback leases once the helpers are back, so
	// that clients return to the central server (see Fallback).
	DefaultFailback = FailbackNAK
	// DefaultUseSecs: the secs field is not used as a signal (see
	// Fallback).
	DefaultUseSecs = false
	// MaxSecsThreshold is the largest secs field (16 bits).
	MaxSecsThreshold = 65535 * time.Second

	// clientRetransmit is when a client first retransmits its DISCOVER
	// (RFC 2131 §4.1: 4s, randomized by ±1s); the offer, probes included,
	// must leave before it.
	clientRetransmit = 4 * time.Second
)

// The rate limits' defaults (see RateLimit). They are limits no legitimate
// site reaches, so that a flood is bounded out of the box.
const (
	// DefaultClientRate is requests per second from one client MAC. A DHCP
	// client sends DISCOVER and REQUEST, then retransmits after 4, 8, 16 s
	// (RFC 2131 §4.1) and renews at T1; even a PXE client chain-loading
	// iPXE sends under ten requests in its first seconds. Cisco's DHCP
	// snooping examples use 10-15 packets/s per access port.
	DefaultClientRate = 10.0
	// DefaultInterfaceRate is requests per second from one interface: a
	// /22 VLAN of 1,000 hosts all rebooting at once after a power cut
	// sends about 2,000 requests spread over the clients' randomized
	// 4 s retransmission, well under this with the burst.
	DefaultInterfaceRate = 2000.0
	// DefaultMaxClients bounds the per-client buckets of one interface
	// (about 50 bytes each, 3 MB at most): more hosts than a /16 holds.
	DefaultMaxClients = 65536
	// DefaultHelperRate is off (0): the right ceiling is the capacity of
	// the server behind a helper, which the relay cannot know, and the
	// per-interface limits already bound what each VLAN can send.
	DefaultHelperRate = 0.0
	// DefaultVerifyCHAddr drops a request with giaddr 0 whose chaddr is not
	// its Ethernet source MAC, the default of Cisco DHCP snooping ("ip dhcp
	// snooping verify mac-address"): such a request is a starvation tool
	// or a MAC-rewriting bridge. Requests with giaddr set come from another
	// relay, whose own MAC is the source, and are never checked.
	DefaultVerifyCHAddr = true

	// burstSeconds is how many seconds' worth of its rate a burst is when
	// not given: room for a client's DISCOVER, REQUEST and a retransmit,
	// and for a VLAN's clients waking together.
	burstSeconds = 2

	// MinRate and MaxRate bound a configured rate, in requests per second:
	// one an hour, and a million a second (more than any relay forwards).
	MinRate = 1.0 / 3600
	MaxRate = 1e6
	// MaxBurst bounds a configured burst.
	MaxBurst = 1_000_000
	// MaxMaxClients bounds max-clients (about 50 MB of buckets).
	MaxMaxClients = 1 << 20
)

// The failover pair's defaults (see Failover and docs/failover.md).
const (
	// DefaultFailoverMode: a scope is this node's alone unless its
	// failover-mode says otherwise.
	DefaultFailoverMode = FailoverNone

	// DefaultFailoverPort is IANA's dhcp-failover port, 647/tcp.
	DefaultFailoverPort = 647

	// DefaultMCLT is 5 minutes. MCLT bounds a lease that the partner has
	// not acknowledged (a client renews it every MCLT/2 while the pair is
	// apart) and is how long a node waits, in PARTNER-DOWN and after
	// RECOVER, before it uses addresses the partner may have leased. Half
	// the default fallback lease-time keeps renewals apart at 2.5 minutes
	// while the survivor takes over every address within minutes; ISC
	// dhcpd's examples use an hour for day-long leases, too long for a
	// fallback whose leases are 10 minutes.
	DefaultMCLT = 5 * time.Minute
	// MinMCLT is 10 s: leases bounded by MCLT then still renew no more
	// than every 5 s, and the namespace tests can pass PARTNER-DOWN in
	// seconds. It is more than 2 × the largest default max-response-delay
	// (rule 1's margin in NORMAL).
	MinMCLT = 10 * time.Second
	// MaxMCLT is a day: past that a failed node's addresses stay blocked
	// for longer than any fallback outage should last.
	MaxMCLT = 24 * time.Hour

	// DefaultHeartbeat is one message a second on an idle connection, and
	// DefaultMaxResponseDelay three of them missed before the partner
	// counts as unreachable (the failover draft's and Kea's 10 s are for
	// servers; a relay's fallback takes over from a dead node in seconds).
	DefaultHeartbeat        = time.Second
	DefaultMaxResponseDelay = 3 * time.Second
	// MinHeartbeat and MaxHeartbeat bound heartbeat, and
	// MaxMaxResponseDelay bounds max-response-delay (which is more than
	// heartbeat).
	MinHeartbeat        = 100 * time.Millisecond
	MaxHeartbeat        = 30 * time.Second
	MaxMaxResponseDelay = 5 * time.Minute

	// DefaultStartupDelay is how long STARTUP waits for the partner: a
	// connection and a HELLO take milliseconds on a LAN, and a client that
	// went unanswered meanwhile retransmits after about 4 s.
	DefaultStartupDelay = 5 * time.Second
	// MaxStartupDelay bounds it.
	MaxStartupDelay = 5 * time.Minute

	// DefaultMaxAckDelay is how long a client's ACK waits for the
	// partner's acknowledgement of the lease; MaxMaxAckDelay (exclusive)
	// is the client's first retransmission, after about 4 s (RFC 2131
	// §4.1): an ACK later than that is wasted.
	DefaultMaxAckDelay = time.Second
	MinMaxAckDelay     = 10 * time.Millisecond
	MaxMaxAckDelay     = clientRetransmit

	// DefaultAutoPartnerDown is 0: PARTNER-DOWN only by the operator's
	// command, because two nodes cannot tell a dead partner from one cut
	// off from them and from the clients (docs/failover.md).
	DefaultAutoPartnerDown = time.Duration(0)
	// MaxAutoPartnerDown bounds it.
	MaxAutoPartnerDown = 24 * time.Hour
	// DefaultUnansweredClients is Kea HA's max-unacked-clients default:
	// three different clients the partner left unanswered.
	DefaultUnansweredClients = 3
	// MaxUnansweredClients bounds it.
	MaxUnansweredClients = 1000
	// DefaultFailoverSecsThreshold is how long (by the client's secs, or
	// by what the node saw of its retransmissions) a client that the
	// partner should answer waits before a node out of contact answers it
	// itself, and counts it as evidence that the partner is down. 3 s is
	// below a client's first retransmission (about 4 s), so a dead
	// partner's new clients are answered at their second DISCOVER; Kea's
	// HA waits 10 s (its max-ack-delay), which costs such a client two
	// retransmissions.
	DefaultFailoverSecsThreshold = 3 * time.Second

	// DefaultMaxPendingUpdates is the lease updates that may wait for the
	// partner's acknowledgement: a burst of a 4,000-host VLAN rebooting.
	DefaultMaxPendingUpdates = 4096
	// MaxMaxPendingUpdates bounds it (about 100 bytes each).
	MaxMaxPendingUpdates = 1 << 20

	// DefaultSplit gives half the clients to each node, as the failover
	// draft's and Kea's load balancing do.
	DefaultSplit = 50
	// DefaultStandbyShare is the secondary's share of a hot-standby
	// scope's addresses: ISC dhcpd's max-lease-misbalance (15%) is of the
	// same order; 10% lets the secondary serve new clients alone for a
	// while and leaves the primary nine addresses in ten.
	DefaultStandbyShare = 10
	// MaxStandbyShare: the secondary never owns more than the primary.
	MaxStandbyShare = 50

	// DefaultSecondaryDelay is how much longer the secondary of a split
	// scope waits than the primary before it offers: a second, the same
	// margin as the default offer-delay gives the helpers, so the primary
	// answers first while it is alive. offer-delay plus it, plus the
	// probes, must stay under the client's retransmission at about 4 s.
	DefaultSecondaryDelay = time.Second
)

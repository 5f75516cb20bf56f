package relay

// Reason says why the relay dropped a packet. Every drop has exactly one
// reason, and each reason has its own counter per interface, so that an
// operator can tell a misconfiguration from an attack.
type Reason uint8

// The drop reasons. The names (String) are stable: logs, the statistics
// output and metrics labels use them.
const (
	// Request path (downstream packet sockets).
	ReasonFrame          Reason = iota // Ethernet/IPv4/UDP framing is broken or truncated
	ReasonRateInterface                // over the interface's request rate (before any parsing)
	ReasonRateClient                   // over the client's (Ethernet source MAC's) request rate
	ReasonChecksum                     // IPv4 header or UDP checksum is wrong
	ReasonFragment                     // fragmented datagram
	ReasonNotForUs                     // unicast to some other host (routed, not relayed)
	ReasonMalformed                    // BOOTP/DHCP message is malformed
	ReasonNotRequest                   // a BOOTREPLY (or bad op) on a downstream interface
	ReasonMaxHops                      // hops exceeds max-hops (RFC 1542 §4.1.1)
	ReasonOurGIAddr                    // giaddr is one of ours: a loop or a spoof (RFC 3046 §2.1.1)
	ReasonCHAddrMismatch               // chaddr is not the Ethernet source MAC (verify-chaddr; giaddr 0 only)
	ReasonUntrustedOpt82               // giaddr 0 and option 82 on an untrusted interface (RFC 3046 §2.1.1)
	ReasonUntrustedRelay               // giaddr set (relayed by an agent below) on an untrusted interface
	ReasonPolicyDrop                   // option 82 present and the policy is drop
	ReasonNoAddress                    // the interface has no IPv4 address to use as giaddr
	ReasonNoHelper                     // every helper of the interface is reached through the ingress interface
	ReasonSendFailed                   // the UDP send to a helper failed
	ReasonRateHelper                   // over the helper's global ceiling (helper-rate-limit)
	ReasonFallbackBusy                 // the fallback server's queue is full
	ReasonSocketOverflow               // the packet socket (its queue or ring) was full: the kernel dropped the frame

	// Forwarded UDP broadcasts (downstream packet sockets).
	ReasonUDPPortNotForwarded  // a UDP port the interface does not forward
	ReasonUDPForgedSource      // the source is not a host of the ingress subnet (or is ours)
	ReasonUDPTTLExpired        // TTL 1 or 0: no hop left to forward it
	ReasonUDPLoop              // the helper is on the ingress subnet or a broadcast: it would go back out
	ReasonUDPDirectedBroadcast // the helper is a local subnet's broadcast whose interface does not allow directed-broadcast

	// Reply path (upstream UDP socket).
	ReasonReplyMalformed      // BOOTREPLY is malformed
	ReasonUnknownGIAddr       // giaddr is not one of our relaying addresses
	ReasonReplyFromDownstream // a reply that arrived on a downstream interface: spoofed
	ReasonNotHelper           // the reply's source is not a helper of that interface
	ReasonForeignOpt82        // the reply's option 82 is not the one we stamped
	ReasonBadOpt82            // the reply's option 82 does not parse
	ReasonCircuitCollision    // interfaces sharing the giaddr stamp this option 82, and the client's subnet does not pick one
	ReasonInterfaceDown       // the interface the reply is for has no listener
	ReasonDeliverFailed       // writing the frame to the client failed
	ReasonReplyOverflow       // a UDP receive buffer of the relay's network namespace was full (UdpRcvbufErrors)

	numReasons
)

var reasonNames = [numReasons]string{
	ReasonRateInterface:        "rate_limit_interface",
	ReasonRateClient:           "rate_limit_client",
	ReasonCHAddrMismatch:       "chaddr_mismatch",
	ReasonRateHelper:           "rate_limit_helper",
	ReasonFrame:                "bad_frame",
	ReasonChecksum:             "bad_checksum",
	ReasonFragment:             "fragment",
	ReasonNotForUs:             "not_for_us",
	ReasonMalformed:            "malformed",
	ReasonNotRequest:           "not_bootrequest",
	ReasonMaxHops:              "max_hops",
	ReasonOurGIAddr:            "giaddr_is_ours",
	ReasonUntrustedOpt82:       "untrusted_option82",
	ReasonUntrustedRelay:       "untrusted_giaddr",
	ReasonPolicyDrop:           "policy_drop",
	ReasonNoAddress:            "no_address",
	ReasonNoHelper:             "no_helper",
	ReasonSendFailed:           "send_failed",
	ReasonFallbackBusy:         "fallback_busy",
	ReasonSocketOverflow:       "socket_overflow",
	ReasonReplyOverflow:        "reply_overflow",
	ReasonUDPPortNotForwarded:  "udp_port_not_forwarded",
	ReasonUDPForgedSource:      "udp_forged_source",
	ReasonUDPTTLExpired:        "udp_ttl_expired",
	ReasonUDPLoop:              "udp_loop",
	ReasonUDPDirectedBroadcast: "udp_directed_broadcast_denied",
	ReasonReplyMalformed:       "reply_malformed",
	ReasonReplyFromDownstream:  "reply_from_downstream",
	ReasonUnknownGIAddr:        "unknown_giaddr",
	ReasonNotHelper:            "non_helper_source",
	ReasonForeignOpt82:         "foreign_option82",
	ReasonBadOpt82:             "bad_option82",
	ReasonCircuitCollision:     "circuit_id_collision",
	ReasonInterfaceDown:        "interface_down",
	ReasonDeliverFailed:        "deliver_failed",
}

// String returns the reason's stable name, e.g. "max_hops".
func (r Reason) String() string {
	if r >= numReasons {
		return "unknown"
	}
	return reasonNames[r]
}

// Reasons returns every reason in counter order.
func Reasons() []Reason {
	rs := make([]Reason, numReasons)
	for i := range rs {
		rs[i] = Reason(i)
	}
	return rs
}

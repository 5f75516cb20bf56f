// Package dhcpwire builds and parses the few DHCPv4 messages the benchmark
// needs, without allocating: the emulated clients' DISCOVER and REQUEST frames
// (Ethernet + IPv4 + UDP + BOOTP, as a client without an address sends them),
// the replies they receive, and the stateless responder's view of a relayed
// request and its reply.
//
// It is a benchmark tool, not the relay's codec (that is relay/wire): it
// understands just enough to drive and answer a DORA, and it checks every
// length, so no byte string makes it panic.
package dhcpwire

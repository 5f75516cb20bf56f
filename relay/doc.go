// Package relay is the DHCPv4 relay agent: the request path (client →
// helpers) and the reply path (helpers → client) of docs/packet-paths.md, the
// option-82 policy, the per-interface agents that own the downstream packet
// sockets, and the counters for every packet and every drop.
//
// The package is protocol only: the sockets and every raw system call are
// package iface's (the UDP socket on port 67 is iface.UDPConn, seen here as
// UpstreamConn so that tests can fake it).
//
// A Relay is driven by Run: it opens the upstream UDP socket on port 67,
// follows the links that an iface.LinkSource reports, starts one agent per
// downstream interface that the configuration matches and stops agents whose
// link went away. A pattern never takes loopback or a link that holds the
// route to a helper (uplink.go); a reply is delivered on the one interface
// its giaddr and option 82 name, resolved by the client's subnet where
// interfaces share both, and dropped where that still names none
// (stamp.go). No goroutine is started per packet: each agent reads and
// relays its interface's requests inline, and one loop reads and delivers
// the replies.
//
// Each path reads top to bottom in one file: request.go from the frame read
// to the copies queued for the helpers, reply.go from the datagram read to
// the frame queued for the client, udpforward.go from a UDP broadcast of a
// forwarded port (IOS ip forward-protocol udp) to its copies for the
// port's helpers; relay.go holds the Relay's lifecycle
// (New, Run, Reload) and reconcile.
//
// docs/packet-paths.md walks both paths step by step, file by file;
// docs/sockets-and-threads.md describes the sockets, the goroutines and the
// bounded queues; docs/README.md maps every behaviour to its file.
package relay

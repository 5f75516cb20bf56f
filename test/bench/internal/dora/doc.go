// Package dora is the benchmark's load generator: N emulated DHCP clients
// with distinct MAC addresses on one interface, each running full DORAs
// (broadcast DISCOVER → OFFER → REQUEST → ACK) through one AF_PACKET socket.
//
// A Generator runs open loop at a target rate (DORAs started per second, on
// schedule whatever the replies do) or closed loop (as fast as possible),
// always with a bound on the transactions in flight, for a bounded count and
// time. Two goroutines do the work: the pacer starts DISCOVERs and times
// transactions out; the receiver reads replies in batches, answers each OFFER
// with a REQUEST in the same batch of sends, and records the latencies. Client
// state is a single atomic word per client, so neither takes a lock, and
// neither allocates per packet.
package dora

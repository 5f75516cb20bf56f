// Package ratelimit decides, before any expensive work, whether the relay
// accepts one more BOOTREQUEST: per downstream interface, per client on
// that interface, and per helper (a ceiling shared by every interface).
//
// Each limit is a token bucket of a rate (requests per second) and a burst
// (the bucket's size), kept as a single time stamp: the generic cell rate
// algorithm (GCRA, ITU-T I.371), which is exactly a token bucket. A bucket
// is 8 bytes, needs no floating point on the request path and no lock when
// one goroutine owns it, and the shared per-helper bucket is updated with
// one compare-and-swap. golang.org/x/time/rate would do too, but its
// Limiter is about 80 bytes with a mutex, and one is needed per client MAC.
//
// # Keying clients by Ethernet source MAC
//
// A client is its Ethernet source MAC, not the chaddr field. Both are
// forgeable, but chaddr is free to change in every packet while the frame
// keeps one source MAC, so keying on chaddr would let a single attacker
// frame after frame present a new "client". The source MAC is also what the
// switch learned and what port security and DHCP snooping limit. A request
// relayed by another relay below us (giaddr set) arrives with that relay's
// MAC: every client behind it shares one bucket, so on an interface that
// faces relays the per-client limit should be off, or the caller should key
// those requests by chaddr instead.
//
// # Bounded state
//
// Per-client buckets live in a table of at most Config.MaxClients entries.
// When it is full, a new MAC takes the slot of the least recently seen one.
// A bucket that has refilled completely carries no information, so evicting
// it costs nothing; Stats counts evictions of buckets that were still
// draining (a sign the table is too small, or of a flood of random MACs).
// An attacker cannot reset the bucket of a MAC it keeps using, because
// using it keeps it recently seen; it only gets fresh buckets for MACs it
// never reuses, and those are bounded by the interface limit.
//
// docs/trust-model.md says what each limit and check of the relay defends
// against, in the order the request path runs them.
package ratelimit

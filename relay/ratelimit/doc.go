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
// # Known clients keep a share of the interface
//
// A starvation tool that sends every request from a new random MAC has no
// bucket to empty: the per-client limit never sees it twice, only the
// interface limit stands against it. With one interface bucket, a flood at
// five times the interface rate takes about four of every five tokens, and
// a real client on that VLAN loses its requests in the same proportion:
// its DISCOVER, then its REQUEST after the OFFER, then each retransmission.
//
// So when the per-client limit is on, the interface limit is two buckets
// that add up to it: the new share (3/4 of the rate and of the burst) that
// every request may use, and the known share (KnownShare, 1/4) that only
// known clients may use: a client is known when its MAC has a bucket in the
// table, that is, when one of its earlier requests was admitted and it has
// not been evicted since. A known client draws on the known share first and
// on the new share when the known share is empty; a new client only on the
// new share. What this guarantees, whatever new MACs send:
//
//   - Known clients together are admitted at least 1/4 of the interface
//     rate with 1/4 of its burst, each within its own client limit: a real
//     client whose first request got in is not starved by a flood of MACs
//     never seen before (its REQUEST after the OFFER, its retransmissions,
//     its rebinding and its return after a reboot all get through).
//   - A new client's first request competes with the flood for the new
//     share: under a flood of f requests a second, it is admitted with a
//     chance of about (3/4 of the rate) / f, the same as any flood frame,
//     but once one of its requests is admitted it is known.
//   - The interface as a whole still admits at most its rate and burst
//     (one more when the burst is 1, as each share's burst is at least 1):
//     the split moves no request past the limit an operator sets.
//
// An attacker that reuses MACs makes them known once one of their
// requests is admitted, and then competes with the real known clients for
// the known share: for it, the worst case is the one of a single bucket
// (total admitted at most the interface limit, each MAC at most the client
// limit, which is what stops a few reused MACs), and real clients can again
// be starved by enough reused MACs sending at their client limit. Nor is a
// MAC that was refused before treated as known: a flood that sends every
// frame twice would then reach the known share; only an admission makes a
// client known. Known status ends when a client's bucket is evicted: after
// MaxClients newer MACs were admitted, which a flood holding the new share
// takes MaxClients / (3/4 of the rate) seconds to do (44 s at the default
// 2000/s and 65,536 clients).
//
// A fixed share rather than a setting: during a flood of new MACs the
// known share carries only the real clients' follow-ups (a REQUEST per
// admitted DISCOVER, a few retransmissions), which 1/4 of a limit sized
// for a VLAN rebooting at once holds many times over (500/s at the default
// 2000/s); it costs new clients only a quarter of the rate when there is
// no flood (known clients overflow into the new share, never the reverse);
// and the interface limit itself stays the one knob.
// With the per-client limit off there is no table, no client is known,
// and the interface limit is one bucket as before.
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
// never reuses, and those are bounded by the interface limit's new share.
//
// docs/trust-model.md says what each limit and check of the relay defends
// against, in the order the request path runs them.
package ratelimit

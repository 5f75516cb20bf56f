// Package health tracks the health of an upstream helper set from the
// transactions the relay forwards to it: each forwarded DISCOVER or REQUEST
// (a Txn: xid and chaddr) either gets a reply within a time-out or it does
// not. DownAfter unanswered transactions in a row, from DownAfter different
// clients (chaddrs), mark the helpers Down; the first reply marks them Up
// again. Which transactions a healthy server must answer, and so which ones
// the relay hands to a Tracker, is the relay's decision; the Tracker helps
// it with the server identifiers the set's replies carried (KnowsServerID).
// The fallback server answers at once while the helpers are Down
// (docs/fallback.md, "Upstream health").
//
// The package is pure logic: it starts no goroutines, reads no clock (every
// call takes the current time, so tests drive it with a fake clock) and
// allocates nothing per call in the steady state. A Tracker is safe for
// concurrent use: the relay calls Forwarded from its request path and
// Answered from its reply path, each under a short mutex.
package health

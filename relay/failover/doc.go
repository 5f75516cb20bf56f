// Package failover is the pure core of a two-node failover pair of the
// fallback DHCP server (docs/failover.md): the modes and who owns which free
// address (Scope), the RFC 3074 client hash (ClientHash), the pair's state
// machine (Machine) and the lease rules 1–3 as functions of a state
// snapshot (View).
//
// It does no I/O, starts no goroutine and reads no clock: every event and
// rule takes its time as an argument. It imports neither config nor iface
// nor relay; the wire format is relay/failover/wire, the connection
// relay/failover/peer, and the fallback worker applies the rules.
//
// # Safety
//
// Two different clients never hold one address at overlapping times as long
// as the caller:
//
//   - allocates (binds an address to a client that does not hold it) only
//     when View.MayAllocate and View.Reusable say so, with Reusable given
//     the later of the record's expiry and the partner-acknowledged expiry;
//   - gives expiries from View.Grant (zero partnerExpiry for a new
//     binding) and, in NORMAL, sends the ACK only after the partner
//     acknowledged the update;
//   - acknowledges the partner's updates only as AcceptUpdate says;
//   - resynchronises on every connection before ResyncDone, and sends a
//     RECOVER node every record before RecoveryReceived;
//   - stores every Transition before acting on the new state, and stops
//     serving before it announces Shutdown.
//
// TestPairNeverDoubleBinds simulates two nodes through partitions, crashes,
// restarts with and without their store and clock offsets, and checks it.
package failover

// Package status is the relay's observable state: the snapshot types that
// the relay fills (Status, the per-interface, per-helper and per-helper-set
// counters and health, the fallback scopes' address use, the latency
// histogram and its bounds) and that `show` (relay/control) and the
// Prometheus collector (relay/metrics) read.
//
// It holds data only: no counter, no lock, no socket. The relay owns the
// live counters and the drop reasons; a snapshot carries their names.
// Putting the types here lets control and metrics depend on the relay's
// state without importing the relay: they name the few methods they need
// as interfaces, and cmd/iphelper hands them the *relay.Relay.
package status

package status

import "time"

// LeaseStore is the state of the fallback servers' lease store, for
// `show` and the metrics (docs/cluster.md).
type LeaseStore struct {
	// Kind is "bolt" or "etcd"; "" while no store is open.
	Kind string
	// QuorumLostSince is, for a shared store, when the cluster stopped
	// answering this node's requests in time; zero while it answers.
	// Meanwhile no fallback lease is acknowledged.
	QuorumLostSince time.Time
}

package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/iphelper/iphelper/relay/status"
)

var (
	leaseStoreQuorumLost = desc("iphelper_lease_store_quorum_lost",
		"1 while the shared lease store (lease-store: etcd) does not answer this node in time, so that no fallback lease is acknowledged, else 0; absent with a bolt file (docs/cluster.md).")
	leaseStoreQuorumLostSince = desc("iphelper_lease_store_quorum_lost_since_timestamp_seconds",
		"When the shared lease store stopped answering this node, in seconds since the epoch; absent while it answers.")
	leaseStoreDescs = []*prometheus.Desc{leaseStoreQuorumLost, leaseStoreQuorumLostSince}
)

// collectLeaseStore exports the state of a shared lease store; nothing
// for a bolt file, or while no store is open.
func collectLeaseStore(ch chan<- prometheus.Metric, ls status.LeaseStore) {
	if ls.Kind != "etcd" {
		return
	}
	lost := !ls.QuorumLostSince.IsZero()
	gauge(ch, leaseStoreQuorumLost, one(lost))
	if lost {
		gauge(ch, leaseStoreQuorumLostSince, float64(ls.QuorumLostSince.UnixNano())/1e9)
	}
}

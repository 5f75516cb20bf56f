package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/iphelper/iphelper/relay/status"
)

// TestLeaseStoreQuorumLost: a shared store that answers exports 0, one
// that does not exports 1 and since when; a bolt file exports nothing.
func TestLeaseStoreQuorumLost(t *testing.T) {
	const help = `
# HELP iphelper_lease_store_quorum_lost 1 while the shared lease store (lease-store: etcd) does not answer this node in time, so that no fallback lease is acknowledged, else 0; absent with a bolt file (docs/cluster.md).
# TYPE iphelper_lease_store_quorum_lost gauge
`
	const sinceHelp = `# HELP iphelper_lease_store_quorum_lost_since_timestamp_seconds When the shared lease store stopped answering this node, in seconds since the epoch; absent while it answers.
# TYPE iphelper_lease_store_quorum_lost_since_timestamp_seconds gauge
`
	tests := []struct {
		name string
		ls   status.LeaseStore
		want string
	}{
		{name: "bolt", ls: status.LeaseStore{Kind: "bolt"}, want: ""},
		{name: "etcd answers", ls: status.LeaseStore{Kind: "etcd"}, want: help + "iphelper_lease_store_quorum_lost 0\n"},
		{name: "etcd lost", ls: status.LeaseStore{Kind: "etcd", QuorumLostSince: time.Unix(1700000000, 500000000)},
			want: help + "iphelper_lease_store_quorum_lost 1\n" + sinceHelp + "iphelper_lease_store_quorum_lost_since_timestamp_seconds 1.7000000005e+09\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newRegistry(t, NewCollector(fakeStatus{LeaseStore: tt.ls}, Options{}))
			if err := testutil.GatherAndCompare(reg, strings.NewReader(tt.want),
				"iphelper_lease_store_quorum_lost", "iphelper_lease_store_quorum_lost_since_timestamp_seconds"); err != nil {
				t.Error(err)
			}
		})
	}
}

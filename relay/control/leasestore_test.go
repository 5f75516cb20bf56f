package control

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/status"
)

// TestInterfaceQuorumLost: while the shared lease store has no quorum,
// `show interfaces --json` says since when on each interface with a
// fallback scope, and on no other; while it answers, nothing.
func TestInterfaceQuorumLost(t *testing.T) {
	since := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ifs := []status.InterfaceStatus{{Name: "eth1", Fallback: true}, {Name: "eth2"}}
	for _, tt := range []struct {
		name string
		ls   status.LeaseStore
		want []string // the JSON of eth1 and eth2 hold it or not
	}{
		{"answers", status.LeaseStore{Kind: "etcd"}, []string{"", ""}},
		{"lost", status.LeaseStore{Kind: "etcd", QuorumLostSince: since}, []string{`"lease_store_quorum_lost_since":"2026-03-01T10:00:00Z"`, ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := interfacesOf(status.Status{Interfaces: ifs, LeaseStore: tt.ls})
			for i, want := range tt.want {
				b, err := json.Marshal(out[i])
				if err != nil {
					t.Fatal(err)
				}
				has := strings.Contains(string(b), "lease_store_quorum_lost_since")
				if want == "" && has || want != "" && !strings.Contains(string(b), want) {
					t.Errorf("%s: %s; want %q", out[i].Name, b, want)
				}
			}
		})
	}
}

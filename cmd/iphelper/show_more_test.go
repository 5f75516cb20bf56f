package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
)

type fakeConfig struct{}

func (fakeConfig) ReloadStats() (string, uint64, uint64) { return "9c1f0e2d", 2, 1 }

// TestShowPoolsConflictsVersion: the IOS-like views of the fallback
// scopes and of the daemon.
func TestShowPoolsConflictsVersion(t *testing.T) {
	st := clientTestStatus()
	st.Scopes = []status.ScopeStatus{
		{Interface: "eth1", PoolStats: fallback.PoolStats{Size: 100, Bound: 40, Offered: 2, Quarantined: 1, Free: 57}},
		{Interface: "eth2.20", PoolStats: fallback.PoolStats{Size: 3, Bound: 1, Free: 2}},
	}
	leases := fakeLeaseSource{
		{Addr: mustAddr("203.0.113.210"), Interface: "eth1", Expiry: clientT0.Add(time.Hour), State: leasestore.StateDeclined},
		{Addr: mustAddr("203.0.113.205"), MAC: []byte{2, 0, 0, 0, 0, 0x79}, Interface: "eth1", Expiry: clientT0.Add(30 * time.Minute), State: leasestore.StateDeclined},
		{Addr: mustAddr("203.0.113.200"), MAC: []byte{2, 0, 0, 0, 0, 0x77}, Interface: "eth1", Expiry: clientT0.Add(time.Hour), State: leasestore.StateBound},
	}
	path := filepath.Join(t.TempDir(), "control.sock")
	s := control.NewServer(path, control.Sources{Status: &fakeRelay{st: st}, Leases: leases, Config: fakeConfig{}}, control.Options{
		Now:   func() time.Time { return clientT0 },
		Build: control.Build{Version: "1.4.0", Commit: "3f2a9c1d7b4e00112233", GoVersion: "go1.26.0"}, Started: clientT0.Add(-26*time.Hour - 5*time.Minute),
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	<-s.Ready()
	t.Cleanup(func() { cancel(); <-errc })
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"show", "pools"}, `
Interface  Size  Leased  Offered  Quarantined  Free  Utilisation
eth1       100   40      2        1            57    43.0%
eth2.20    3     1       0        0            2     33.3%
`},
		{[]string{"show", "conflicts"}, `
Address        Interface  Detection  Declined by        Quarantined until
203.0.113.205  eth1       decline    02:00:00:00:00:79  2026-03-01T14:32:11Z
203.0.113.210  eth1       probe      -                  2026-03-01T15:02:11Z
`},
		{[]string{"show", "version"}, `
Version      1.4.0
Commit       3f2a9c1d7b4e00112233
Go           go1.26.0
Started      2026-02-28T11:57:11Z
Uptime       1d2h
Config hash  9c1f0e2d
Reloads      2 applied, 1 rejected
`},
	}
	for _, tt := range tests {
		got, errText := runClient(t, path, tt.args...)
		if errText != "" {
			t.Fatalf("%v: %s", tt.args, errText)
		}
		if diff := cmp.Diff(tt.want[1:], got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, diff)
		}
	}
}

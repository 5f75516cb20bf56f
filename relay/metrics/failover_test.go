package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/iphelper/iphelper/relay/status"
)

type fakeFailover struct{ st *status.Failover }

func (f fakeFailover) FailoverStatus() *status.Failover { return f.st }

var failoverNow = time.Date(2026, 3, 1, 14, 2, 11, 0, time.UTC)

// TestFailover: the pair's state is one series per state, 1 for the
// current one; the connection, the partner's last contact as an age, the
// pending updates and the counters follow, each update result with its
// own label (zero ones included).
func TestFailover(t *testing.T) {
	f := &status.Failover{
		Role: "primary", State: "COMMUNICATIONS-INTERRUPTED", LastContact: failoverNow.Add(-63 * time.Second), PendingUpdates: 2,
		Counters: map[string]uint64{
			"updates_sent": 12, "updates_acked": 10, "updates_received": 7, "updates_refused": 1, "ack_timeouts": 2,
			"transitions": 3, "auth_failed": 4, "disconnects": 1,
		},
	}
	const want = `
# HELP iphelper_failover_auth_failures_total Connections to or from the partner refused because TLS or the key proof failed.
# TYPE iphelper_failover_auth_failures_total counter
iphelper_failover_auth_failures_total 4
# HELP iphelper_failover_connected 1 while the authenticated connection to the partner is up, else 0.
# TYPE iphelper_failover_connected gauge
iphelper_failover_connected 0
# HELP iphelper_failover_last_contact_seconds Seconds since the partner's last message; absent until one came.
# TYPE iphelper_failover_last_contact_seconds gauge
iphelper_failover_last_contact_seconds 63
# HELP iphelper_failover_pending_updates Lease updates sent to the partner and not yet acknowledged.
# TYPE iphelper_failover_pending_updates gauge
iphelper_failover_pending_updates 2
# HELP iphelper_failover_state 1 for the failover pair's current state, 0 for the others (docs/failover.md).
# TYPE iphelper_failover_state gauge
iphelper_failover_state{state="COMMUNICATIONS-INTERRUPTED"} 1
iphelper_failover_state{state="NORMAL"} 0
iphelper_failover_state{state="PARTNER-DOWN"} 0
iphelper_failover_state{state="RECOVER"} 0
iphelper_failover_state{state="RECOVER-WAIT"} 0
iphelper_failover_state{state="SHUTDOWN"} 0
iphelper_failover_state{state="STARTUP"} 0
# HELP iphelper_failover_transitions_total Failover state changes of this node.
# TYPE iphelper_failover_transitions_total counter
iphelper_failover_transitions_total 3
# HELP iphelper_failover_updates_total Lease updates by result: sent, acked (by the partner), received (from it), refused (by this node), refused_by_partner, ack_timeout, queue_full.
# TYPE iphelper_failover_updates_total counter
iphelper_failover_updates_total{result="ack_timeout"} 2
iphelper_failover_updates_total{result="acked"} 10
iphelper_failover_updates_total{result="queue_full"} 0
iphelper_failover_updates_total{result="received"} 7
iphelper_failover_updates_total{result="refused"} 1
iphelper_failover_updates_total{result="refused_by_partner"} 0
iphelper_failover_updates_total{result="sent"} 12
`
	reg := newRegistry(t, NewCollector(fakeStatus{}, Options{Failover: fakeFailover{f}, Now: func() time.Time { return failoverNow }}))
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), failoverMetricNames()...); err != nil {
		t.Error(err)
	}
}

// TestFailoverAbsent: without a pair (the relay's status is nil, or no
// source is given) no failover series exists; before any contact there is
// no last-contact age.
func TestFailoverAbsent(t *testing.T) {
	for name, opts := range map[string]Options{
		"no pair":   {Failover: fakeFailover{}},
		"no source": {},
	} {
		reg := newRegistry(t, NewCollector(fakeStatus{}, opts))
		if n, err := testutil.GatherAndCount(reg, failoverMetricNames()...); err != nil || n != 0 {
			t.Errorf("%s: %d failover series (err %v), want none", name, n, err)
		}
	}
	reg := newRegistry(t, NewCollector(fakeStatus{}, Options{Failover: fakeFailover{&status.Failover{State: "STARTUP"}}}))
	if n, err := testutil.GatherAndCount(reg, "iphelper_failover_last_contact_seconds"); err != nil || n != 0 {
		t.Errorf("before any contact: %d last-contact series (err %v), want none", n, err)
	}
	if n, err := testutil.GatherAndCount(reg, "iphelper_failover_state"); err != nil || n != 7 {
		t.Errorf("%d state series (err %v), want one per state, 7", n, err)
	}
}

func failoverMetricNames() []string {
	return []string{
		"iphelper_failover_state", "iphelper_failover_connected", "iphelper_failover_last_contact_seconds",
		"iphelper_failover_pending_updates", "iphelper_failover_transitions_total", "iphelper_failover_updates_total",
		"iphelper_failover_auth_failures_total",
	}
}

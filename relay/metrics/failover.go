package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/iphelper/iphelper/relay/failover"
	"github.com/iphelper/iphelper/relay/status"
)

// FailoverStats is the failover pair. *relay.Relay implements it; a nil
// status (no pair configured) exports no failover series.
type FailoverStats interface {
	FailoverStatus() *status.Failover
}

// updateResults maps the pair's counters (status.Failover.Counters) to
// the result label of iphelper_failover_updates_total: a fixed set, so
// the label stays bounded whatever the relay counts.
var updateResults = [...]struct{ counter, result string }{
	{"updates_sent", "sent"},
	{"updates_acked", "acked"},
	{"updates_received", "received"},
	{"updates_refused", "refused"},
	{"updates_refused_by_partner", "refused_by_partner"},
	{"ack_timeouts", "ack_timeout"},
	{"queue_full", "queue_full"},
}

var (
	failoverState = desc("iphelper_failover_state",
		"1 for the failover pair's current state, 0 for the others (docs/failover.md).", "state")
	failoverConnected = desc("iphelper_failover_connected",
		"1 while the authenticated connection to the partner is up, else 0.")
	failoverLastContact = desc("iphelper_failover_last_contact_seconds",
		"Seconds since the partner's last message; absent until one came.")
	failoverPending = desc("iphelper_failover_pending_updates",
		"Lease updates sent to the partner and not yet acknowledged.")
	failoverTransitions = desc("iphelper_failover_transitions_total",
		"Failover state changes of this node.")
	failoverUpdates = desc("iphelper_failover_updates_total",
		"Lease updates by result: sent, acked (by the partner), received (from it), refused (by this node), refused_by_partner, ack_timeout, queue_full.",
		"result")
	failoverAuthFailures = desc("iphelper_failover_auth_failures_total",
		"Connections to or from the partner refused because TLS or the key proof failed.")
	failoverDescs = []*prometheus.Desc{
		failoverState, failoverConnected, failoverLastContact, failoverPending, failoverTransitions, failoverUpdates, failoverAuthFailures,
	}
)

// collectFailover exports the pair's state; nothing without a pair.
func collectFailover(ch chan<- prometheus.Metric, f *status.Failover, now time.Time) {
	if f == nil {
		return
	}
	seen := false
	for s := failover.Startup; s <= failover.Shutdown; s++ {
		seen = seen || s.String() == f.State
		gauge(ch, failoverState, one(s.String() == f.State), s.String())
	}
	if !seen && f.State != "" {
		gauge(ch, failoverState, 1, f.State)
	}
	gauge(ch, failoverConnected, one(f.Connected))
	if !f.LastContact.IsZero() {
		gauge(ch, failoverLastContact, max(now.Sub(f.LastContact), 0).Seconds())
	}
	gauge(ch, failoverPending, float64(f.PendingUpdates))
	counter(ch, failoverTransitions, f.Counters["transitions"])
	for _, r := range updateResults {
		counter(ch, failoverUpdates, f.Counters[r.counter], r.result)
	}
	counter(ch, failoverAuthFailures, f.Counters["auth_failed"])
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

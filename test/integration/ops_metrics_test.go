package integration

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// opsMetricsAddr is where the relay serves its metrics, inside its
// namespace (the README's example port).
const opsMetricsAddr = "127.0.0.1:9467"

// opsMetricsURL is the scrape address of opsMetricsAddr.
const opsMetricsURL = "http://" + opsMetricsAddr + "/metrics"

// opsMetricsTimeout bounds the wait for the counters of a DORA to show in
// a scrape.
const opsMetricsTimeout = 5 * time.Second

// opsMetricName is the naming rule of docs/operations.md for iphelper's own metrics:
// iphelper_<subsystem>_<what>[_<unit|total>].
var opsMetricName = regexp.MustCompile(`^iphelper_[a-z0-9]+_[a-z0-9_]+$`)

// opsForbiddenLabel matches label names that would make a series per
// client (docs/operations.md: labels bounded, never MAC, xid or client address).
var opsForbiddenLabel = regexp.MustCompile(`mac|xid|client|chaddr|yiaddr|ciaddr|hostname`)

// scrape fetches and parses the relay's metrics.
func scrape(t *testing.T, l *lab.Lab, ns string) opsMetrics {
	t.Helper()
	m, err := parseOpsMetrics(l.HTTPGet(ns, opsMetricsURL))
	if err != nil {
		t.Fatalf("failed to parse the metrics of %s: %v", opsMetricsURL, err)
	}
	return m
}

// Operations scenario: with --metrics-listen, after a real DORA through the relay, the
// Prometheus endpoint counts it per interface and per helper, says the
// interface is up, names every metric by the rule, and has no label that
// identifies a client.
func TestOpsMetricsAfterDORA(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "udhcpc")
	s.needIphelper("Prometheus metrics")
	tp := s.l.Standard()
	srv := tp.Servers[0]
	s.l.StartKea(srv.NS, srv.Addr, tp.ServerConfig(0))
	s.startRelay(tp, "--metrics-listen", opsMetricsAddr)
	mac := s.l.MAC(tp.Client, lab.ClientIf)
	lease := s.l.StartClient(lab.Udhcpc, tp.Client, lab.ClientIf).WaitLease(leaseTimeout)

	down := map[string]string{"interface": lab.RelayDown}
	want := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"iphelper_relay_requests_received_total", down, 2},
		{"iphelper_relay_requests_relayed_total", down, 2},
		{"iphelper_relay_replies_delivered_total", down, 2},
		{"iphelper_relay_option82_inserted_total", down, 2},
		{"iphelper_helper_sent_total", map[string]string{"helper": srv.Addr.String()}, 2},
		{"iphelper_helper_replies_total", map[string]string{"helper": srv.Addr.String()}, 2},
		{"iphelper_bindings_learned_total", nil, 1},
	}
	var m opsMetrics
	reached := func() bool {
		m = scrape(t, s.l, tp.Relay)
		for _, w := range want {
			if v, _ := m.value(w.name, w.labels); v < w.min {
				return false
			}
		}
		return true
	}
	if !lab.WaitFor(reached, opsMetricsTimeout) {
		for _, w := range want {
			if v, ok := m.value(w.name, w.labels); v < w.min {
				t.Errorf("%s%v = %v (present: %v), want at least %v", w.name, w.labels, v, ok, w.min)
			}
		}
	}
	if v, ok := m.value("iphelper_interface_up", down); !ok || v != 1 {
		t.Errorf("iphelper_interface_up%v = %v (present: %v), want 1", down, v, ok)
	}
	if v, ok := m.value("iphelper_relay_drops_total", down); ok && v != 0 {
		t.Errorf("iphelper_relay_drops_total%v = %v, want 0", down, v)
	}
	t.Logf("scraped %d samples; label names %v", len(m), slices.Sorted(maps.Keys(m.labelNames())))
	checkMetricNames(t, m)
	checkNoClientLabels(t, m, mac.String(), lease.Addr.String())
}

// checkMetricNames checks every iphelper metric is named by the rule, and
// that the Go and process collectors are there (the leak scenario reads
// them).
func checkMetricNames(t *testing.T, m opsMetrics) {
	t.Helper()
	names := make(map[string]bool)
	for _, s := range m {
		names[s.Name] = true
		if strings.HasPrefix(s.Name, "iphelper_") && !opsMetricName.MatchString(s.Name) {
			t.Errorf("metric %s does not follow iphelper_<subsystem>_<what>_<unit|total>", s.Name)
		}
	}
	for _, n := range []string{"go_goroutines", "process_open_fds"} {
		if !names[n] {
			t.Errorf("no %s in the scrape", n)
		}
	}
}

// checkNoClientLabels checks no label is named after a client property and
// no label value is the client's MAC or address.
func checkNoClientLabels(t *testing.T, m opsMetrics, mac, addr string) {
	t.Helper()
	for name := range m.labelNames() {
		if opsForbiddenLabel.MatchString(name) {
			t.Errorf("a metric has the label %q, which would make a series per client", name)
		}
	}
	for _, s := range m {
		for k, v := range s.Labels {
			if strings.EqualFold(v, mac) || v == addr {
				t.Errorf("%s has the client's %s in its label %s", s.Name, v, k)
			}
		}
	}
}

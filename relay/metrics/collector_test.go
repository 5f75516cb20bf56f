package metrics

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/status"
)

type fakeStatus status.Status

func (f fakeStatus) Status() status.Status { return status.Status(f) }

type fakeBindings bindings.Stats

func (f fakeBindings) Stats() bindings.Stats { return bindings.Stats(f) }

type fakeTrace uint64

func (f fakeTrace) Dropped() uint64 { return uint64(f) }

func testStatus() fakeStatus {
	return fakeStatus{
		Interfaces: []status.InterfaceStatus{
			{Name: "eth1", State: "up", Up: true, Polling: true, Ring: true, Counters: status.InterfaceStats{
				Name: "eth1", RequestsIn: 12, RequestsRelayed: 10, Opt82Inserted: 9, Opt82Omitted: 1, RepliesOut: 8, RepliesBcast: 3, FallbackReplies: 2,
				Drops: map[string]uint64{"max_hops": 2},
			}},
			{Name: "eth2.20", State: "waiting for link", Counters: status.InterfaceStats{Name: "eth2.20", Drops: map[string]uint64{}}},
		},
		Helpers:     []status.HelperStats{{Addr: netip.MustParseAddr("198.51.100.2"), Sent: 10, Replies: 8, SendErrors: 1}},
		Global:      status.InterfaceStats{Drops: map[string]uint64{"unknown_giaddr": 5}},
		DropReasons: []string{"bad_frame", "max_hops", "unknown_giaddr"},
	}
}

func newRegistry(t *testing.T, c *Collector) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestCollector(t *testing.T) {
	reg := newRegistry(t, NewCollector(testStatus(), Options{Bindings: fakeBindings{Entries: 7, Learned: 9, Evicted: 1}, Trace: fakeTrace(4)}))
	const want = `
# HELP iphelper_bindings_entries Bindings in the relay's binding table, expired ones included until swept.
# TYPE iphelper_bindings_entries gauge
iphelper_bindings_entries 7
# HELP iphelper_bindings_evicted_total Bindings evicted because the binding table was full.
# TYPE iphelper_bindings_evicted_total counter
iphelper_bindings_evicted_total 1
# HELP iphelper_bindings_learned_total DHCPACKs learned into the binding table.
# TYPE iphelper_bindings_learned_total counter
iphelper_bindings_learned_total 9
# HELP iphelper_helper_replies_total Replies received from the helper.
# TYPE iphelper_helper_replies_total counter
iphelper_helper_replies_total{helper="198.51.100.2"} 8
# HELP iphelper_helper_send_errors_total Sends to the helper that failed.
# TYPE iphelper_helper_send_errors_total counter
iphelper_helper_send_errors_total{helper="198.51.100.2"} 1
# HELP iphelper_helper_sent_total Requests sent to the helper.
# TYPE iphelper_helper_sent_total counter
iphelper_helper_sent_total{helper="198.51.100.2"} 10
# HELP iphelper_interface_up 1 when the downstream interface is served (state up), else 0.
# TYPE iphelper_interface_up gauge
iphelper_interface_up{interface="eth1"} 1
iphelper_interface_up{interface="eth2.20"} 0
# HELP iphelper_interface_polling 1 while the interface's read loop is busy (above poll-above: batches of up to 32 packets), else 0.
# TYPE iphelper_interface_polling gauge
iphelper_interface_polling{interface="eth1"} 1
iphelper_interface_polling{interface="eth2.20"} 0
# HELP iphelper_interface_receive_ring 1 when the interface's packet socket receives into a TPACKET_V2 ring, else 0.
# TYPE iphelper_interface_receive_ring gauge
iphelper_interface_receive_ring{interface="eth1"} 1
iphelper_interface_receive_ring{interface="eth2.20"} 0
# HELP iphelper_relay_fallback_replies_total Replies of the fallback server delivered on a downstream interface.
# TYPE iphelper_relay_fallback_replies_total counter
iphelper_relay_fallback_replies_total{interface="eth1"} 2
iphelper_relay_fallback_replies_total{interface="eth2.20"} 0
# HELP iphelper_relay_option82_inserted_total Requests relayed with our option 82.
# TYPE iphelper_relay_option82_inserted_total counter
iphelper_relay_option82_inserted_total{interface="eth1"} 9
iphelper_relay_option82_inserted_total{interface="eth2.20"} 0
# HELP iphelper_relay_option82_omitted_total Requests relayed without our option 82 because it did not fit.
# TYPE iphelper_relay_option82_omitted_total counter
iphelper_relay_option82_omitted_total{interface="eth1"} 1
iphelper_relay_option82_omitted_total{interface="eth2.20"} 0
# HELP iphelper_relay_replies_broadcast_total Replies delivered by broadcast (part of the delivered ones).
# TYPE iphelper_relay_replies_broadcast_total counter
iphelper_relay_replies_broadcast_total{interface="eth1"} 3
iphelper_relay_replies_broadcast_total{interface="eth2.20"} 0
# HELP iphelper_relay_replies_delivered_total Replies delivered to a client on a downstream interface.
# TYPE iphelper_relay_replies_delivered_total counter
iphelper_relay_replies_delivered_total{interface="eth1"} 8
iphelper_relay_replies_delivered_total{interface="eth2.20"} 0
# HELP iphelper_relay_requests_received_total BOOTREQUESTs read on a downstream interface, before any check.
# TYPE iphelper_relay_requests_received_total counter
iphelper_relay_requests_received_total{interface="eth1"} 12
iphelper_relay_requests_received_total{interface="eth2.20"} 0
# HELP iphelper_relay_requests_relayed_total Requests sent to at least one helper.
# TYPE iphelper_relay_requests_relayed_total counter
iphelper_relay_requests_relayed_total{interface="eth1"} 10
iphelper_relay_requests_relayed_total{interface="eth2.20"} 0
# HELP iphelper_trace_events_dropped_total Packet trace events a slow ` + "`debug packets`" + ` client missed.
# TYPE iphelper_trace_events_dropped_total counter
iphelper_trace_events_dropped_total 4
`
	names := []string{
		"iphelper_bindings_entries", "iphelper_bindings_evicted_total", "iphelper_bindings_learned_total",
		"iphelper_helper_replies_total", "iphelper_helper_send_errors_total", "iphelper_helper_sent_total",
		"iphelper_interface_up", "iphelper_interface_polling", "iphelper_interface_receive_ring", "iphelper_relay_fallback_replies_total", "iphelper_relay_option82_inserted_total", "iphelper_relay_option82_omitted_total",
		"iphelper_relay_replies_broadcast_total", "iphelper_relay_replies_delivered_total",
		"iphelper_relay_requests_received_total", "iphelper_relay_requests_relayed_total", "iphelper_trace_events_dropped_total",
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

// values gathers reg and returns every sample of name as
// "{label=value,...}" → value.
func values(t *testing.T, reg prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%s", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			key := "{" + strings.Join(labels, ",") + "}"
			out[key] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return out
}

func TestDrops(t *testing.T) {
	reg := newRegistry(t, NewCollector(testStatus(), Options{}))
	got := values(t, reg, "iphelper_relay_drops_total")
	nonzero := make(map[string]float64)
	for k, v := range got {
		if v != 0 {
			nonzero[k] = v
		}
	}
	want := map[string]float64{
		"{interface=eth1,reason=max_hops}":   2,
		"{interface=,reason=unknown_giaddr}": 5,
	}
	if diff := cmp.Diff(want, nonzero); diff != "" {
		t.Errorf("nonzero drops (-want +got):\n%s", diff)
	}
	// Every reason is exported for every interface and for no interface,
	// so that rate() starts from zero.
	if n, want := len(got), 3*len(testStatus().DropReasons); n != want {
		t.Errorf("%d drop series, want %d", n, want)
	}
}

func TestOptionalSourcesLeftOut(t *testing.T) {
	reg := newRegistry(t, NewCollector(testStatus(), Options{}))
	for _, name := range []string{"iphelper_bindings_entries", "iphelper_trace_events_dropped_total"} {
		if got := values(t, reg, name); len(got) != 0 {
			t.Errorf("%s exported without its source: %v", name, got)
		}
	}
}

func TestLint(t *testing.T) {
	problems, err := testutil.CollectAndLint(NewCollector(testStatus(), Options{Bindings: fakeBindings{}, Trace: fakeTrace(0)}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestUDPForwardCounters(t *testing.T) {
	st := testStatus()
	st.Interfaces[0].Counters.UDPPorts = []status.PortStats{{Port: 69, Received: 5, Forwarded: 4, Dropped: 1}}
	reg := newRegistry(t, NewCollector(st, Options{}))
	got := map[string]float64{}
	for _, name := range []string{"iphelper_udp_forward_received_total", "iphelper_udp_forward_forwarded_total", "iphelper_udp_forward_dropped_total"} {
		for k, v := range values(t, reg, name) {
			got[name+k] = v
		}
	}
	want := map[string]float64{
		"iphelper_udp_forward_received_total{interface=eth1,port=69}":  5,
		"iphelper_udp_forward_forwarded_total{interface=eth1,port=69}": 4,
		"iphelper_udp_forward_dropped_total{interface=eth1,port=69}":   1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("forwarded-UDP series (-want +got):\n%s", diff)
	}
}

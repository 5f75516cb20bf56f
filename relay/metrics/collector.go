package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"strconv"

	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/status"
)

// StatusSource is the relay; cmd/iphelper hands in the *relay.Relay.
type StatusSource interface {
	Status() status.Status
}

// BindingStats is the binding table. *bindings.Table implements it.
type BindingStats interface {
	Stats() bindings.Stats
}

// TraceStats is the packet tracer. *trace.Tracer implements it.
type TraceStats interface {
	Dropped() uint64
}

// Options are the optional sources of a Collector; nil leaves their
// metrics out.
type Options struct {
	Bindings BindingStats
	Trace    TraceStats
	Config   ConfigStats
	Failover FailoverStats
	// Now is the clock of the ages exported (the failover partner's last
	// contact); nil means time.Now.
	Now func() time.Time
}

// ConfigStats reports the running configuration's hash and how many
// reloads were applied and rejected; nil leaves those metrics out.
type ConfigStats interface {
	ReloadStats() (hash string, ok, failed uint64)
}

// Collector is a prometheus.Collector over the relay's status. It may be
// scraped concurrently.
type Collector struct {
	status StatusSource
	opts   Options
}

// NewCollector returns a Collector for status; register it with the
// daemon's registry.
func NewCollector(status StatusSource, opts Options) *Collector {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Collector{status: status, opts: opts}
}

var _ prometheus.Collector = (*Collector)(nil)

// Describe sends the descriptors of every metric the Collector may export.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
	for _, d := range failoverDescs {
		ch <- d
	}
	for _, d := range ddnsDescs {
		ch <- d
	}
	for _, d := range leaseStoreDescs {
		ch <- d
	}
}

// Collect reads the relay's status once and sends every metric.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st := c.status.Status()
	for _, is := range st.Interfaces {
		collectInterface(ch, is, st.DropReasons)
	}
	collectDrops(ch, "", st.Global.Drops, st.DropReasons)
	collectLeaseStore(ch, st.LeaseStore)
	for _, sc := range st.Scopes {
		for state, n := range map[string]int{"bound": sc.Bound, "offered": sc.Offered, "quarantined": sc.Quarantined, "free": sc.Free} {
			ch <- prometheus.MustNewConstMetric(fallbackAddresses, prometheus.GaugeValue, float64(n), sc.Interface, state)
		}
		for o, n := range sc.Outcomes {
			counter(ch, fallbackOutcomes, n, sc.Interface, o)
		}
		collectNewClients(ch, sc.Interface, sc.NewClients)
	}
	collectDDNS(ch, st.Scopes)
	for _, h := range st.Helpers {
		name := h.Addr.String()
		counter(ch, helperSent, h.Sent, name)
		counter(ch, helperReplies, h.Replies, name)
		counter(ch, helperSendErrors, h.SendErrors, name)
		for t, v := range h.SentByType {
			counter(ch, helperPackets, v, name, "out", t)
		}
		for t, v := range h.RepliesByType {
			counter(ch, helperPackets, v, name, "in", t)
		}
		if h.Health == "" {
			continue // no interface uses the helper now
		}
		up := 0.0
		if h.Health == "up" {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(helperUp, prometheus.GaugeValue, up, name)
		counter(ch, helperTimedOut, h.TimedOut, name)
		ch <- latencyHistogram(h.Latency, name)
	}
	for _, s := range st.HelperSets {
		up := 0.0
		if s.Health == "up" {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(helperSetUp, prometheus.GaugeValue, up, s.ID())
		counter(ch, helperSetTimedOut, s.TimedOut, s.ID())
	}
	if c.opts.Bindings != nil {
		s := c.opts.Bindings.Stats()
		ch <- prometheus.MustNewConstMetric(bindingEntries, prometheus.GaugeValue, float64(s.Entries))
		counter(ch, bindingLearned, s.Learned)
		counter(ch, bindingEvicted, s.Evicted)
	}
	if c.opts.Config != nil {
		hash, ok, failed := c.opts.Config.ReloadStats()
		ch <- prometheus.MustNewConstMetric(configInfo, prometheus.GaugeValue, 1, hash)
		counter(ch, configReloads, ok, "success")
		counter(ch, configReloads, failed, "failure")
	}
	if c.opts.Trace != nil {
		counter(ch, traceDropped, c.opts.Trace.Dropped())
	}
	if c.opts.Failover != nil {
		collectFailover(ch, c.opts.Failover.FailoverStatus(), c.opts.Now())
	}
}

func collectInterface(ch chan<- prometheus.Metric, is status.InterfaceStatus, reasons []string) {
	s, name := is.Counters, is.Name
	counter(ch, requestsReceived, s.RequestsIn, name)
	counter(ch, requestsRelayed, s.RequestsRelayed, name)
	counter(ch, repliesDelivered, s.RepliesOut, name)
	counter(ch, repliesBroadcast, s.RepliesBcast, name)
	counter(ch, fallbackReplies, s.FallbackReplies, name)
	for _, p := range s.UDPPorts {
		port := strconv.Itoa(int(p.Port))
		counter(ch, udpReceived, p.Received, name, port)
		counter(ch, udpForwarded, p.Forwarded, name, port)
		counter(ch, udpDropped, p.Dropped, name, port)
	}
	for t, v := range s.In {
		counter(ch, relayPackets, v, name, "in", t)
	}
	for t, v := range s.Out {
		counter(ch, relayPackets, v, name, "out", t)
	}
	counter(ch, option82Inserted, s.Opt82Inserted, name)
	counter(ch, option82Omitted, s.Opt82Omitted, name)
	up := 0.0
	if is.Up {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(interfaceUp, prometheus.GaugeValue, up, name)
	ch <- prometheus.MustNewConstMetric(interfacePolling, prometheus.GaugeValue, one(is.Polling), name)
	ch <- prometheus.MustNewConstMetric(interfaceRing, prometheus.GaugeValue, one(is.Ring), name)
	if is.Fallback {
		ch <- prometheus.MustNewConstMetric(fallbackEnabled, prometheus.GaugeValue, one(is.FallbackDisabled == ""), name)
	}
	collectDrops(ch, name, s.Drops, reasons)
}

// collectDrops exports every reason the relay counts, zero included, so
// that rates start from zero; iface is empty for drops that belong to no
// interface.
func collectDrops(ch chan<- prometheus.Metric, iface string, drops map[string]uint64, reasons []string) {
	for _, r := range reasons {
		counter(ch, dropsTotal, drops[r], iface, r)
	}
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v uint64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

// latencyHistogram exports a helper set's latency histogram; the relay keeps
// per-bucket counts, Prometheus wants them cumulative.
func latencyHistogram(h status.LatencyHistogram, helper string) prometheus.Metric {
	buckets := make(map[float64]uint64, status.LatencyBuckets)
	var cum uint64
	for i, b := range status.LatencyBounds() {
		cum += h.Buckets[i]
		buckets[b.Seconds()] = cum
	}
	return prometheus.MustNewConstHistogram(helperLatency, h.Count, h.Sum.Seconds(), buckets, helper)
}

// one is 1 for true, 0 for false.
func one(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// collectNewClients sends the ledger of a scope's offers to new clients.
func collectNewClients(ch chan<- prometheus.Metric, iface string, nc fallback.NewClientStats) {
	for event, n := range map[string]uint64{"offered": nc.Offered, "earned": nc.Earned, "taken": nc.Taken, "abandoned": nc.Abandoned, "capped": nc.Capped} {
		counter(ch, fallbackNewOffers, n, iface, event)
	}
	ch <- prometheus.MustNewConstMetric(fallbackNewOutstanding, prometheus.GaugeValue, float64(nc.Outstanding), iface)
	for limit, n := range map[string]int{"base": nc.Cap, "earned": nc.EarnedCap} {
		if n >= 0 {
			ch <- prometheus.MustNewConstMetric(fallbackNewCap, prometheus.GaugeValue, float64(n), iface, limit)
		}
	}
	for _, state := range []string{"open", "reduced", "base"} {
		v := 0.0
		if nc.CapState == state {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(fallbackNewCapState, prometheus.GaugeValue, v, iface, state)
	}
}

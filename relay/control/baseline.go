package control

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/iphelper/iphelper/relay/status"
)

// baseline is what `clear statistics` leaves behind: the counters at the
// time of the clear, which `show` subtracts. The relay's counters are
// never set back, so Prometheus, which reads them too, never sees a
// counter go backwards. It is safe for concurrent use.
type baseline struct {
	mu      sync.Mutex
	ifaces  map[string]status.InterfaceStats
	global  *status.InterfaceStats
	helpers map[netip.Addr]status.HelperStats
	sets    map[string]status.HelperSetStats
}

// clear records st's counters as the new zero: every counter when iface
// is "", else the counters of the interface iface only. It fails when st
// has no interface iface.
func (b *baseline) clear(st status.Status, iface string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ifaces == nil {
		b.ifaces = make(map[string]status.InterfaceStats)
	}
	if iface != "" {
		for _, i := range st.Interfaces {
			if i.Name == iface {
				b.ifaces[iface] = cloneInterface(i.Counters)
				return nil
			}
		}
		return fmt.Errorf("no downstream interface %q", iface)
	}
	for _, i := range st.Interfaces {
		b.ifaces[i.Name] = cloneInterface(i.Counters)
	}
	g := cloneInterface(st.Global)
	b.global = &g
	b.helpers = make(map[netip.Addr]status.HelperStats, len(st.Helpers))
	for _, h := range st.Helpers {
		h.SentByType, h.RepliesByType = maps.Clone(h.SentByType), maps.Clone(h.RepliesByType)
		b.helpers[h.Addr] = h
	}
	b.sets = make(map[string]status.HelperSetStats, len(st.HelperSets))
	for _, s := range st.HelperSets {
		b.sets[s.ID()] = s
	}
	return nil
}

// cloneInterface copies s with its own maps and slices: a baseline must
// not change when the snapshot it was taken from does.
func cloneInterface(s status.InterfaceStats) status.InterfaceStats {
	s.In, s.Out, s.Drops = maps.Clone(s.In), maps.Clone(s.Out), maps.Clone(s.Drops)
	s.UDPPorts = slices.Clone(s.UDPPorts)
	return s
}

// apply returns st with the baseline subtracted. The maps and slices of
// st are not changed; the result has its own.
func (b *baseline) apply(st status.Status) status.Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	st.Interfaces = slices.Clone(st.Interfaces)
	for i := range st.Interfaces {
		if base, ok := b.ifaces[st.Interfaces[i].Name]; ok {
			st.Interfaces[i].Counters = subInterface(st.Interfaces[i].Counters, base)
		}
	}
	if b.global != nil {
		st.Global = subInterface(st.Global, *b.global)
	}
	st.Helpers = slices.Clone(st.Helpers)
	for i, h := range st.Helpers {
		if base, ok := b.helpers[h.Addr]; ok {
			st.Helpers[i] = subHelper(h, base)
		}
	}
	st.HelperSets = slices.Clone(st.HelperSets)
	for i, s := range st.HelperSets {
		if base, ok := b.sets[s.ID()]; ok {
			st.HelperSets[i] = subHelperSet(s, base)
		}
	}
	return st
}

// sub is a-b, or a when a counter is below its baseline: the relay
// started it over (an interface that went away and came back).
func sub(a, b uint64) uint64 {
	if a < b {
		return a
	}
	return a - b
}

func subMap(a, b map[string]uint64) map[string]uint64 {
	out := make(map[string]uint64, len(a))
	for k, v := range a {
		if d := sub(v, b[k]); d > 0 {
			out[k] = d
		}
	}
	return out
}

func subInterface(a, b status.InterfaceStats) status.InterfaceStats {
	a.RequestsIn, a.RequestsRelayed = sub(a.RequestsIn, b.RequestsIn), sub(a.RequestsRelayed, b.RequestsRelayed)
	a.Opt82Inserted, a.Opt82Omitted = sub(a.Opt82Inserted, b.Opt82Inserted), sub(a.Opt82Omitted, b.Opt82Omitted)
	a.RepliesOut, a.RepliesBcast = sub(a.RepliesOut, b.RepliesOut), sub(a.RepliesBcast, b.RepliesBcast)
	a.FallbackReplies, a.UDPForwarded = sub(a.FallbackReplies, b.FallbackReplies), sub(a.UDPForwarded, b.UDPForwarded)
	ports := make(map[uint16]status.PortStats, len(b.UDPPorts))
	for _, p := range b.UDPPorts {
		ports[p.Port] = p
	}
	a.UDPPorts = slices.Clone(a.UDPPorts)
	for i, p := range a.UDPPorts {
		bp := ports[p.Port]
		a.UDPPorts[i] = status.PortStats{Port: p.Port, Received: sub(p.Received, bp.Received),
			Forwarded: sub(p.Forwarded, bp.Forwarded), Dropped: sub(p.Dropped, bp.Dropped)}
	}
	a.In, a.Out, a.Drops = subMap(a.In, b.In), subMap(a.Out, b.Out), subMap(a.Drops, b.Drops)
	return a
}

func subHelper(a, b status.HelperStats) status.HelperStats {
	a.Sent, a.SendErrors, a.Replies = sub(a.Sent, b.Sent), sub(a.SendErrors, b.SendErrors), sub(a.Replies, b.Replies)
	a.SentByType, a.RepliesByType = subMap(a.SentByType, b.SentByType), subMap(a.RepliesByType, b.RepliesByType)
	a.Forwarded, a.Answered, a.TimedOut = sub(a.Forwarded, b.Forwarded), sub(a.Answered, b.Answered), sub(a.TimedOut, b.TimedOut)
	a.Latency = subHistogram(a.Latency, b.Latency)
	a.LatencyP50, a.LatencyP99 = quantile(a.Latency, 0.5), quantile(a.Latency, 0.99)
	return a
}

func subHelperSet(a, b status.HelperSetStats) status.HelperSetStats {
	a.Forwarded, a.Answered, a.TimedOut = sub(a.Forwarded, b.Forwarded), sub(a.Answered, b.Answered), sub(a.TimedOut, b.TimedOut)
	a.Latency = subHistogram(a.Latency, b.Latency)
	a.LatencyP50, a.LatencyP99 = quantile(a.Latency, 0.5), quantile(a.Latency, 0.99)
	return a
}

func subHistogram(a, b status.LatencyHistogram) status.LatencyHistogram {
	if a.Count < b.Count {
		return a
	}
	for i := range a.Buckets {
		a.Buckets[i] = sub(a.Buckets[i], b.Buckets[i])
	}
	a.Count -= b.Count
	a.Sum = max(a.Sum-b.Sum, 0)
	return a
}

// quantile estimates the q-quantile of h as Prometheus'
// histogram_quantile does: linearly within the bucket that holds it, the
// last bound for observations above it; 0 when h is empty. After a clear
// the relay's own percentiles still cover older transactions, so show
// estimates them from the histogram's growth since.
func quantile(h status.LatencyHistogram, q float64) time.Duration {
	if h.Count == 0 {
		return 0
	}
	bounds := status.LatencyBounds()
	rank := q * float64(h.Count)
	var cum float64
	lower := time.Duration(0)
	for i, n := range h.Buckets {
		if n > 0 && cum+float64(n) >= rank {
			frac := (rank - cum) / float64(n)
			return lower + time.Duration(frac*float64(bounds[i]-lower))
		}
		cum += float64(n)
		lower = bounds[i]
	}
	return bounds[len(bounds)-1]
}

// interfaceNames lists the names of st's interfaces, for an error.
func interfaceNames(st status.Status) []string {
	names := make(map[string]bool, len(st.Interfaces))
	for _, i := range st.Interfaces {
		names[i.Name] = true
	}
	return slices.Sorted(maps.Keys(names))
}

package relay

import (
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iphelper/iphelper/relay/status"
	"github.com/iphelper/iphelper/relay/wire"
)

// ifaceCounters are the counters of one downstream interface. They are
// updated with atomics on the hot paths and read by Stats.
type ifaceCounters struct {
	requestsIn      atomic.Uint64 // frames read from the packet socket, before any check (rate limits included)
	requestsRelayed atomic.Uint64 // requests sent to at least one helper
	opt82Inserted   atomic.Uint64 // requests that left with our option 82
	opt82Omitted    atomic.Uint64 // requests that left without it because it did not fit
	repliesOut      atomic.Uint64 // replies delivered to a client
	repliesBcast    atomic.Uint64 // ... of which by broadcast
	fallbackReplies atomic.Uint64 // replies the fallback server sent
	udpForwarded    atomic.Uint64 // UDP broadcasts forwarded to at least one helper
	portMu          sync.Mutex    // guards ports
	ports           map[uint16]*portCounters
	drops           [numReasons]atomic.Uint64
	byType          typeCounters // requests in, replies out, by message type
}

// portCounters are the counters of one forwarded UDP port of an
// interface.
type portCounters struct {
	received  atomic.Uint64 // broadcasts to the port read on the interface
	forwarded atomic.Uint64 // ... sent to at least one helper
	dropped   atomic.Uint64 // ... dropped whole (every send dropped too)
}

// port returns the counters of the forwarded UDP port p, made on first
// use; entries are never removed, so they are bounded by the configured
// ports.
func (ic *ifaceCounters) port(p uint16) *portCounters {
	ic.portMu.Lock()
	defer ic.portMu.Unlock()
	if ic.ports == nil {
		ic.ports = make(map[uint16]*portCounters)
	}
	return entry(ic.ports, p)
}

// numTypes bounds the message-type counters: DHCP types 1-13 (RFC 2132,
// 3203, 4388), 0 for plain BOOTP, the last slot for anything else.
const numTypes = 16

// typeCounters count packets by direction (0 in, 1 out) and message type.
type typeCounters [2][numTypes]atomic.Uint64

func (tc *typeCounters) add(dir int, t wire.MessageType) {
	i := int(t)
	if i >= numTypes {
		i = numTypes - 1
	}
	tc[dir][i].Add(1)
}

func (tc *typeCounters) snapshot() (in, out map[string]uint64) {
	in, out = map[string]uint64{}, map[string]uint64{}
	for dir, m := range []map[string]uint64{in, out} {
		for i := range tc[dir] {
			if v := tc[dir][i].Load(); v > 0 {
				m[typeName(i)] = v
			}
		}
	}
	return in, out
}

// typeName is the metrics/statistics name of a message-type slot.
func typeName(i int) string {
	switch {
	case i == 0:
		return "bootp"
	case i == numTypes-1:
		return "other"
	}
	return strings.TrimPrefix(strings.ToLower(wire.MessageType(i).String()), "dhcp")
}

// helperCounters are the counters of one helper address.
type helperCounters struct {
	sent       atomic.Uint64
	sendErrors atomic.Uint64
	replies    atomic.Uint64
	lastReply  atomic.Int64 // unix nanoseconds of the last reply; 0: none yet
	byType     typeCounters // requests sent to it, replies from it, by message type
	latency    latencyHist  // its own transaction latencies, over every set it is in
}

// counters owns every counter of a Relay. Entries are created on first use
// and never removed, so their number is bounded by the configured
// interfaces and helpers, not by traffic.
type counters struct {
	mu      sync.Mutex
	ifaces  map[string]*ifaceCounters
	helpers map[netip.Addr]*helperCounters
	global  ifaceCounters // drops that cannot be charged to an interface
}

func newCounters() *counters {
	return &counters{
		ifaces:  make(map[string]*ifaceCounters),
		helpers: make(map[netip.Addr]*helperCounters),
	}
}

// iface returns the counters of the interface name, made on first use.
func (c *counters) iface(name string) *ifaceCounters {
	c.mu.Lock()
	defer c.mu.Unlock()
	return entry(c.ifaces, name)
}

// helper returns the counters of the helper addr, made on first use.
func (c *counters) helper(addr netip.Addr) *helperCounters {
	c.mu.Lock()
	defer c.mu.Unlock()
	return entry(c.helpers, addr)
}

// entry returns m's entry for k, made and added on first use.
func entry[K comparable, V any](m map[K]*V, k K) *V {
	v, ok := m[k]
	if !ok {
		v = new(V)
		m[k] = v
	}
	return v
}

// Stats is a snapshot of every counter of a Relay. Global holds drops that
// could not be charged to an interface (a reply whose giaddr is not ours),
// under the name "".
type Stats struct {
	Interfaces []status.InterfaceStats
	Helpers    []status.HelperStats
	Global     status.InterfaceStats
}

func (ic *ifaceCounters) snapshot(name string) status.InterfaceStats {
	s := status.InterfaceStats{
		Name:            name,
		RequestsIn:      ic.requestsIn.Load(),
		RequestsRelayed: ic.requestsRelayed.Load(),
		Opt82Inserted:   ic.opt82Inserted.Load(),
		Opt82Omitted:    ic.opt82Omitted.Load(),
		RepliesOut:      ic.repliesOut.Load(),
		RepliesBcast:    ic.repliesBcast.Load(),
		FallbackReplies: ic.fallbackReplies.Load(),
		UDPForwarded:    ic.udpForwarded.Load(),
		Drops:           make(map[string]uint64),
	}
	ic.portMu.Lock()
	for p, pc := range ic.ports {
		s.UDPPorts = append(s.UDPPorts, status.PortStats{Port: p, Received: pc.received.Load(), Forwarded: pc.forwarded.Load(), Dropped: pc.dropped.Load()})
	}
	ic.portMu.Unlock()
	sort.Slice(s.UDPPorts, func(i, j int) bool { return s.UDPPorts[i].Port < s.UDPPorts[j].Port })
	for r := range ic.drops {
		if v := ic.drops[r].Load(); v > 0 {
			s.Drops[Reason(r).String()] = v
		}
	}
	s.In, s.Out = ic.byType.snapshot()
	return s
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	var s Stats
	for name, ic := range c.ifaces {
		s.Interfaces = append(s.Interfaces, ic.snapshot(name))
	}
	sort.Slice(s.Interfaces, func(i, j int) bool { return s.Interfaces[i].Name < s.Interfaces[j].Name })
	for addr, hc := range c.helpers {
		hs := status.HelperStats{Addr: addr, Sent: hc.sent.Load(), SendErrors: hc.sendErrors.Load(), Replies: hc.replies.Load()}
		hs.SentByType, hs.RepliesByType = hc.byType.snapshot()
		if ns := hc.lastReply.Load(); ns != 0 {
			hs.LastReply = time.Unix(0, ns)
		}
		hs.Latency = hc.latency.snapshot()
		s.Helpers = append(s.Helpers, hs)
	}
	sort.Slice(s.Helpers, func(i, j int) bool { return s.Helpers[i].Addr.Less(s.Helpers[j].Addr) })
	s.Global = c.global.snapshot("")
	return s
}

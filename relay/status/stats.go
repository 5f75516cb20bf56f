package status

import (
	"net/netip"
	"slices"
	"strings"
	"time"
)

// InterfaceStats is a snapshot of one interface's counters.
type InterfaceStats struct {
	Name            string
	RequestsIn      uint64
	RequestsRelayed uint64
	Opt82Inserted   uint64
	Opt82Omitted    uint64
	RepliesOut      uint64
	RepliesBcast    uint64
	FallbackReplies uint64
	// UDPForwarded counts UDP broadcasts (not DHCP) forwarded to at least
	// one helper; UDPPorts has the counters of each forwarded port, in
	// port order (none when the interface forwards only DHCP).
	UDPForwarded uint64
	UDPPorts     []PortStats
	// In and Out count requests received and replies delivered by message
	// type ("discover", "ack", "bootp", …); types never seen are left out.
	In, Out map[string]uint64
	// Drops counts drops by reason name; reasons that never happened are
	// left out.
	Drops map[string]uint64
}

// PortStats is a snapshot of the counters of one forwarded UDP port of an
// interface: broadcasts to it received, forwarded to at least one helper,
// and dropped (the reasons are in InterfaceStats.Drops).
type PortStats struct {
	Port      uint16
	Received  uint64
	Forwarded uint64
	Dropped   uint64
}

// HelperStats is a snapshot of one helper's counters and of its own
// health: whether it answers the transactions sent to it. The health of
// the helper sets (HelperSetStats), which decides the fallback, is
// separate: a set with another helper that answers stays up while this
// one is down.
type HelperStats struct {
	Addr       netip.Addr
	Sent       uint64
	SendErrors uint64
	Replies    uint64
	LastReply  time.Time // zero: no reply yet
	// Sent and received by message type; types never seen are left out.
	SentByType, RepliesByType map[string]uint64

	// Health of the helper itself: "up", "down" (its last transactions,
	// in one of its sets, got no reply from it in time), or "" when no
	// interface uses the helper now. Since is when it entered that state;
	// Reason why.
	Health    string
	Since     time.Time
	Reason    string
	Forwarded uint64 // transactions (xid+chaddr) sent to the helper
	Answered  uint64 // ... that it answered in time
	TimedOut  uint64 // ... that it did not
	// LatencyP50 and LatencyP99 are over the helper's last answered
	// transactions (in the set where it answered most, when it is in
	// several); zero while there are none.
	LatencyP50, LatencyP99 time.Duration
	// Latency is the histogram of the helper's own reply latencies.
	Latency LatencyHistogram
	// Sets are the IDs (HelperSetStats.ID) of the helper sets in use that
	// hold the helper.
	Sets []string
}

// HelperSetStats is the health of one helper set: the helpers an
// interface relays to (interfaces with the same helpers share one). It is
// what decides whether their fallback servers answer at once.
type HelperSetStats struct {
	Helpers    []netip.Addr // sorted
	Interfaces []string     // the interfaces that use the set now, sorted
	Health     string       // "up" or "down"
	Since      time.Time
	Reason     string
	Forwarded  uint64 // transactions (xid+chaddr) sent to the set
	Answered   uint64 // ... that got a reply from any of its helpers in time
	TimedOut   uint64 // ... that got none
	// LatencyP50 and LatencyP99 are over the set's last answered
	// transactions; zero while there are none.
	LatencyP50, LatencyP99 time.Duration
	// Latency is the set's histogram of transaction latencies.
	Latency LatencyHistogram
}

// ID names the set: its helpers, comma separated.
func (s HelperSetStats) ID() string { return HelperSetID(s.Helpers) }

// HelperSetID names the set of helpers: the addresses sorted, comma
// separated. The order of helpers does not matter; helpers is not changed.
func HelperSetID(helpers []netip.Addr) string {
	hs := slices.Clone(helpers)
	slices.SortFunc(hs, func(a, b netip.Addr) int { return a.Compare(b) })
	var b strings.Builder
	for i, h := range hs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(h.String())
	}
	return b.String()
}

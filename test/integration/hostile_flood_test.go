package integration

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// The limits and bounds of the flood scenarios.
const (
	// floodDuration is how long the attack tool runs (the scenario asks for 30 s).
	floodDuration = 30 * time.Second
	// floodIfaceRate and floodHelperRate are the limits iphelper runs with,
	// in requests per second, given as --rate-limit-interface and
	// --helper-rate-limit.
	floodIfaceRate  = 200
	floodHelperRate = 300
	// floodHelperBurst is what the helper limit may let through on top of
	// its rate: iphelper's burst is 2 s worth of the rate.
	floodHelperBurst = 2 * floodHelperRate
	// floodRSSLimit bounds iphelper's resident memory during the flood.
	floodRSSLimit = 64 << 20
	// floodLeaseTimeout bounds the wait for a real client's lease while the
	// flood runs.
	floodLeaseTimeout = 20 * time.Second
	// floodWarmup lets the attack get going before the real clients start.
	floodWarmup = 3 * time.Second
	// floodGrace bounds the wait for the attack tool to stop by itself.
	floodGrace = 10 * time.Second
	// floodReturnCount is how many times the real client of the attacked
	// VLAN comes back for a lease after its first during the flood.
	floodReturnCount = 3
	// floodProbeCount DISCOVERs, floodProbeGap apart, are sent from the
	// real client's MAC once it is known: under its client limit (10/s),
	// and a gap that is no multiple of the flood's 10 ms batches, so that
	// they meet the interface limit at every phase of the flood.
	floodProbeCount = 30
	floodProbeGap   = 137 * time.Millisecond
)

// floodAttack is an attack running on the attacked segment.
type floodAttack interface {
	// exited reports whether the attack ended by itself.
	exited() bool
	// stop ends the attack and describes how it went.
	stop() string
}

// floodTool is an attack the flood scenario runs on the attacked segment.
type floodTool struct {
	name string
	// tools are the programs it needs.
	tools []string
	// start starts it on ifname in ns, for at most d.
	start func(l *lab.Lab, ns, ifname string, d time.Duration) floodAttack
}

// floodRawRate is the rate of the lab's own flood: five times the
// interface limit.
const floodRawRate = 5 * floodIfaceRate

// floodTools are the attacks of the scenario. dhcpstarv (Debian's package)
// spoofs chaddr only: its frames leave with the interface's own MAC, so the
// chaddr check drops them all, and it sends about one DISCOVER a second
// (it waits for an OFFER before the next). The lab's own flood sends from a
// new MAC per frame with a matching chaddr, at five times the interface
// limit: only the interface and helper limits stand against it. Debian's
// dhcpig 1.5 is not here: it crashes on Python 3 with scapy 2.5 (it builds
// options scapy rejects and calls xrange) and sends nothing.
var floodTools = []floodTool{
	{name: "dhcpstarv", tools: []string{"dhcpstarv", "timeout"}, start: startDhcpstarv},
	{name: "random-mac", start: func(l *lab.Lab, ns, ifname string, d time.Duration) floodAttack {
		return rawFlood{l.StartFlood(ns, ifname, floodRawRate, d)}
	}},
}

// startDhcpstarv runs dhcpstarv on ifname in ns, bounded by timeout(1).
func startDhcpstarv(l *lab.Lab, ns, ifname string, d time.Duration) floodAttack {
	p := l.StartProc(lab.ProcSpec{NS: ns, Name: "dhcpstarv",
		Args: []string{"timeout", strconv.Itoa(int(d / time.Second)), "dhcpstarv", "-v", "-i", ifname}})
	return procAttack{p}
}

// procAttack is an attack tool run as a process.
type procAttack struct{ p *lab.Proc }

func (a procAttack) exited() bool { return a.p.Exited() }

func (a procAttack) stop() string {
	// timeout(1) exits 124 when it had to stop the tool: the usual end.
	how := "stopped by the test"
	if a.p.Exited() {
		how = fmt.Sprintf("ended: %v", a.p.Wait(time.Second))
	}
	a.p.Stop()
	return fmt.Sprintf("%s (pid %d) %s; its last output: %s", a.p.Name(), a.p.Pid(), how, lastLines(a.p.Log(), 3))
}

// rawFlood is the lab's own flood.
type rawFlood struct{ f *lab.Flood }

func (a rawFlood) exited() bool { return a.f.Exited() }

func (a rawFlood) stop() string {
	n, err := a.f.Stop()
	return fmt.Sprintf("the flood sent %d DISCOVERs (error: %v)", n, err)
}

// Flood scenario: an attack floods VLAN 10 for 30 s while iphelper relays both
// VLANs to Kea (16 addresses per pool: the flood would take them all
// without protection). During the flood a real client on VLAN 20 and one on
// VLAN 10 get leases, and the one on VLAN 10 again, three times; afterwards iphelper is alive, its RSS stayed bounded,
// the server saw no more than the helper limit, and the drop counters show
// the rate limits (or the chaddr check) cut the flood.
//
// The real client on VLAN 10 binds because the rate limiter keeps a share
// of the interface limit for clients it knows (relay/ratelimit's package
// documentation): its first DISCOVER competes with the random-MAC flood
// for the new clients' share (it gets in when a token of that share is
// there, between the flood's batches), and once one request of it got in,
// the flood cannot shed its next ones. The scenario asserts exactly that:
// every request the client sent from its first relayed one on, its
// exchanges and DISCOVERs sent from its MAC at every phase of the flood,
// reached the server.
func TestHostileFloodKeepsServing(t *testing.T) {
	for _, tool := range floodTools {
		t.Run(tool.name, func(t *testing.T) {
			s := newScenario(t, append([]string{"kea-dhcp4", "udhcpc"}, tool.tools...)...)
			s.needIphelper("rate limits")
			runFlood(t, s, tool)
		})
	}
}

// runFlood is the flood scenario with one attack.
func runFlood(t *testing.T, s *scenario, tool floodTool) {
	tp := s.l.VLANTrunk()
	attacked, calm := tp.Segments[0], tp.Segments[1]
	srv := tp.Servers[0]
	cfg := tp.ServerConfig(0)
	s.l.StartKea(srv.NS, srv.Addr, cfg)
	up := s.l.Capture(srv.NS, srv.If, lab.DHCPFilter)
	relay := s.startRelay(tp,
		"--log-level", "info", // a debug line per dropped packet would flood the log
		"--metrics-listen", opsMetricsAddr,
		"--rate-limit-interface", fmt.Sprintf("%d/s", floodIfaceRate),
		"--helper-rate-limit", fmt.Sprintf("%d/s", floodHelperRate))
	pid := relay.Proc.Pid()

	rss := startRSSSampler(t, pid)
	start := time.Now()
	attack := tool.start(s.l, tp.Client, attacked.ClientIf, floodDuration)
	t.Cleanup(func() { attack.stop() })
	time.Sleep(floodWarmup)
	if attack.exited() {
		t.Fatalf("%s ended %s into the flood: %s", tool.name, floodWarmup, attack.stop())
	}

	clientMAC := s.l.MAC(tp.Client, attacked.ClientIf)
	sent := s.l.Capture(tp.Client, attacked.ClientIf, "ether src "+clientMAC.String()+" and udp dst port 67")
	calmClient := s.l.StartUdhcpcQuick(tp.Client, calm.ClientIf, int(floodLeaseTimeout/time.Second), time.Second)
	attackedClient := s.l.StartUdhcpcQuick(tp.Client, attacked.ClientIf, int(floodLeaseTimeout/time.Second), time.Second)
	for _, c := range []struct {
		seg    lab.Segment
		sub    lab.Subnet
		client *lab.Client
	}{{calm, cfg.Subnets[1], calmClient}, {attacked, cfg.Subnets[0], attackedClient}} {
		lease, ok := awaitBound(t, c.client, "lease on "+c.seg.ClientIf+" during the flood", floodLeaseTimeout, func(lab.Lease) bool { return true })
		if ok {
			t.Logf("%s: the real client on %s bound %s %s after the flood began", tool.name, c.seg.ClientIf, lease.Addr, time.Since(start).Round(100*time.Millisecond))
			checkLease(t, lease, c.seg, c.sub.PoolFirst, c.sub.PoolLast, srv.Addr, defaultLease)
		}
	}
	floodProbes(t, s.l, tool.name, tp.Client, attacked.ClientIf, clientMAC, attack)
	floodReturns(t, s.l, tool.name, tp.Client, attacked, cfg.Subnets[0], srv.Addr, attackedClient, attack, start, sent)

	lab.WaitFor(attack.exited, floodDuration+floodGrace-time.Since(start))
	summary := attack.stop()
	elapsed := time.Since(start)
	time.Sleep(time.Second) // the last relayed packets reach the capture
	peak := rss.stop()
	t.Logf("%s: %s", tool.name, summary)

	if relay.Proc.Exited() {
		t.Fatalf("iphelper died during the flood:\n%s", relay.Proc.Log())
	}
	t.Logf("%s: flood of %s; iphelper peak RSS %.1f MiB over %d samples", tool.name, elapsed.Round(100*time.Millisecond), float64(peak)/(1<<20), rss.samples())
	if peak == 0 || peak > floodRSSLimit {
		t.Errorf("iphelper's peak RSS = %d bytes, want 0 < RSS <= %d", peak, floodRSSLimit)
	}

	m := scrape(t, s.l, tp.Relay)
	checkFloodCounters(t, tool.name, m, attacked, calm, srv.Addr.String(), elapsed)
	checkUpstreamRate(t, tool.name, up, srv.Addr.String(), elapsed)
	sent.Stop()
	checkKnownClientRelayed(t, tool.name, clientRequests(sent.DHCP(), clientMAC, ""), clientRequests(up.DHCP(), clientMAC, srv.Addr.String()))
}

// floodReturns runs the real client of seg (in ns) again once first has
// ended, floodReturnCount times one after the other while the attack
// lasts, as a host that comes back (a reboot): known to the rate limiter by
// its first exchange, each exchange of it must bind, and every request of
// it be relayed (checkKnownClientRelayed). When an exchange fails, the
// requests sent so far (sent) are logged.
func floodReturns(t *testing.T, l *lab.Lab, tool, ns string, seg lab.Segment, sub lab.Subnet, server netip.Addr, first *lab.Client, attack floodAttack, start time.Time, sent *lab.Capture) {
	t.Helper()
	prev := first
	for i := range floodReturnCount {
		if err := prev.Proc.Wait(floodGrace); err != nil {
			t.Errorf("%s: udhcpc on %s before return %d: %v", tool, seg.ClientIf, i+1, err)
			return
		}
		if attack.exited() {
			t.Logf("%s: the attack ended before the real client's return %d", tool, i+1)
			return
		}
		c := l.StartUdhcpcQuick(ns, seg.ClientIf, int(floodLeaseTimeout/time.Second), time.Second)
		lease, ok := awaitBound(t, c, fmt.Sprintf("lease on %s on return %d during the flood", seg.ClientIf, i+1), floodLeaseTimeout, func(lab.Lease) bool { return true })
		if !ok {
			t.Logf("%s: the real client's requests on %s so far:\n%s", tool, seg.ClientIf, sent.Summary())
			return
		}
		t.Logf("%s: the real client on %s bound %s again %s after the flood began", tool, seg.ClientIf, lease.Addr, time.Since(start).Round(100*time.Millisecond))
		checkLease(t, lease, seg, sub.PoolFirst, sub.PoolLast, server, defaultLease)
		prev = c
	}
}

// floodProbes sends floodProbeCount DISCOVERs from mac, the real client's
// MAC, on ifname in ns while the attack runs. The client is known to the
// rate limiter by then, so checkKnownClientRelayed requires every probe to
// reach the server. A single interface bucket let a probe through only when
// a token had come since the flood's last batch: most, not all, which the
// client's own exchanges, timed by the server's answers, hardly show.
func floodProbes(t *testing.T, l *lab.Lab, tool, ns, ifname string, mac net.HardwareAddr, attack floodAttack) {
	t.Helper()
	raw := l.RawSocket(ns, ifname)
	for i := range floodProbeCount {
		disc := l.Message(dhcpv4.MessageTypeDiscover, lab.XID(0x9e0b0000+uint32(i)), mac)
		raw.SendFrame(lab.BroadcastFromClient(mac, disc.ToBytes()))
		time.Sleep(floodProbeGap)
	}
	if attack.exited() {
		t.Logf("%s: the attack ended before the last of the real client's probes", tool)
	}
}

// clientRequests are the BOOTREQUESTs among pkts whose chaddr is mac and,
// unless dst is empty, whose destination address is dst.
func clientRequests(pkts []lab.Packet, mac net.HardwareAddr, dst string) []lab.Packet {
	var out []lab.Packet
	for _, p := range pkts {
		if p.DHCP.OpCode == dhcpv4.OpcodeBootRequest && bytes.Equal(p.DHCP.ClientHWAddr, mac) &&
			(dst == "" || p.Dst.Addr().String() == dst) {
			out = append(out, p)
		}
	}
	return out
}

// checkKnownClientRelayed checks what the rate limiter promises a client it
// knows: sent are the real client's requests on its own interface, relayed
// the ones the server received. The requests sent before the first relayed
// one competed with the flood as a new client's and may have been shed;
// every request from that one on must have been relayed.
func checkKnownClientRelayed(t *testing.T, tool string, sent, relayed []lab.Packet) {
	t.Helper()
	if len(relayed) == 0 {
		t.Errorf("%s: none of the %d requests of the real client reached the server", tool, len(sent))
		return
	}
	// The first relayed request is the last one sent before it reached
	// the server (the client sends about one a second).
	first := 0
	for i, p := range sent {
		if !p.Time.After(relayed[0].Time) {
			first = i
		}
	}
	var shed []string
	for _, p := range sent[:first] {
		shed = append(shed, p.DHCP.MessageType().String())
	}
	t.Logf("%s: the real client sent %d requests; the server received %d; shed before the first relayed one: %v", tool, len(sent), len(relayed), shed)
	if want := len(sent) - first; len(relayed) != want {
		var s, r []string
		for _, p := range sent {
			s = append(s, p.Time.Format("15:04:05.000")+" "+p.DHCP.MessageType().String())
		}
		for _, p := range relayed {
			r = append(r, p.Time.Format("15:04:05.000")+" "+p.DHCP.MessageType().String())
		}
		t.Errorf("%s: the server received %d requests of the real client, want %d: every one from the first relayed one on (the client is known to the rate limiter then)\nsent:    %v\nrelayed: %v", tool, len(relayed), want, s, r)
	}
}

// checkFloodCounters checks, from iphelper's metrics, that the helper limit
// held and that the flood was cut by drops on the attacked segment, and logs
// the numbers.
func checkFloodCounters(t *testing.T, tool string, m opsMetrics, attacked, calm lab.Segment, helper string, elapsed time.Duration) {
	t.Helper()
	sent, _ := m.value("iphelper_helper_sent_total", map[string]string{"helper": helper})
	limit := floodHelperRate*elapsed.Seconds() + floodHelperBurst
	t.Logf("%s: iphelper_helper_sent_total = %.0f (%.0f/s; bound %.0f)", tool, sent, sent/elapsed.Seconds(), limit)
	if sent > limit {
		t.Errorf("iphelper sent %.0f requests to %s in %s, want at most %.0f (%d/s + burst %d)", sent, helper, elapsed, limit, floodHelperRate, floodHelperBurst)
	}
	for _, seg := range []lab.Segment{attacked, calm} {
		iface := map[string]string{"interface": seg.RelayIf}
		recv, _ := m.value("iphelper_relay_requests_received_total", iface)
		relayed, _ := m.value("iphelper_relay_requests_relayed_total", iface)
		var parts []string
		for _, s := range m {
			if s.Name == "iphelper_relay_drops_total" && s.Labels["interface"] == seg.RelayIf && s.Value > 0 {
				parts = append(parts, fmt.Sprintf("%s=%.0f", s.Labels["reason"], s.Value))
			}
		}
		t.Logf("%s: %s received %.0f, relayed %.0f, drops %v", tool, seg.RelayIf, recv, relayed, parts)
	}
	down := map[string]string{"interface": attacked.RelayIf}
	var cut float64
	for _, reason := range []string{"rate_limit_interface", "rate_limit_client", "chaddr_mismatch", "rate_limit_helper"} {
		v, _ := m.value("iphelper_relay_drops_total", map[string]string{"interface": attacked.RelayIf, "reason": reason})
		cut += v
	}
	if cut == 0 {
		recv, _ := m.value("iphelper_relay_requests_received_total", down)
		t.Errorf("no drop on %s by rate limit or chaddr check after a %s flood (%.0f requests received)", attacked.RelayIf, tool, recv)
	}
	relayed, _ := m.value("iphelper_relay_requests_relayed_total", map[string]string{"interface": attacked.RelayIf})
	if ifLimit := floodIfaceRate*elapsed.Seconds() + 2*floodIfaceRate; relayed > ifLimit {
		t.Errorf("iphelper relayed %.0f requests from %s in %s, want at most %.0f (%d/s + burst)", relayed, attacked.RelayIf, elapsed, ifLimit, floodIfaceRate)
	}
}

// checkUpstreamRate counts the requests the server's capture saw: in total
// at most the helper limit over the flood, and logs the busiest second.
func checkUpstreamRate(t *testing.T, tool string, up *lab.Capture, helper string, elapsed time.Duration) {
	t.Helper()
	up.Stop()
	perSecond := map[int64]int{}
	total, peak := 0, 0
	for _, p := range up.DHCP() {
		if p.DHCP.OpCode != dhcpv4.OpcodeBootRequest || p.Dst.Addr().String() != helper {
			continue
		}
		total++
		sec := p.Time.Unix()
		perSecond[sec]++
		peak = max(peak, perSecond[sec])
	}
	limit := floodHelperRate*elapsed.Seconds() + floodHelperBurst
	t.Logf("%s: the server captured %d requests (busiest second %d; bound %.0f in total)", tool, total, peak, limit)
	if float64(total) > limit {
		t.Errorf("the server received %d requests in %s, want at most %.0f", total, elapsed, limit)
	}
	if peak > floodHelperRate+floodHelperBurst {
		t.Errorf("the server received %d requests in one second, want at most %d", peak, floodHelperRate+floodHelperBurst)
	}
}

// rssSampler reads a process's VmRSS once a second and keeps the peak.
type rssSampler struct {
	mu    sync.Mutex
	peak  int64
	n     int
	done  chan struct{}
	ended chan struct{}
}

// startRSSSampler samples the RSS of pid until stop.
func startRSSSampler(t *testing.T, pid int) *rssSampler {
	t.Helper()
	r := &rssSampler{done: make(chan struct{}), ended: make(chan struct{})}
	go func() {
		defer close(r.ended)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if v, err := vmRSS(pid); err == nil {
				r.mu.Lock()
				r.peak = max(r.peak, v)
				r.n++
				r.mu.Unlock()
			}
			select {
			case <-r.done:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { r.stop() })
	return r
}

// stop ends the sampling (more than once is fine) and returns the peak.
func (r *rssSampler) stop() int64 {
	r.mu.Lock()
	select {
	case <-r.done:
	default:
		close(r.done)
	}
	r.mu.Unlock()
	<-r.ended
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peak
}

// samples is how many readings the sampler took.
func (r *rssSampler) samples() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// vmRSS is the VmRSS of pid, in bytes, from /proc/PID/status.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("failed to read the status of pid %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("failed to parse %q of pid %d", line, pid)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("failed to parse %q of pid %d: %w", line, pid, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no VmRSS in the status of pid %d", pid)
}

// lastLines is the last n lines of s, joined by " | ".
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

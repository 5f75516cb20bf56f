package integration

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// The fallback scopes of the flood scenario (fallback variant):
// each VLAN gets a pool of fbFloodPoolSize addresses from host
// fbFloodPoolFirst of its subnet. No DHCP server runs upstream, so the
// pools need no split with an upstream scope.
const (
	fbFloodPoolFirst = 10
	fbFloodPoolSize  = 50
	// fbFloodMaxOffers is max-offers-outstanding: the OFFERs that clients
	// the scope does not know may hold at once.
	fbFloodMaxOffers = 5
	// fbFloodReservePct is reserve-for-known, in percent of the pool, and
	// fbFloodReserve the addresses it keeps free for known clients
	// (rounded down, as the fallback server does).
	fbFloodReservePct = 20
	fbFloodReserve    = fbFloodPoolSize * fbFloodReservePct / 100
	// fbFloodDiscovers bounds the DISCOVERs of a real client during the
	// flood (one a second: floodLeaseTimeout's worth).
	fbFloodDiscovers = int(floodLeaseTimeout / time.Second)
	// fbFloodMinSamples is the fewest readings of the leases the watch
	// must have taken over the flood for its peaks to mean anything (it
	// tries one every poolWatchEvery).
	fbFloodMinSamples = int(floodDuration / poolWatchEvery / 3)
)

// fbFloodCase is one attack of the fallback flood scenario.
type fbFloodCase struct {
	tool string // a floodTools name
	// verifyCHAddr is the attacked VLAN's verify-chaddr. dhcpstarv spoofs
	// chaddr only, so with the check on nothing of it would reach the
	// fallback: it runs with the check off, so that the caps are tested.
	verifyCHAddr bool
	// binds says the attack REQUESTs what it is offered, so that it holds
	// leases and the reserve is what stops it; an attack that only
	// DISCOVERs must never hold a bound lease.
	binds bool
	// drops are relay drop reasons on the attacked VLAN that must each
	// have counted some of the flood.
	drops []string
	// refusals are fallback outcomes on the attacked VLAN of which at
	// least one must have counted: the fallback turned the attack away.
	refusals []string
}

// fbFloodCases: the lab's random-MAC flood sends only DISCOVERs, at five
// times the interface limit, so the interface limit sheds most of it and
// the offer cap the rest. dhcpstarv completes its exchanges one at a time
// from one MAC (about five a second here, each OFFER waiting for the
// fallback's ARP probe: under the per-client limit), so it takes leases
// until only the reserve is left, about 8 s into the flood.
//
// The fallback's queue drops (relay drop reason fallback_busy) are logged,
// not asserted: they depend on timing (the random-MAC flood's first burst
// meets a worker busy with the ARP probes of the first OFFERs).
var fbFloodCases = []fbFloodCase{
	{tool: "random-mac", verifyCHAddr: true,
		drops: []string{"rate_limit_interface"}, refusals: []string{"offers_capped"}},
	{tool: "dhcpstarv", verifyCHAddr: false, binds: true,
		refusals: []string{"reserved_for_known", "nak_reserved_for_known"}},
}

// Flood scenario, fallback variant: with the upstream down, iphelper's fallback
// server serves both VLANs (pools of 50, max-offers-outstanding 5,
// reserve-for-known 20 %) while an attack floods VLAN 10 for 30 s. During
// the flood a new client on VLAN 20 gets a lease, and a client on VLAN 10
// that held a fallback lease before the attack (a returning client: known
// to the scope) gets its own address back. A brand-new client on the
// attacked VLAN is not expected to: it competes with the flood for the
// offers that free up (see relay/fallback's package doc, "Pool
// protection"). Throughout, readings of `show leases` every 500 ms show
// the attack never held more OFFERs than the cap nor more addresses than
// the pool minus the reserve, and never less than the reserve free;
// afterwards the metrics show the flood shed by the relay's limits and the
// fallback's refusals, the upstream got no more than the helper limit, and
// iphelper's RSS stayed bounded.
func TestHostileFloodFallback(t *testing.T) {
	for _, c := range fbFloodCases {
		t.Run(c.tool, func(t *testing.T) {
			tool := floodToolNamed(t, c.tool)
			s := newScenario(t, append([]string{"udhcpc"}, tool.tools...)...)
			s.needIphelper("fallback server")
			runFallbackFlood(t, s, c, tool)
		})
	}
}

// floodToolNamed returns the flood tool called name.
func floodToolNamed(t *testing.T, name string) floodTool {
	t.Helper()
	for _, tool := range floodTools {
		if tool.name == name {
			return tool
		}
	}
	t.Fatalf("no flood tool %q", name)
	return floodTool{}
}

// fbFloodPool returns the fallback pool of seg.
func fbFloodPool(seg lab.Segment) (netip.Addr, netip.Addr) {
	first := nthAddr(seg.Prefix.Masked().Addr(), fbFloodPoolFirst)
	return first, nthAddr(first, fbFloodPoolSize-1)
}

// nthAddr is the address n after a.
func nthAddr(a netip.Addr, n int) netip.Addr {
	for range n {
		a = a.Next()
	}
	return a
}

// runFallbackFlood is the fallback flood scenario with one attack.
func runFallbackFlood(t *testing.T, s *scenario, c fbFloodCase, tool floodTool) {
	tp := s.l.VLANTrunk()
	attacked, calm := tp.Segments[0], tp.Segments[1]
	srv := tp.Servers[0] // no server runs there: the upstream is down
	up := s.l.Capture(srv.NS, srv.If, lab.DHCPFilter)
	f := &fbLab{scenario: s, tp: tp, seg: attacked, db: filepath.Join(s.l.Dir(), "leases.db")}
	f.relay = startFallbackFloodRelay(t, f, c.verifyCHAddr)

	// The returning client: bound by the fallback before the attack. Its
	// DISCOVER is the one transaction (down-after 1) that takes the
	// upstream down.
	before := s.l.StartClient(lab.Udhcpc, tp.Client, attacked.ClientIf).WaitLease(leaseTimeout)
	checkFBFloodLease(t, before, attacked)
	f.waitLog("upstream health going down", healthTimeout, logHealthChanged, "to=down")

	real := map[string]bool{
		opsMAC(s.l.MAC(tp.Client, attacked.ClientIf)): true,
		opsMAC(s.l.MAC(tp.Client, calm.ClientIf)):     true,
	}
	base := scrape(t, s.l, tp.Relay) // what the limits let through before the flood
	watch := startPoolWatch(t, f.relay.ControlSocket, map[string]int{attacked.RelayIf: fbFloodPoolSize, calm.RelayIf: fbFloodPoolSize}, real)
	rss := startRSSSampler(t, f.relay.Proc.Pid())
	elapsed := fbFloodAttack(t, s.l, tp, tool, before)
	watch.stop()
	time.Sleep(time.Second) // the last relayed packets reach the capture
	checkFloodRSS(t, c.tool, f.relay, rss, elapsed)

	checkPoolPeaks(t, c, watch, attacked, calm)
	m := scrape(t, s.l, tp.Relay)
	checkFallbackShed(t, c, base, m, attacked, calm, srv.Addr.String(), elapsed)
	checkUpstreamRate(t, c.tool, up, srv.Addr.String(), elapsed)
}

// fbFloodAttack runs the attack on the first segment of tp for
// floodDuration, and the real clients during it (see fbFloodClients;
// before is the returning client's lease before the attack), and returns
// how long the attack ran.
func fbFloodAttack(t *testing.T, l *lab.Lab, tp *lab.Topology, tool floodTool, before lab.Lease) time.Duration {
	t.Helper()
	attacked, calm := tp.Segments[0], tp.Segments[1]
	start := time.Now()
	attack := tool.start(l, tp.Client, attacked.ClientIf, floodDuration)
	t.Cleanup(func() { attack.stop() })
	time.Sleep(floodWarmup)
	if attack.exited() {
		t.Fatalf("%s ended %s into the flood: %s", tool.name, floodWarmup, attack.stop())
	}
	fbFloodClients(t, l, tp.Client, before, attacked, calm, start)
	lab.WaitFor(attack.exited, floodDuration+floodGrace-time.Since(start))
	summary := attack.stop()
	elapsed := time.Since(start)
	t.Logf("%s: %s", tool.name, summary)
	return elapsed
}

// checkFloodRSS stops rss and fails the test unless relay is alive and its
// peak RSS stayed within floodRSSLimit.
func checkFloodRSS(t *testing.T, tool string, relay *lab.Relay, rss *rssSampler, elapsed time.Duration) {
	t.Helper()
	peak := rss.stop()
	if relay.Proc.Exited() {
		t.Fatalf("iphelper died during the flood:\n%s", relay.Proc.Log())
	}
	t.Logf("%s: flood of %s; iphelper peak RSS %.1f MiB over %d samples", tool, elapsed.Round(100*time.Millisecond), float64(peak)/(1<<20), rss.samples())
	if peak == 0 || peak > floodRSSLimit {
		t.Errorf("iphelper's peak RSS = %d bytes, want 0 < RSS <= %d", peak, floodRSSLimit)
	}
}

// startFallbackFloodRelay writes the scenario's config file and starts
// iphelper with it: both VLANs relayed to the (silent) server with the
// flood scenario's limits, each with a fallback scope; verifyCHAddr is the
// attacked VLAN's verify-chaddr.
func startFallbackFloodRelay(t *testing.T, f *fbLab, verifyCHAddr bool) *lab.Relay {
	t.Helper()
	file := filepath.Join(f.l.Dir(), "iphelper.yaml")
	opsWriteFile(t, file, fbFloodConfig(f.tp, f.db, verifyCHAddr))
	relay := f.l.StartIphelper(f.tp.Relay, build.bin, "run", "--config", file,
		"--log-level", "info", // a debug line per dropped packet would flood the log
		"--metrics-listen", opsMetricsAddr)
	relay.WaitListening(len(f.tp.Segments), leaseTimeout)
	return relay
}

// fbFloodConfig is the config file of the scenario. down-after 1 lets the
// first unanswered transaction take the upstream down, so that the attack
// meets a fallback that answers at once.
func fbFloodConfig(tp *lab.Topology, db string, verifyCHAddr bool) string {
	var helpers []string
	for _, h := range tp.Helpers() {
		helpers = append(helpers, h.String())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "lease-db: %s\nhelper-rate-limit: %d/s\n", db, floodHelperRate)
	fmt.Fprintf(&b, "defaults:\n  helper-addresses: [%s]\n  rate-limit:\n    interface: %d/s\n", strings.Join(helpers, ", "), floodIfaceRate)
	fmt.Fprintf(&b, "  fallback:\n    lease-time: %s\n    down-after: 1\n    max-offers-outstanding: %d\n    reserve-for-known: %d\n",
		fbLease, fbFloodMaxOffers, fbFloodReservePct)
	b.WriteString("interfaces:\n")
	for i, seg := range tp.Segments {
		first, last := fbFloodPool(seg)
		fmt.Fprintf(&b, "  - name: %s\n", seg.RelayIf)
		if i == 0 {
			fmt.Fprintf(&b, "    verify-chaddr: %t\n", verifyCHAddr)
		}
		fmt.Fprintf(&b, "    fallback:\n      pools: [%s-%s]\n", first, last)
	}
	return b.String()
}

// fbFloodClients runs the real clients during the flood and checks their
// leases: a new one on the calm VLAN, and on the attacked VLAN the
// returning client that held before (in ns, the client namespace). The
// returning client's exchange before the attack made it known to the
// relay's rate limiter too, so the flood of new MACs cannot shed its
// requests at the interface limit (relay/ratelimit's package doc).
func fbFloodClients(t *testing.T, l *lab.Lab, ns string, before lab.Lease, attacked, calm lab.Segment, start time.Time) {
	t.Helper()
	calmClient := l.StartUdhcpcQuick(ns, calm.ClientIf, fbFloodDiscovers, time.Second)
	returning := l.StartUdhcpcQuick(ns, attacked.ClientIf, fbFloodDiscovers, time.Second)
	if l, ok := awaitBound(t, calmClient, "lease on "+calm.ClientIf+" during the flood", floodLeaseTimeout, func(lab.Lease) bool { return true }); ok {
		t.Logf("the new client on %s bound %s %s after the flood began", calm.ClientIf, l.Addr, time.Since(start).Round(100*time.Millisecond))
		checkFBFloodLease(t, l, calm)
	}
	if l, ok := awaitBound(t, returning, "lease on "+attacked.ClientIf+" during the flood", floodLeaseTimeout, func(lab.Lease) bool { return true }); ok {
		t.Logf("the returning client on %s bound %s %s after the flood began", attacked.ClientIf, l.Addr, time.Since(start).Round(100*time.Millisecond))
		checkFBFloodLease(t, l, attacked)
		if l.Addr != before.Addr {
			t.Errorf("the returning client on %s got %s during the flood, want its own address %s back", attacked.ClientIf, l.Addr, before.Addr)
		}
	}
}

// checkFBFloodLease fails the test unless lease is a fallback lease from
// seg's pool.
func checkFBFloodLease(t *testing.T, lease lab.Lease, seg lab.Segment) {
	t.Helper()
	first, last := fbFloodPool(seg)
	checkLease(t, lease, seg, first, last, seg.Gateway, fbLease)
}

// checkPoolPeaks checks the watch's readings against the caps of the
// config: on the attacked VLAN, the attack's OFFERs at most
// max-offers-outstanding, its addresses at most the pool minus the
// reserve, and at least the reserve free; no bound lease for an attack
// that never REQUESTs; nothing of the attack on the calm VLAN.
func checkPoolPeaks(t *testing.T, c fbFloodCase, w *poolWatch, attacked, calm lab.Segment) {
	t.Helper()
	peaks, n, errs, lastErr := w.result()
	pa, pc := peaks[attacked.RelayIf], peaks[calm.RelayIf]
	t.Logf("%s: over %d readings of the leases (%d failed: %v): %s %+v; %s %+v", c.tool, n, errs, lastErr, attacked.RelayIf, pa, calm.RelayIf, pc)
	if n < fbFloodMinSamples {
		t.Errorf("only %d readings of the leases over the flood (%d failed, the last with %v), want at least %d", n, errs, lastErr, fbFloodMinSamples)
	}
	if pa.AttackOffered > fbFloodMaxOffers {
		t.Errorf("the attack held %d OFFERs on %s at once, want at most max-offers-outstanding %d", pa.AttackOffered, attacked.RelayIf, fbFloodMaxOffers)
	}
	if limit := fbFloodPoolSize - fbFloodReserve; pa.AttackHeld > limit {
		t.Errorf("the attack held %d addresses on %s at once, want at most %d (pool %d minus the reserve %d)", pa.AttackHeld, attacked.RelayIf, limit, fbFloodPoolSize, fbFloodReserve)
	}
	if pa.MinFree < fbFloodReserve {
		t.Errorf("%d addresses of %s were free at one reading, want at least the reserve for known clients %d", pa.MinFree, attacked.RelayIf, fbFloodReserve)
	}
	if !c.binds && pa.AttackBound > 0 {
		t.Errorf("%s never REQUESTs, yet %d leases on %s were bound to clients other than the real ones", c.tool, pa.AttackBound, attacked.RelayIf)
	}
	if pc.AttackHeld > 0 {
		t.Errorf("%d addresses of the calm %s were held by clients other than the real one", pc.AttackHeld, calm.RelayIf)
	}
}

// checkFallbackShed checks the counters that show the flood shed on the
// attacked VLAN: the relay drop reasons of the case (iphelper_relay_drops_total)
// and the fallback's refusals (iphelper_fallback_outcomes_total), the free
// addresses left (iphelper_fallback_addresses), and that the relay's
// limits held over the flood: what was relayed from the VLAN
// (iphelper_relay_requests_relayed_total) and sent to the helper
// (iphelper_helper_sent_total) since base, the scrape taken before it.
func checkFallbackShed(t *testing.T, c fbFloodCase, base, m opsMetrics, attacked, calm lab.Segment, helper string, elapsed time.Duration) {
	t.Helper()
	for _, seg := range []lab.Segment{attacked, calm} {
		t.Logf("%s: %s %s", c.tool, seg.RelayIf, fbFloodCounters(m, seg.RelayIf))
	}
	on := func(extra ...string) map[string]string {
		l := map[string]string{"interface": attacked.RelayIf}
		for i := 0; i+1 < len(extra); i += 2 {
			l[extra[i]] = extra[i+1]
		}
		return l
	}
	for _, reason := range c.drops {
		if v, _ := m.value("iphelper_relay_drops_total", on("reason", reason)); v == 0 {
			t.Errorf("no drop with reason %s on %s after a %s flood", reason, attacked.RelayIf, c.tool)
		}
	}
	var refused float64
	for _, o := range c.refusals {
		v, _ := m.value("iphelper_fallback_outcomes_total", on("outcome", o))
		refused += v
	}
	if refused == 0 {
		t.Errorf("the fallback on %s never refused the %s flood: no outcome %v", attacked.RelayIf, c.tool, c.refusals)
	}
	if free, ok := m.value("iphelper_fallback_addresses", on("state", "free")); !ok || free < fbFloodReserve {
		t.Errorf("iphelper_fallback_addresses{state=free} on %s = %.0f (reported: %v), want at least the reserve %d", attacked.RelayIf, free, ok, fbFloodReserve)
	}
	relayed := counterSince(base, m, "iphelper_relay_requests_relayed_total", on())
	if limit := floodIfaceRate*elapsed.Seconds() + 2*floodIfaceRate; relayed > limit {
		t.Errorf("iphelper relayed %.0f requests from %s in %s, want at most %.0f (%d/s + burst)", relayed, attacked.RelayIf, elapsed, limit, floodIfaceRate)
	}
	sent := counterSince(base, m, "iphelper_helper_sent_total", map[string]string{"helper": helper})
	if limit := floodHelperRate*elapsed.Seconds() + floodHelperBurst; sent > limit {
		t.Errorf("iphelper sent %.0f requests to %s in %s, want at most %.0f", sent, helper, elapsed, limit)
	}
}

// counterSince is how much a counter grew from base to m.
func counterSince(base, m opsMetrics, name string, labels map[string]string) float64 {
	before, _ := base.value(name, labels)
	after, _ := m.value(name, labels)
	return after - before
}

// fbFloodCounters describes an interface's counters for the log: requests
// received and relayed, drops by reason, fallback outcomes and addresses.
func fbFloodCounters(m opsMetrics, ifname string) string {
	recv, _ := m.value("iphelper_relay_requests_received_total", map[string]string{"interface": ifname})
	relayed, _ := m.value("iphelper_relay_requests_relayed_total", map[string]string{"interface": ifname})
	var drops, outcomes, addrs []string
	for _, s := range m {
		if s.Labels["interface"] != ifname || s.Value == 0 {
			continue
		}
		switch s.Name {
		case "iphelper_relay_drops_total":
			drops = append(drops, fmt.Sprintf("%s=%.0f", s.Labels["reason"], s.Value))
		case "iphelper_fallback_outcomes_total":
			outcomes = append(outcomes, fmt.Sprintf("%s=%.0f", s.Labels["outcome"], s.Value))
		case "iphelper_fallback_addresses":
			addrs = append(addrs, fmt.Sprintf("%s=%.0f", s.Labels["state"], s.Value))
		}
	}
	return fmt.Sprintf("received %.0f, relayed %.0f, drops %v, fallback outcomes %v, addresses %v", recv, relayed, drops, outcomes, addrs)
}

package integration

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// The storm scenario's fallback pool: every host of the standard client
// segment but the relay's (203.0.113.2-126), so that its defaults are a
// base cap of stormCap offers (10 %) and a reserve of as many for known
// clients: stormNew new clients fit.
const (
	stormPoolSize = 125
	stormCap      = stormPoolSize / 10
	stormNew      = stormPoolSize - stormPoolSize/10
	// stormRetransmit is the real clients' first back-off: a client is
	// bound by its first retransmission when bound within two of them of
	// its first DISCOVER (its third attempt never left).
	stormRetransmit = 4 * time.Second
	// stormFloodRate is the random-MAC flood beside the storm, under the
	// interface rate limit's share for new MACs with the storm's 1,000/s.
	stormFloodRate = 200
)

// stormCase is one storm of the scenario.
type stormCase struct {
	name    string
	clients int  // new clients in the storm, after the one that took the upstream down
	rate    int  // their arrival, clients a second
	flood   bool // a random-MAC flood runs beside the storm
	// assert: fewer than 1 % of the clients may still be unbound after
	// their first retransmission; false only measures (logs).
	assert bool
}

// stormCases: a storm as large as the pool allows new clients (with the
// client that took the upstream down; the reserve for known clients stays
// free) at the pace an outside lab measured, 1,000 a second, and at 5,000
// (measured only); and a storm of what the flood leaves (minus the base
// cap the flood holds) beside a random-MAC flood.
var stormCases = []stormCase{
	{name: "1000/s", clients: stormNew - 1, rate: 1000, assert: true},
	{name: "5000/s", clients: stormNew - 1, rate: 5000},
	{name: "1000/s with a flood", clients: stormNew - 1 - stormCap, rate: 1000, flood: true, assert: true},
}

// A site powers up with its WAN down: iphelper's fallback server (upstream
// dead, default max-offers-outstanding and reserve-for-known) meets a storm
// of new clients that behave as real ones do (DISCOVER, REQUEST the offer,
// retransmit after 4 s), as many as the pool allows new clients. The storm must be bound by its first
// retransmission (fewer than 1 % still unbound after the attempt at 4 s),
// with the ARP conflict check on; beside it, a random-MAC flood that never
// retransmits nor REQUESTs holds no more than the base cap of OFFERs (a
// reading of `show leases` every 500 ms), and the metrics tell the two
// apart: the storm's offers taken, the flood's abandoned.
func TestFallbackStormOfNewClients(t *testing.T) {
	for _, c := range stormCases {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario(t)
			s.needIphelper("fallback server")
			runStorm(t, s, c)
		})
	}
}

// runStorm is the storm scenario with one case.
func runStorm(t *testing.T, s *scenario, c stormCase) {
	tp := s.l.Standard()
	seg := tp.Segments[0]
	f := &fbLab{scenario: s, tp: tp, seg: seg, db: filepath.Join(s.l.Dir(), "leases.db")}
	file := filepath.Join(s.l.Dir(), "iphelper.yaml")
	opsWriteFile(t, file, stormConfig(tp, f.db))
	f.relay = s.l.StartIphelper(tp.Relay, build.bin, "run", "--config", file, "--log-level", "info", "--metrics-listen", opsMetricsAddr)
	f.relay.WaitListening(1, leaseTimeout)

	// One client's unanswered DISCOVER takes the upstream down
	// (down-after 1); its retransmission is served by the fallback.
	first := s.l.Burst(tp.Client, seg.ClientIf, lab.BurstSpec{Clients: 1, ID: 9, Retransmit: stormRetransmit})
	if len(first.Leases) != 1 {
		t.Fatalf("the first client was not bound by the fallback")
	}
	f.waitLog("upstream health going down", healthTimeout, logHealthChanged, "to=down")

	real := map[string]bool{opsMAC(first.Leases[0].MAC): true}
	for i := range c.clients {
		real[opsMAC(net.HardwareAddr{0x02, 0xb5, 1, 0, byte(i >> 8), byte(i)})] = true
	}
	watch := startPoolWatch(t, f.relay.ControlSocket, map[string]int{seg.RelayIf: stormPoolSize}, real)
	var flood *lab.Flood
	if c.flood {
		flood = s.l.StartFlood(tp.Client, seg.ClientIf, stormFloodRate, 3*stormRetransmit)
		time.Sleep(500 * time.Millisecond) // the flood holds its offers first
	}
	res := s.l.Burst(tp.Client, seg.ClientIf, lab.BurstSpec{Clients: c.clients, ID: 1, Retransmit: stormRetransmit, Rate: c.rate})
	if flood != nil {
		sent, err := flood.Stop()
		t.Logf("flood: %d DISCOVERs from random MACs (%v)", sent, err)
	}
	watch.stop()
	checkStorm(t, c, res, watch, seg)
	m := scrape(t, s.l, tp.Relay)
	t.Logf("%s: %s", c.name, fbFloodCounters(m, seg.RelayIf))
	t.Logf("%s: new clients %s", c.name, stormCounters(m, seg.RelayIf))
	taken, _ := m.value("iphelper_fallback_new_client_offers_total", map[string]string{"interface": seg.RelayIf, "event": "taken"})
	if bound := len(res.Leases) + 1; int(taken) < bound {
		t.Errorf("iphelper_fallback_new_client_offers_total{event=taken} = %.0f, want at least the %d new clients bound", taken, bound)
	}
}

// checkStorm reports the storm's result and, when the case asserts, fails
// the test if 1 % or more of its clients were unbound after their first
// retransmission, or the flood held more offers than the base cap.
func checkStorm(t *testing.T, c stormCase, res lab.BurstResult, w *poolWatch, seg lab.Segment) {
	t.Helper()
	late := c.clients - res.BoundWithin(2*stormRetransmit)
	var p50 time.Duration
	if n := len(res.Leases); n > 0 {
		p50 = res.Leases[n/2].Bound.Sub(res.Leases[n/2].Began)
	}
	peaks, n, errs, lastErr := w.result()
	pk := peaks[seg.RelayIf]
	t.Logf("%s: %d clients arriving at %d/s: %d bound (%d not), %d (%.1f %%) still unbound after the first retransmission, median time to bind %s; flood peak %d offers over %d readings (%d failed: %v)",
		c.name, c.clients, c.rate, len(res.Leases), len(res.Unbound), late, 100*float64(late)/float64(c.clients), p50.Round(time.Millisecond), pk.AttackOffered, n, errs, lastErr)
	if !c.assert {
		return
	}
	if 100*late >= c.clients {
		t.Errorf("%d of %d clients were still unbound after their first retransmission, want fewer than 1 %%", late, c.clients)
	}
	if pk.AttackOffered > stormCap {
		t.Errorf("the flood held %d OFFERs at once, want at most the base cap %d", pk.AttackOffered, stormCap)
	}
	if pk.AttackBound > 0 {
		t.Errorf("the flood never REQUESTs, yet %d leases were bound to it", pk.AttackBound)
	}
}

// stormConfig is the scenario's config file (db the lease database): the standard segment relayed
// to the (silent) server, with a fallback pool of stormPoolSize addresses
// and the default caps.
func stormConfig(tp *lab.Topology, db string) string {
	first, last := nthAddr(tp.Segments[0].Gateway, 1), nthAddr(tp.Segments[0].Gateway, stormPoolSize)
	return fmt.Sprintf("lease-db: %s\ndefaults:\n  helper-addresses: [%s]\n  fallback:\n    lease-time: %s\n    down-after: 1\n"+
		"interfaces:\n  - name: %s\n    fallback:\n      pools: [%s-%s]\n",
		db, tp.Servers[0].Addr, fbLease, tp.Segments[0].RelayIf, first, last)
}

// stormCounters describes the fallback's ledger of new clients on ifname
// from the metrics, for the log.
func stormCounters(m opsMetrics, ifname string) string {
	var offers, caps []string
	for _, s := range m {
		switch {
		case s.Labels["interface"] != ifname:
		case s.Name == "iphelper_fallback_new_client_offers_total":
			offers = append(offers, fmt.Sprintf("%s=%.0f", s.Labels["event"], s.Value))
		case s.Name == "iphelper_fallback_new_client_cap":
			caps = append(caps, fmt.Sprintf("%s=%.0f", s.Labels["limit"], s.Value))
		}
	}
	return fmt.Sprintf("offers %v, cap %v", offers, caps)
}

package integration

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// The show scenario's second segment: down1, 203.0.113.128/25 (the relay at
// .129), whose only helper does not exist, so its clients are served by the
// fallback pool .200–.210.
var (
	opsFbNet    = netip.MustParsePrefix("203.0.113.128/25")
	opsFbFirst  = netip.MustParseAddr("203.0.113.200")
	opsFbLast   = netip.MustParseAddr("203.0.113.210")
	opsNoHelper = netip.MustParseAddr("198.51.100.99")
)

// Times of the operating scenarios.
const (
	// opsFbLease is iphelper's default fallback lease time.
	opsFbLease = 10 * time.Minute
	// opsExpirySlack is how far a shown expiry may be from the lease time
	// counted from when the test saw the client bound.
	opsExpirySlack = time.Minute
	// opsTraceTimeout bounds the waits for `debug packets` to start and
	// for the trace lines of a DORA.
	opsTraceTimeout = 10 * time.Second
)

// Operations scenario: after real clients got leases — one relayed to Kea on down0, one
// served by the fallback on down1 —, `show interfaces|helpers|statistics|
// bindings|leases --json` report them (the binding table holds both
// leases: it learns the fallback's ACKs too); `show bindings ADDR|MAC`
// finds exactly the one binding; `clear statistics` zeroes every counter;
// `debug packets` prints the DORA of a new client.
func TestOpsShowCommands(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "udhcpc")
	s.needIphelper("a control socket")
	tp := s.l.Switched()
	srv := tp.Servers[0]
	s.l.StartKea(srv.NS, srv.Addr, tp.ServerConfig(0))
	fbNS, _ := opsSegment(s.l, tp, "fb", "down1", opsFbNet)
	relay := s.l.StartIphelper(tp.Relay, build.bin, "run", "--log-level", "debug",
		"--interface", "down0", "--interface", "down1",
		"--helper-address", "down0="+srv.Addr.String(), "--helper-address", "down1="+opsNoHelper.String(),
		"--fallback-pool", "down1="+opsFbFirst.String()+"-"+opsFbLast.String(),
		"--lease-db", filepath.Join(s.l.Dir(), "leases.db"), "--metrics-listen", opsMetricsAddr)
	relay.WaitListening(2, 15*time.Second)
	ctl := newOpsCtl(t, s.l, relay, tp.Relay)

	h1 := s.l.AddHost(tp, "h1")
	relayed := s.l.StartClient(lab.Udhcpc, h1.NS, h1.If)
	fallback := s.l.StartClient(lab.Udhcpc, fbNS, lab.ClientIf)
	lease := relayed.WaitLease(leaseTimeout)
	fbLease := fallback.WaitLease(leaseTimeout)
	bound := time.Now()
	fbMAC := s.l.MAC(fbNS, lab.ClientIf)
	t.Logf("relayed lease %s for %s, fallback lease %s for %s", lease.Addr, h1.MAC, fbLease.Addr, fbMAC)

	checkShowInterfaces(t, s.l, ctl, tp)
	checkShowHelpers(t, ctl, srv.Addr)
	checkShowStatistics(t, ctl)
	checkShowBindings(t, ctl, control.Binding{
		Addr: lease.Addr, MAC: control.Hex(h1.MAC), ClientID: opsClientID(h1.MAC), Interface: "down0",
		Expiry: bound.Add(defaultLease),
	})
	// The table learns the fallback's ACKs too: it is the whole site's.
	checkShowBindings(t, ctl, control.Binding{
		Addr: fbLease.Addr, MAC: control.Hex(fbMAC), ClientID: opsClientID(fbMAC), Interface: "down1",
		Expiry: bound.Add(opsFbLease),
	})
	checkShowLeases(t, ctl, control.Lease{
		Addr: fbLease.Addr, MAC: control.Hex(fbMAC), ClientID: opsClientID(fbMAC), Interface: "down1",
		Expiry: bound.Add(opsFbLease), State: "bound",
	})
	checkShowOperatorViews(t, ctl)
	before := scrape(t, s.l, tp.Relay)
	checkClearStatistics(t, ctl)
	checkCountersKept(t, before, scrape(t, s.l, tp.Relay))
	checkDebugPackets(t, s.l, ctl, tp)
}

// checkShowOperatorViews checks the IOS-like views of the running daemon:
// the DHCP messages by type in show statistics (a DORA each on down0,
// relayed, and down1, from the fallback), show pools (down1's fallback
// scope holds the one lease), show and clear conflicts (none) and show
// version.
func checkShowOperatorViews(t *testing.T, ctl *opsCtl) {
	t.Helper()
	st := ctl.statistics()
	for _, i := range st.Interfaces {
		c := i.Counters
		if c.In["discover"] < 1 || c.In["request"] < 1 || c.Out["offer"] < 1 || c.Out["ack"] < 1 {
			t.Errorf("show statistics: %s messages in %v, out %v, want a DISCOVER, REQUEST, OFFER and ACK at least", i.Name, c.In, c.Out)
		}
	}
	pools := opsShow[[]control.Pool](ctl, control.ShowPools, "")
	wantPool := control.Pool{Interface: "down1", Leased: 1}
	if len(pools) != 1 || pools[0].Interface != wantPool.Interface || pools[0].Leased != wantPool.Leased ||
		pools[0].Size == 0 || pools[0].Free != pools[0].Size-1 || pools[0].Utilisation <= 0 {
		t.Errorf("show pools: %+v, want down1's scope with 1 leased and the rest free", pools)
	}
	if cs := opsShow[[]control.Conflict](ctl, control.ShowConflicts, ""); len(cs) != 0 {
		t.Errorf("show conflicts: %+v, want none", cs)
	}
	if out := ctl.run("clear", control.ClearConflicts, nil, "*"); strings.TrimSpace(out) != "No quarantined address to free." {
		t.Errorf("clear conflicts * printed %q", out)
	}
	v := opsShow[control.DaemonVersion](ctl, control.ShowVersion, "")
	if v.Version == "" || v.GoVersion == "" || v.ConfigHash == "" || v.Started.IsZero() {
		t.Errorf("show version: %+v, want a version, Go version, config hash and start time", v)
	}
}

// checkCountersKept checks that clear statistics did not set back the
// counters Prometheus scrapes: a counter that goes backwards reads as a
// restart of the daemon.
func checkCountersKept(t *testing.T, before, after opsMetrics) {
	t.Helper()
	for _, c := range []struct{ name, iface string }{
		{"iphelper_relay_requests_received_total", "down0"}, {"iphelper_relay_requests_received_total", "down1"},
		{"iphelper_relay_replies_delivered_total", "down0"}, // down1's replies come from the fallback
	} {
		labels := map[string]string{"interface": c.iface}
		b, _ := before.value(c.name, labels)
		a, _ := after.value(c.name, labels)
		if b == 0 || a < b {
			t.Errorf("%s{interface=%q}: %v before clear statistics, %v after: want nonzero and never less", c.name, c.iface, b, a)
		}
	}
}

// checkShowInterfaces checks `show interfaces`: both interfaces up with
// their addresses, helpers and option-82 settings, and their counters.
func checkShowInterfaces(t *testing.T, l *lab.Lab, ctl *opsCtl, tp *lab.Topology) {
	t.Helper()
	host := opsHostname(t)
	want := map[string]control.Interface{
		"down0": {
			Name: "down0", State: "up", Index: l.IfIndex(tp.Relay, "down0"),
			Address: netip.MustParsePrefix("203.0.113.1/25"), GIAddr: netip.MustParseAddr("203.0.113.1"),
			Helpers: []netip.Addr{tp.Servers[0].Addr}, Option82: true, Policy: "replace", CircuitID: "down0", RemoteID: host,
		},
		"down1": {
			Name: "down1", State: "up", Index: l.IfIndex(tp.Relay, "down1"),
			Address: netip.MustParsePrefix("203.0.113.129/25"), GIAddr: netip.MustParseAddr("203.0.113.129"),
			Helpers: []netip.Addr{opsNoHelper}, Option82: true, Policy: "replace", CircuitID: "down1", RemoteID: host,
			Fallback: "serving",
		},
	}
	got := ctl.interfaces()
	if diff := opsDiff(want, got, cmpopts.IgnoreFields(control.Interface{}, "Counters")); diff != "" {
		t.Errorf("show interfaces (-want +got):\n%s", diff)
	}
	// DISCOVER and REQUEST each way. On down1 the fallback answers both;
	// the DISCOVER still goes to the (absent) helper, while the REQUEST
	// that selects the fallback's offer (server identifier: the relay) is
	// the fallback's alone.
	opsCheckCounters(t, "show interfaces: down0", got["down0"].Counters, 2, 2, 2, 0)
	opsCheckCounters(t, "show interfaces: down1", got["down1"].Counters, 2, 1, 0, 2)
	opsAtLeast(t, "show interfaces: down0: option82_inserted", got["down0"].Counters.Option82Inserted, 2)
}

// checkShowHelpers checks `show helpers` (and its alias `show upstreams`):
// the real helper sent and answered, the absent one sent and never
// answered.
func checkShowHelpers(t *testing.T, ctl *opsCtl, real netip.Addr) {
	t.Helper()
	got := ctl.helpers()
	if len(got) != 2 {
		t.Errorf("show helpers: %d helpers %v, want 2", len(got), got)
	}
	opsAtLeast(t, "show helpers: "+real.String()+": requests_sent", got[real].Sent, 2)
	opsAtLeast(t, "show helpers: "+real.String()+": replies_received", got[real].Replies, 2)
	if got[real].SendErrors != 0 {
		t.Errorf("show helpers: %s: send_errors = %d, want 0", real, got[real].SendErrors)
	}
	opsAtLeast(t, "show helpers: "+opsNoHelper.String()+": requests_sent", got[opsNoHelper].Sent, 1)
	if got[opsNoHelper].Replies != 0 {
		t.Errorf("show helpers: %s: replies_received = %d, want 0", opsNoHelper, got[opsNoHelper].Replies)
	}
	alias := opsShow[[]control.Helper](ctl, control.ShowUpstreams, "")
	if len(alias) != len(got) {
		t.Errorf("show upstreams lists %d helpers, show helpers %d", len(alias), len(got))
	}
}

// checkShowStatistics checks `show statistics`: per-interface counters and
// states, the helpers, and no drop charged to no interface.
func checkShowStatistics(t *testing.T, ctl *opsCtl) {
	t.Helper()
	st := ctl.statistics()
	byName := make(map[string]control.InterfaceCounters)
	for _, i := range st.Interfaces {
		byName[i.Name] = i
	}
	for _, name := range []string{"down0", "down1"} {
		if byName[name].State != "up" {
			t.Errorf("show statistics: %s state %q, want up", name, byName[name].State)
		}
	}
	opsCheckCounters(t, "show statistics: down0", byName["down0"].Counters, 2, 2, 2, 0)
	opsCheckCounters(t, "show statistics: down1", byName["down1"].Counters, 2, 1, 0, 2)
	if n := st.Global.TotalDrops(); n != 0 {
		t.Errorf("show statistics: %d drops charged to no interface %v, want none", n, st.Global.Drops)
	}
	if len(st.Helpers) != 2 {
		t.Errorf("show statistics: %d helpers, want 2: %+v", len(st.Helpers), st.Helpers)
	}
}

// checkShowBindings checks `show bindings` lists want, and that `show
// bindings ADDR` and `show bindings MAC` find exactly it.
func checkShowBindings(t *testing.T, ctl *opsCtl, want control.Binding) {
	t.Helper()
	expiry := cmpopts.EquateApproxTime(opsExpirySlack)
	all := opsShow[[]control.Binding](ctl, control.ShowBindings, "")
	found := false
	for _, b := range all {
		if b.Addr == want.Addr {
			found = true
			if diff := opsDiff(want, b, expiry); diff != "" {
				t.Errorf("show bindings: the binding of %s (-want +got):\n%s", want.Addr, diff)
			}
		}
	}
	if !found {
		t.Errorf("show bindings: no binding of %s in %+v", want.Addr, all)
	}
	for _, q := range []string{want.Addr.String(), want.MAC.String()} {
		got := opsShow[[]control.Binding](ctl, control.ShowBindings, q)
		if diff := opsDiff([]control.Binding{want}, got, expiry); diff != "" {
			t.Errorf("show bindings %s (-want +got):\n%s", q, diff)
		}
	}
}

// checkShowLeases checks `show leases` holds the fallback's lease.
func checkShowLeases(t *testing.T, ctl *opsCtl, want control.Lease) {
	t.Helper()
	got := opsShow[[]control.Lease](ctl, control.ShowLeases, "")
	for _, l := range got {
		if l.Addr == want.Addr {
			if diff := opsDiff(want, l, cmpopts.EquateApproxTime(opsExpirySlack)); diff != "" {
				t.Errorf("show leases: the lease of %s (-want +got):\n%s", want.Addr, diff)
			}
			return
		}
	}
	t.Errorf("show leases: no lease of %s in %+v", want.Addr, got)
}

// checkClearStatistics runs `clear statistics` and checks every counter of
// `show statistics` is zero afterwards.
func checkClearStatistics(t *testing.T, ctl *opsCtl) {
	t.Helper()
	if out := ctl.run("clear", control.ClearStatistics, []string{"--json"}); strings.TrimSpace(out) != `{"cleared":"statistics"}` {
		t.Errorf("clear statistics --json printed %q", out)
	}
	st := ctl.statistics()
	zero := cmpopts.EquateEmpty()
	for _, i := range st.Interfaces {
		if diff := opsDiff(control.Counters{}, i.Counters, zero); diff != "" {
			t.Errorf("after clear statistics, %s counters (-want +got):\n%s", i.Name, diff)
		}
	}
	// The helper's health (state, since, last reply, latency and the
	// transaction totals it is computed from) is state, not a statistic:
	// only the helper's packet counters are cleared. Its helper sets are
	// the same kind of state.
	health := cmpopts.IgnoreFields(control.Helper{}, "LastReply", "Health", "Since", "Reason",
		"Forwarded", "Answered", "TimedOut", "LatencyP50Ms", "LatencyP99Ms", "Sets")
	for _, h := range st.Helpers {
		if diff := opsDiff(control.Helper{Addr: h.Addr}, h, health); diff != "" {
			t.Errorf("after clear statistics, helper %s (-want +got):\n%s", h.Addr, diff)
		}
	}
	if diff := opsDiff(control.Counters{}, st.Global, zero); diff != "" {
		t.Errorf("after clear statistics, global counters (-want +got):\n%s", diff)
	}
}

// checkDebugPackets runs `iphelper debug packets` in the background while a
// new client on down0 leases an address, and checks it printed that
// client's DISCOVER, OFFER, REQUEST and ACK.
func checkDebugPackets(t *testing.T, l *lab.Lab, ctl *opsCtl, tp *lab.Topology) {
	t.Helper()
	dbg := l.StartProc(lab.ProcSpec{NS: tp.Relay, Name: "iphelper-debug", Args: []string{
		build.bin, "debug", "packets", "--control-socket", ctl.relay.ControlSocket,
	}})
	// The daemon logs when the trace is in place; only then may the
	// client start.
	if !ctl.relay.WaitLog(`msg="packet trace started"`, opsTraceTimeout) || !dbg.WaitLog("Tracing DHCP packets on every interface", opsTraceTimeout) {
		t.Fatalf("debug packets did not start:\n%s", dbg.Log())
	}
	h2 := l.AddHost(tp, "h2")
	lease := l.StartClient(lab.Udhcpc, h2.NS, h2.If).WaitLease(leaseTimeout)
	chaddr := "chaddr " + opsMAC(h2.MAC)
	want := []struct{ typ, action string }{
		{"in  DISCOVER", "relayed to " + tp.Servers[0].Addr.String()},
		{"out OFFER", "delivered"},
		{"in  REQUEST", "relayed to " + tp.Servers[0].Addr.String()},
		{"out ACK", "delivered"},
	}
	traced := func() []string {
		var missing []string
		for _, w := range want {
			if !opsHasLine(dbg.Log(), "down0 "+w.typ, chaddr, w.action) {
				missing = append(missing, w.typ)
			}
		}
		return missing
	}
	lab.WaitFor(func() bool { return len(traced()) == 0 }, opsTraceTimeout)
	dbg.Stop()
	if missing := traced(); len(missing) > 0 {
		t.Errorf("debug packets: no line for %q of %s (leased %s); it printed:\n%s", missing, h2.MAC, lease.Addr, dbg.Log())
	}
	after := ctl.statistics()
	for _, i := range after.Interfaces {
		if i.Name == "down0" {
			opsCheckCounters(t, "show statistics after the traced DORA: down0", i.Counters, 2, 2, 2, 0)
		}
	}
}

// opsClientID is the client identifier udhcpc sends: hardware type 1
// (Ethernet) and the MAC (RFC 2132 §9.14).
func opsClientID(mac []byte) control.Hex { return append(control.Hex{1}, mac...) }

// opsHasLine reports whether a line of log contains every one of substrs.
func opsHasLine(log string, substrs ...string) bool {
	for _, line := range strings.Split(log, "\n") {
		if containsAllOps(line, substrs) {
			return true
		}
	}
	return false
}

// containsAllOps reports whether s contains every one of substrs.
func containsAllOps(s string, substrs []string) bool {
	for _, sub := range substrs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

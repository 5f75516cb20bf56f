package integration

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// The sub-interface scenario's numbers. This kernel has no 802.1Q, so the
// "VLANs" on the trunk down0 are macvlan sub-interfaces down0.1–down0.200
// (no client needs to reach them); the first opsAddressed of them get an
// address (a /32 each, from 203.0.113.129 on) and are served, the others
// wait for one. The new VLAN that a client uses is a veth pair of its own,
// down0.201 (203.0.113.224/27) ↔ eth0.201, created after the 200.
const (
	opsSubIfs    = 200
	opsAddressed = 90
	opsNewVLAN   = "down0.201"
	opsNewClient = "eth0.201"
	// opsServeWithin is the required bound: a new VLAN is served within 1 s.
	opsServeWithin = time.Second
	// opsRetransmit is the client's DISCOVER interval (udhcpc -T 1).
	opsRetransmit = time.Second
	// opsSettleTimeout bounds the wait for the relay to list all 200.
	opsSettleTimeout = 30 * time.Second
	// opsLeakTimeout bounds the wait for goroutines and descriptors to
	// return to their baseline once the interfaces are gone; opsLeakSlack
	// is the tolerance.
	opsLeakTimeout = 10 * time.Second
	opsLeakSlack   = 5
	// opsPollEvery is how often the scenario polls the control socket.
	opsPollEvery = 50 * time.Millisecond
)

var (
	opsSubIfFirst = netip.MustParseAddr("203.0.113.129")
	opsNewVLANNet = netip.MustParsePrefix("203.0.113.224/27")
	opsNewPool    = [2]netip.Addr{netip.MustParseAddr("203.0.113.240"), netip.MustParseAddr("203.0.113.250")}
)

// Operations scenario: 200 sub-interfaces created on the trunk while iphelper runs with
// the pattern down0.* are all picked up (those with an address served, the
// others waiting for one); a client on a VLAN created after them gets a
// lease, the relay listing the VLAN up within 1 s of it coming up; deleting
// them all brings the daemon's goroutines and file descriptors back to
// where they were.
func TestOpsManySubInterfaces(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "udhcpc")
	s.needIphelper("interface patterns and metrics")
	tp := s.l.Standard()
	srv := tp.Servers[0]
	cfg := tp.ServerConfig(0)
	cfg.Subnets = append(cfg.Subnets, lab.Subnet{
		Prefix: opsNewVLANNet, PoolFirst: opsNewPool[0], PoolLast: opsNewPool[1], Router: opsNewVLANNet.Addr().Next(),
	})
	s.l.StartKea(srv.NS, srv.Addr, cfg)
	relay := s.l.StartRelay(s.relay, tp.Relay, lab.RelaySpec{
		Downstream: []string{lab.RelayDown + ".*"}, Helpers: tp.Helpers(), IphelperBin: build.bin,
		IphelperArgs: []string{"--metrics-listen", opsMetricsAddr}, NoWait: true,
	})
	ctl := newOpsCtl(t, s.l, relay, tp.Relay)
	if _, err := ctl.pollInterfaces(); err != nil { // warm the control socket up
		t.Fatalf("show interfaces: %v", err)
	}
	scrape(t, s.l, tp.Relay) // and the metrics endpoint
	base := scrape(t, s.l, tp.Relay)
	g0, f0 := opsGauge(t, base, "go_goroutines"), opsGauge(t, base, "process_open_fds")
	t.Logf("baseline: %v goroutines, %v open fds", g0, f0)

	start := time.Now()
	s.l.IPBatch(tp.Relay, opsSubIfCommands())
	settled := waitSubIfs(t, ctl)
	t.Logf("%d sub-interfaces created in one batch; the relay listed them all (%d up, %d waiting for address) after %s",
		opsSubIfs, opsAddressed, opsSubIfs-opsAddressed, opsDuration(settled.Sub(start)))
	busy := scrape(t, s.l, tp.Relay)
	t.Logf("with %d sub-interfaces: %v goroutines, %v open fds", opsSubIfs, opsGauge(t, busy, "go_goroutines"), opsGauge(t, busy, "process_open_fds"))

	checkNewVLANServed(t, s.l, ctl, tp)

	var del []string
	for i := 1; i <= opsSubIfs; i++ {
		del = append(del, fmt.Sprintf("link del %s.%d", lab.RelayDown, i))
	}
	start = time.Now()
	s.l.IPBatch(tp.Relay, append(del, "link del "+opsNewVLAN))
	t.Logf("deleting the %d links took the kernel %s", opsSubIfs+1, opsDuration(time.Since(start)))
	checkBackToBaseline(t, s.l, ctl, tp.Relay, g0, f0, time.Now())
	if relay.Proc.Exited() {
		t.Errorf("the relay exited:\n%s", relay.Proc.Log())
	}
}

// opsSubIfCommands are the ip commands that create down0.1–down0.200, up,
// the first opsAddressed with an address.
func opsSubIfCommands() []string {
	var cmds []string
	addr := opsSubIfFirst
	for i := 1; i <= opsSubIfs; i++ {
		name := fmt.Sprintf("%s.%d", lab.RelayDown, i)
		cmds = append(cmds, fmt.Sprintf("link add link %s name %s type macvlan mode bridge", lab.RelayDown, name))
		if i <= opsAddressed {
			cmds = append(cmds, fmt.Sprintf("addr add %s/32 dev %s", addr, name))
			addr = addr.Next()
		}
		cmds = append(cmds, "link set "+name+" up")
	}
	return cmds
}

// waitSubIfs waits until `show interfaces` lists the 200 sub-interfaces
// with the first opsAddressed up and the others waiting for an address,
// and returns when it first did.
func waitSubIfs(t *testing.T, ctl *opsCtl) time.Time {
	t.Helper()
	var last string
	ok := lab.WaitFor(func() bool {
		ifs, err := ctl.pollInterfaces()
		if err != nil {
			last = err.Error()
			return false
		}
		states := make(map[string]int)
		for _, i := range ifs {
			states[i.State]++
		}
		last = fmt.Sprintf("%d interfaces, by state %v", len(ifs), states)
		return len(ifs) == opsSubIfs && states["up"] == opsAddressed && states["waiting for address"] == opsSubIfs-opsAddressed
	}, opsSettleTimeout)
	if !ok {
		t.Fatalf("show interfaces: want %d interfaces, %d up and %d waiting for address, within %s; last: %s",
			opsSubIfs, opsAddressed, opsSubIfs-opsAddressed, opsSettleTimeout, last)
	}
	return time.Now()
}

// checkNewVLANServed brings up a new VLAN matching the pattern, with a
// client on it, and checks the relay lists it up within opsServeWithin of
// the link coming up with its address, and the client gets a lease. A
// goroutine polls the control socket every opsPollEvery from before the
// link comes up; a capture on the client's side times the client's
// packets.
func checkNewVLANServed(t *testing.T, l *lab.Lab, ctl *opsCtl, tp *lab.Topology) {
	t.Helper()
	gw := netip.PrefixFrom(opsNewVLANNet.Addr().Next(), opsNewVLANNet.Bits())
	l.IPBatch(tp.Relay, []string{fmt.Sprintf("link add %s type veth peer name %s netns %s", opsNewVLAN, opsNewClient, tp.Client)})
	l.IPBatch(tp.Client, []string{"link set " + opsNewClient + " up"})
	wire := l.Capture(tp.Client, opsNewClient, lab.DHCPFilter)

	seen := make(chan time.Time, 1)
	go opsPollUp(ctl, opsNewVLAN, 5*opsServeWithin, seen)
	l.IPBatch(tp.Relay, []string{"addr add " + gw.String() + " dev " + opsNewVLAN, "link set " + opsNewVLAN + " up"})
	t0 := time.Now()
	client := l.StartUdhcpcQuick(tp.Client, opsNewClient, 5, opsRetransmit)
	lease := client.WaitLease(leaseTimeout)
	ack := wire.WaitFor("the ACK", captureTimeout, isType(dhcpv4.MessageTypeAck, dhcpv4.OpcodeBootReply))
	upAt := <-seen
	bound := ack.Time.Sub(t0)
	var discovers []string
	for _, p := range wire.DHCP() {
		if p.MessageType() == dhcpv4.MessageTypeDiscover {
			discovers = append(discovers, opsDuration(p.Time.Sub(t0)))
		}
	}
	if upAt.IsZero() {
		t.Errorf("show interfaces did not list %s up within %s", opsNewVLAN, 5*opsServeWithin)
	} else {
		up := max(0, upAt.Sub(t0))
		t.Logf("%s came up with its address (`ip link set up` returned) at t0; the relay logged it up at t0+%s;"+
			" show interfaces listed it up at t0+%s; the client's DISCOVERs left at t0+%v; its ACK arrived at t0+%s (%s)",
			opsNewVLAN, opsLoggedUp(ctl.relay.Proc.Log(), opsNewVLAN, t0), opsDuration(up), discovers, opsDuration(bound), lease.Addr)
		if up > opsServeWithin {
			t.Errorf("show interfaces listed %s up %s after it came up, want within %s", opsNewVLAN, opsDuration(up), opsServeWithin)
		}
	}
	if lease.Addr.Less(opsNewPool[0]) || opsNewPool[1].Less(lease.Addr) {
		t.Errorf("the client on %s leased %s, want one of %s-%s", opsNewVLAN, lease.Addr, opsNewPool[0], opsNewPool[1])
	}
	// A first DISCOVER sent before the relay listened is lost and retried
	// after opsRetransmit: within 1 s plus that one retry, or it is late.
	if limit := opsServeWithin + opsRetransmit; bound > limit {
		t.Errorf("the client on %s was bound %s after the VLAN came up, want within %s", opsNewVLAN, opsDuration(bound), limit)
	}
}

// opsLoggedUp finds iphelper's log line saying interface name went up and
// returns its time relative to t0, or "never".
func opsLoggedUp(log, name string, t0 time.Time) string {
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="interface state changed" iface=`+name+" ") || !strings.HasSuffix(line, " to=up") {
			continue
		}
		ts, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
		at, err := time.Parse(time.RFC3339Nano, ts)
		if err == nil {
			return opsDuration(at.Sub(t0))
		}
	}
	return "never"
}

// opsPollUp polls `show interfaces` every opsPollEvery until it lists name
// up, and sends when it first did (the zero time if not within timeout).
func opsPollUp(ctl *opsCtl, name string, timeout time.Duration, seen chan<- time.Time) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if opsListedUp(ctl, name) {
			seen <- time.Now()
			return
		}
		time.Sleep(opsPollEvery)
	}
	seen <- time.Time{}
}

// opsListedUp reports whether `show interfaces` lists name up.
func opsListedUp(ctl *opsCtl, name string) bool {
	ifs, err := ctl.pollInterfaces()
	if err != nil {
		return false
	}
	return slices.ContainsFunc(ifs, func(i control.Interface) bool { return i.Name == name && i.State == "up" })
}

// checkBackToBaseline waits for the relay to forget the deleted
// interfaces and for its goroutines and open descriptors to come back to
// the baseline (within opsLeakSlack).
func checkBackToBaseline(t *testing.T, l *lab.Lab, ctl *opsCtl, ns string, g0, f0 float64, start time.Time) {
	t.Helper()
	var g, f float64
	var left []control.Interface
	var gone, gBack, fBack time.Duration // when each first held
	mark := func(d *time.Duration, held bool) bool {
		if held && *d == 0 {
			*d = time.Since(start)
		}
		return held
	}
	ok := lab.WaitFor(func() bool {
		ifs, err := ctl.pollInterfaces()
		if err != nil {
			return false
		}
		left = ifs
		m, err := parseOpsMetrics(scrapeOrEmpty(l, ns))
		if err != nil {
			return false
		}
		g, _ = m.value("go_goroutines", nil)
		f, _ = m.value("process_open_fds", nil)
		a, b, c := mark(&gone, len(ifs) == 0), mark(&gBack, g <= g0+opsLeakSlack), mark(&fBack, f <= f0+opsLeakSlack)
		return a && b && c
	}, opsLeakTimeout)
	t.Logf("after deleting them all: %v goroutines (baseline %v), %v open fds (baseline %v), %d interfaces listed; "+
		"counted from the end of the deletion, the list was empty after %s, goroutines back after %s, fds back after %s",
		g, g0, f, f0, len(left), opsDuration(gone), opsDuration(gBack), opsDuration(fBack))
	if !ok {
		t.Errorf("within %s of deleting the sub-interfaces: %d interfaces still listed, %v goroutines (baseline %v), %v open fds (baseline %v); tolerance %d",
			opsLeakTimeout, len(left), g, g0, f, f0, opsLeakSlack)
		for i, ifc := range left {
			if i == 5 {
				t.Logf("  …")
				break
			}
			t.Logf("  still listed: %s %s", ifc.Name, ifc.State)
		}
	}
}

// scrapeOrEmpty scrapes the metrics, returning "" (which parses to nothing) on
// error, for polling loops.
func scrapeOrEmpty(l *lab.Lab, ns string) string {
	body, err := lab.HTTPGetIn(ns, opsMetricsURL)
	if err != nil {
		return ""
	}
	return body
}

// opsGauge returns a metric without labels; the test fails when it is
// missing.
func opsGauge(t *testing.T, m opsMetrics, name string) float64 {
	t.Helper()
	v, ok := m.value(name, nil)
	if !ok {
		t.Fatalf("no %s in the scrape", name)
	}
	return v
}

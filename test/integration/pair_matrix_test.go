package integration

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/failover"
	"github.com/iphelper/iphelper/test/lab"
)

// pairFault is one row of the failover pair's fault matrix: a fault
// injected into a pair in NORMAL whose clients then rebind, judged by the
// ACK oracle.
type pairFault struct {
	name string
	mode string
	// bArgs are extra flags of node B (its clock's offset).
	bArgs []string
	// mclt, when set, is the pair's MCLT (a config file's failover: block;
	// MCLT has no flag).
	mclt time.Duration
	// during is how many new clients the nodes that serve during the fault
	// have addresses for (the short form's burst is at most 40 of them).
	during int
	// inject injects the fault, runs the burst of new clients during it and
	// ends the fault (or leaves a node dead).
	inject func(m *pairMatrix)
}

// Bursts of the matrix: the clients bound before the fault, and the new
// clients during it, in the short and the full (IPHELPER_TEST_FULL=1) form.
// The pool has 251 addresses, of which each node owns its share and keeps
// a tenth of it for known clients.
const (
	matrixBefore     = 20
	matrixBeforeFull = 40
	matrixDuring     = 40
	matrixDuringFull = 200
)

// The failover pair's fault matrix (docs/failover.md): each row starts a pair
// in NORMAL, binds a burst of clients, injects a fault while a burst of new
// clients arrives, lets the pair recover, and makes the first clients
// rebind. Every client bound before the fault must rebind to the address it
// had, and the ACK oracle must find no address held by two clients at
// once. Detection time, the first new client's ACK after the fault and the
// bursts' leases/s are logged, never asserted.
func TestPairFaultMatrix(t *testing.T) {
	cases := []pairFault{
		{name: "hot-standby/primary-paused", mode: "hot-standby", during: 20, inject: pausePrimary},
		{name: "hot-standby/link-cut", mode: "hot-standby", during: 150, inject: cutLink},
		{name: "load-sharing/link-cut", mode: "load-sharing", during: 120, inject: cutLink},
		{name: "hot-standby/primary-lost-its-file", mode: "hot-standby", mclt: 10 * time.Second, during: 20, inject: recoverPrimary},
		{name: "hot-standby/both-restarted", mode: "hot-standby", during: 150, inject: restartBoth},
		{name: "hot-standby/partner-clock-ahead", mode: "hot-standby", bArgs: []string{"--clock-offset", "90s"}, during: 20, inject: killPrimary},
		{name: "load-sharing/node-killed", mode: "load-sharing", during: 80, inject: killPrimary},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runPairFault(t, tc) })
	}
}

// pairMatrix is one running row of the matrix.
type pairMatrix struct {
	t    *testing.T
	s    *scenario
	p    *lab.Pair
	f    pairFault
	a, b *lab.Node
	key  string
	conf string // the config file with the failover: block, or ""
	host lab.Host
	// fresh is the size of the burst during the fault.
	fresh  int
	nextID byte
	// marks are where each node's log stood at the fault (mark): waits
	// after the fault read only what follows, since the start alone may log
	// a COMMUNICATIONS-INTERRUPTED and a second NORMAL (two connections
	// crossing). A restarted node's log is new and read whole.
	marks map[*lab.Node]logMark
}

// logMark is a position in one iphelper process's log.
type logMark struct {
	relay *lab.Relay
	at    int
}

// runPairFault runs one row of TestPairFaultMatrix.
func runPairFault(t *testing.T, f pairFault) {
	s := newScenario(t)
	s.needIphelper("failover")
	m := &pairMatrix{t: t, s: s, f: f, nextID: 1, marks: map[*lab.Node]logMark{}}
	m.p = s.l.Pair(lab.PairOptions{})
	wire := s.l.Capture(m.p.Switch, lab.SwitchBridge, lab.DHCPFilter)
	before, during := matrixBefore, matrixDuring
	if os.Getenv(fullEnv) != "" {
		before, during = matrixBeforeFull, matrixDuringFull
	}
	m.fresh = min(during, f.during)
	m.start()
	m.host = m.p.AddHost("burst")
	pre := m.burst("before the fault", lab.BurstSpec{Clients: before})
	if f.mode == "load-sharing" {
		checkBothServed(t, m.p, pre)
	}

	f.inject(m)

	again := m.burst("the first clients rebinding after the fault", lab.BurstSpec{Rebind: pre.Leases})
	settle(t, wire)
	o := wire.Oracle()
	checkNoDuplicates(t, o)
	if len(again.Unbound) > 0 {
		t.Errorf("%d of %d clients bound before the fault could not rebind to their address: %v", len(again.Unbound), len(pre.Leases), again.Unbound)
	}
	for _, l := range pre.Leases {
		if got, ok := o.AddressOf(l.MAC.String(), time.Now()); ok && got != l.Addr {
			t.Errorf("client %s held %s before the fault and %s after", l.MAC, l.Addr, got)
		}
	}
}

// args are node n's flags in the row's pair.
func (m *pairMatrix) args(n lab.PairNode) []string {
	args := pairArgs(m.p, n, m.f.mode, m.key)
	if m.conf != "" {
		args = append(args, "--config", m.conf)
	}
	if n.Name == m.p.B.Name {
		args = append(args, m.f.bArgs...)
	}
	return args
}

// start starts both nodes and waits until both are NORMAL.
func (m *pairMatrix) start() {
	m.t.Helper()
	m.key = pairKeyFile(m.t)
	if m.f.mclt > 0 {
		m.conf = filepath.Join(m.t.TempDir(), "iphelper.yaml")
		body := "failover:\n  mclt: " + m.f.mclt.String() + "\n"
		if err := os.WriteFile(m.conf, []byte(body), 0o644); err != nil {
			m.t.Fatal(err)
		}
	}
	m.a = m.p.StartNode(m.p.A, build.bin, m.args(m.p.A)...)
	m.b = m.p.StartNode(m.p.B, build.bin, m.args(m.p.B)...)
	m.waitNormal()
}

// mark records where both nodes' logs stand: the fault begins.
func (m *pairMatrix) mark() time.Time {
	for _, n := range []*lab.Node{m.a, m.b} {
		m.marks[n] = logMark{relay: n.Relay, at: len(n.Log())}
	}
	return time.Now()
}

// since is node n's log after its mark.
func (m *pairMatrix) since(n *lab.Node) string {
	log := n.Log()
	if mk, ok := m.marks[n]; ok && mk.relay == n.Relay && mk.at <= len(log) {
		return log[mk.at:]
	}
	return log
}

// waitLog polls node n's log after its mark until substr appears in it,
// and returns when it was seen.
func (m *pairMatrix) waitLog(n *lab.Node, substr string, timeout time.Duration) (time.Time, bool) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(m.since(n), substr) {
			return time.Now(), true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Time{}, false
}

// waitNormal waits until both nodes' logs say NORMAL after their marks.
func (m *pairMatrix) waitNormal() {
	m.t.Helper()
	for _, n := range []*lab.Node{m.a, m.b} {
		if _, ok := m.waitLog(n, "to=NORMAL", 40*time.Second); !ok {
			m.t.Fatalf("%s did not reach NORMAL after the fault; its log:\n%s", n.PairNode, n.Log())
		}
	}
}

// burst runs a burst on the row's host (a new ID for new clients) and logs
// its rate.
func (m *pairMatrix) burst(what string, spec lab.BurstSpec) lab.BurstResult {
	m.t.Helper()
	if len(spec.Rebind) == 0 && spec.ID == 0 {
		spec.ID = m.nextID
		m.nextID++
	}
	res := m.s.l.Burst(m.host.NS, m.host.If, spec)
	n := max(spec.Clients, len(spec.Rebind))
	m.t.Logf("%s: %d of %d bound, %.0f leases/s", what, len(res.Leases), n, res.Rate())
	if len(spec.Rebind) == 0 && len(res.Unbound) > 0 {
		m.t.Errorf("%s: %d of %d new clients got no lease: %v", what, len(res.Unbound), n, res.Unbound)
	}
	return res
}

// detect waits until node n's log says substr after the mark, and logs
// how long after since it was seen.
func (m *pairMatrix) detect(n *lab.Node, substr string, since time.Time) {
	m.t.Helper()
	at, ok := m.waitLog(n, substr, 15*time.Second)
	if !ok {
		m.t.Fatalf("%s never logged %q after the fault; its log:\n%s", n.PairNode, substr, n.Log())
	}
	m.t.Logf("%s: %s %v after the fault", n.PairNode, substr, at.Sub(since).Round(time.Millisecond))
}

// duringFault runs the burst of new clients during a fault that began at
// since, checks that the nodes that bound them own what they gave unless
// owner is false, and logs the first ACK's delay.
func (m *pairMatrix) duringFault(since time.Time, owned bool) lab.BurstResult {
	m.t.Helper()
	res := m.burst("new clients during the fault", lab.BurstSpec{Clients: m.fresh})
	if len(res.Leases) > 0 {
		m.t.Logf("first ACK of a new client %v after the fault", res.Leases[0].Bound.Sub(since).Round(time.Millisecond))
	}
	if owned {
		checkOwners(m.t, m.p, m.f.mode, res)
	}
	return res
}

// checkOwners fails the test for a new client bound to an address that
// the node that bound it does not own (docs/failover.md, "Who owns a free
// address"): outside PARTNER-DOWN each node allocates only its own.
func checkOwners(t *testing.T, p *lab.Pair, mode string, res lab.BurstResult) {
	t.Helper()
	sc := failover.Scope{Mode: failover.ModeHotStandby, StandbyShare: 10, Split: 50}
	if mode == "load-sharing" {
		sc.Mode = failover.ModeLoadSharing
	}
	first := netip.MustParseAddr(strings.Split(pairPool, "-")[0])
	for _, l := range res.Leases {
		i := int(l.Addr.As4()[3]) - int(first.As4()[3])
		owner := sc.OwnerAt(i, 251)
		want := p.A.Down
		if owner == failover.Secondary {
			want = p.B.Down
		}
		if l.Server != want {
			t.Errorf("new client %s got %s from %s, which the %v (%s) owns", l.MAC, l.Addr, l.Server, owner, want)
		}
	}
}

// checkBothServed fails the test unless both nodes of a load-sharing pair
// bound some of the clients.
func checkBothServed(t *testing.T, p *lab.Pair, res lab.BurstResult) {
	t.Helper()
	by := map[netip.Addr]int{}
	for _, l := range res.Leases {
		by[l.Server]++
	}
	t.Logf("load-sharing: node a bound %d clients, node b %d", by[p.A.Down], by[p.B.Down])
	if by[p.A.Down] == 0 || by[p.B.Down] == 0 {
		t.Errorf("load-sharing: node a bound %d clients and node b %d, want both some", by[p.A.Down], by[p.B.Down])
	}
}

// pausePrimary freezes the primary (SIGSTOP) for about 6 s while new
// clients arrive: the secondary notices after max-response-delay and
// serves them from its own addresses; after SIGCONT both resynchronise to
// NORMAL.
func pausePrimary(m *pairMatrix) {
	paused := m.mark()
	m.a.Pause()
	// The clients arrive as the primary freezes; their retransmissions'
	// secs reach secs-threshold once the secondary has noticed.
	done := make(chan lab.BurstResult, 1)
	go func() { done <- m.burst("new clients during the pause", lab.BurstSpec{Clients: m.fresh, ID: 0x50}) }()
	m.detect(m.b, "to=COMMUNICATIONS-INTERRUPTED", paused)
	time.Sleep(time.Until(paused.Add(6 * time.Second)))
	m.a.Resume()
	resumed := time.Now()
	res := <-done
	bySecondary := 0
	for _, l := range res.Leases {
		if l.Server == m.p.B.Down && l.Bound.Before(resumed) {
			bySecondary++
		}
	}
	m.t.Logf("the secondary bound %d new clients while the primary was frozen", bySecondary)
	if bySecondary == 0 {
		m.t.Errorf("the secondary bound no new client while the primary was frozen")
	}
	if len(res.Leases) > 0 {
		m.t.Logf("first ACK of a new client %v after the pause", res.Leases[0].Bound.Sub(paused).Round(time.Millisecond))
	}
	checkOwners(m.t, m.p, m.f.mode, res)
	m.waitNormal()
}

// cutLink cuts the link between the nodes while both see the clients: both
// go COMMUNICATIONS-INTERRUPTED and serve new clients, each from its own
// addresses; restored, both resynchronise to NORMAL.
func cutLink(m *pairMatrix) {
	cut := m.mark()
	m.p.CutLink()
	m.detect(m.a, "to=COMMUNICATIONS-INTERRUPTED", cut)
	m.detect(m.b, "to=COMMUNICATIONS-INTERRUPTED", cut)
	m.duringFault(cut, true)
	restored := m.mark()
	m.p.RestoreLink()
	m.waitNormal()
	m.t.Logf("both NORMAL again %v after the link came back", time.Since(restored).Round(time.Millisecond))
}

// recoverPrimary stops the primary, deletes its lease file and starts it
// again: it comes back in RECOVER, takes the secondary's data, waits MCLT
// (RECOVER-WAIT) and only then serves. The new clients that arrive
// meanwhile are the secondary's; the oracle must see no ACK of the
// primary before its NORMAL.
func recoverPrimary(m *pairMatrix) {
	stopped := m.mark()
	m.a.Kill(syscall.SIGTERM)
	m.detect(m.b, "to=PARTNER-DOWN", stopped)
	if err := os.Remove(m.a.DB); err != nil {
		m.t.Fatal(err)
	}
	m.a.Restart(m.args(m.p.A)...)
	restarted := time.Now()
	m.detect(m.a, "to=RECOVER-WAIT", restarted)
	res := m.duringFault(restarted, false)
	m.waitNormal()
	normal, ok := logTime(m.a.Log(), "to=NORMAL")
	if !ok {
		m.t.Fatalf("no time on the primary's NORMAL line; its log:\n%s", m.a.Log())
	}
	m.t.Logf("the primary NORMAL %v after its restart (MCLT %v)", normal.Sub(restarted).Round(time.Millisecond), m.f.mclt)
	bySecondary := 0
	for _, l := range res.Leases {
		if l.Server == m.p.A.Down && l.Bound.Before(normal) {
			m.t.Errorf("the recovering primary bound %s to %s at %s, before its NORMAL at %s",
				l.MAC, l.Addr, l.Bound.Format("15:04:05.000"), normal.Format("15:04:05.000"))
		}
		if l.Server == m.p.B.Down && l.Bound.Before(normal) {
			bySecondary++
		}
	}
	// The primary answers nobody for MCLT (5 minutes by default): its
	// partner must answer meanwhile, or every client goes unanswered.
	if bySecondary == 0 {
		m.t.Errorf("no new client was bound while the primary recovered: the secondary left them to it")
	}
}

// restartBoth stops both nodes (SIGTERM) and starts both on their lease
// files: back to NORMAL, new clients are served.
func restartBoth(m *pairMatrix) {
	stopped := m.mark()
	m.a.Kill(syscall.SIGTERM)
	m.b.Kill(syscall.SIGTERM)
	m.a.Restart(m.args(m.p.A)...)
	m.b.Restart(m.args(m.p.B)...)
	m.waitNormal()
	m.t.Logf("both NORMAL %v after both were stopped", time.Since(stopped).Round(time.Millisecond))
	m.duringFault(stopped, true)
}

// killPrimary kills the primary (SIGKILL): the secondary notices, serves
// new clients from its own addresses and, in the common part of the row,
// every client of the primary when it rebinds, with its address.
func killPrimary(m *pairMatrix) {
	killed := m.mark()
	m.a.Kill(syscall.SIGKILL)
	m.detect(m.b, "to=COMMUNICATIONS-INTERRUPTED", killed)
	m.duringFault(killed, true)
}

// logTime is the time of the first line of log that contains substr (the
// text handler's time= field).
func logTime(log, substr string) (time.Time, bool) {
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, substr) {
			continue
		}
		_, rest, ok := strings.Cut(line, "time=")
		if !ok {
			return time.Time{}, false
		}
		ts, _, _ := strings.Cut(rest, " ")
		t, err := time.Parse(time.RFC3339Nano, ts)
		return t, err == nil
	}
	return time.Time{}, false
}

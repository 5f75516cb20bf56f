package integration

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// fullEnv runs the long forms of the pair scenarios (IPHELPER_TEST_FULL=1):
// Kea HA with its default timers takes over only after a minute and more.
const fullEnv = "IPHELPER_TEST_FULL"

// The reference the failover pair is measured against: Kea's HA hook in
// hot-standby on the two nodes of the pair topology, serving the client
// segment directly. Real clients and a burst get leases from the primary;
// the primary is killed (SIGKILL); new clients keep asking until the
// standby takes over. The test prints (never asserts) the time from the
// kill to Kea's detection and to the standby's first ACK of a new client,
// and the pair's leases/s for the burst; it asserts that the ACK oracle
// finds no address given to two clients. The short form uses tuned timers;
// IPHELPER_TEST_FULL=1 adds Kea's default timers.
func TestKeaHAHotStandbyTakeover(t *testing.T) {
	cases := []struct {
		name   string
		timers lab.KeaHATimers
		full   bool
	}{
		{"tuned", lab.KeaHATunedTimers, false},
		{"default", lab.KeaHADefaultTimers, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.full && os.Getenv(fullEnv) == "" {
				t.Skipf("Kea's default HA timers take over after more than a minute: set %s=1 to run it", fullEnv)
			}
			keaHATakeover(t, tc.timers)
		})
	}
}

// keaHATakeover is one run of TestKeaHAHotStandbyTakeover with timers.
func keaHATakeover(t *testing.T, timers lab.KeaHATimers) {
	s := newScenario(t, "kea-dhcp4", "dhclient", "udhcpc", "dhcpcd")
	p := s.l.Pair(lab.PairOptions{})
	wire := s.l.Capture(p.Switch, lab.SwitchBridge, lab.DHCPFilter)
	started := time.Now()
	ha := s.l.StartKeaHA(p, lab.KeaHAOptions{Mode: lab.KeaHotStandby, Timers: timers})
	t.Logf("kea HA: both servers in HOT-STANDBY %s after start", time.Since(started).Round(time.Millisecond))

	for _, kind := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc, lab.Dhcpcd} {
		h := p.AddHost(string(kind))
		lease := s.l.StartClient(kind, h.NS, h.If).WaitLease(leaseTimeout)
		if lease.ServerID != p.A.Down {
			t.Errorf("%s bound %s from %s, want the primary %s", kind, lease.Addr, lease.ServerID, p.A.Down)
		}
	}
	burst := p.AddHost("burst")
	res := s.l.Burst(burst.NS, burst.If, lab.BurstSpec{Clients: burstClients, ID: 1})
	t.Logf("kea HA hot-standby: %d of %d new clients bound, %.0f leases/s", len(res.Leases), burstClients, res.Rate())
	if len(res.Unbound) > 0 {
		t.Errorf("%d of %d burst clients got no lease from the kea pair", len(res.Unbound), burstClients)
	}

	ha.Primary.Proc.Signal(syscall.SIGKILL)
	killed := time.Now()
	newcomers := keaHANewcomers(t, s, p, timers)
	settle(t, wire)
	o := wire.Oracle()
	checkKeaHATakeover(t, o, ha.Standby, p, killed, newcomers)
	checkOracleSawBurst(t, o, res)
	checkNoDuplicates(t, o)
}

// keaHANewcomers starts new clients after the kill, a real one (udhcpc,
// asking every second) and a few from a burst that keep asking until the
// survivor answers, with their secs growing, as Kea's unacked-client rule
// wants; it returns their MACs.
func keaHANewcomers(t *testing.T, s *scenario, p *lab.Pair, timers lab.KeaHATimers) map[string]bool {
	t.Helper()
	window := timers.MaxResponseDelay + 2*timers.HeartbeatDelay + 4*timers.MaxAckDelay + 20*time.Second
	h := p.AddHost("late")
	udhcpc := s.l.StartUdhcpcQuick(h.NS, h.If, int(window/time.Second), time.Second)
	probes := p.AddHost("probes")
	res := s.l.Burst(probes.NS, probes.If, lab.BurstSpec{
		Clients: max(3, timers.MaxUnackedClients+2), ID: 2, Retransmit: time.Second,
		Retries: int(window / time.Second), Timeout: window + 10*time.Second,
	})
	if len(res.Unbound) > 0 {
		t.Errorf("after the kill, %d new clients got no lease within %s", len(res.Unbound), window)
	}
	lease := udhcpc.WaitLease(window)
	if lease.ServerID != p.B.Down {
		t.Errorf("after the kill, udhcpc bound %s from %s, want the standby %s", lease.Addr, lease.ServerID, p.B.Down)
	}
	macs := map[string]bool{h.MAC.String(): true}
	for _, l := range res.Leases {
		macs[l.MAC.String()] = true
	}
	return macs
}

// checkKeaHATakeover logs how long the standby took to notice and to serve:
// Kea's own log for the detection, the wire for the first ACK.
func checkKeaHATakeover(t *testing.T, o *lab.Oracle, standby *lab.KeaHANode, p *lab.Pair, killed time.Time, newcomers map[string]bool) {
	t.Helper()
	since := func(at time.Time) string {
		if at.IsZero() {
			return "never"
		}
		return at.Sub(killed).Round(time.Millisecond).String()
	}
	t.Logf("kea HA after SIGKILL of the primary: heartbeat failed after %s, communication interrupted after %s, PARTNER-DOWN after %s",
		since(standby.LogTime("HA_HEARTBEAT_COMMUNICATIONS_FAILED")),
		since(standby.LogTime("HA_COMMUNICATION_INTERRUPTED")),
		since(standby.StateTime("PARTNER-DOWN")))
	first, ok := o.FirstAck(killed, func(e lab.LeaseEvent) bool { return e.Server == p.B.Down && newcomers[e.Chaddr] })
	if !ok {
		t.Errorf("no ACK of a new client from the standby %s after the kill", p.B.Down)
		return
	}
	t.Logf("kea HA: the standby's first ACK of a new client (%s, %s) came %s after SIGKILL", first.Chaddr, first.Addr, since(first.Time))
}

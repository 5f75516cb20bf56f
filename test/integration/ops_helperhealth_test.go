package integration

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// opsStopped is a helper on the server segment where no server runs: a
// helper that was stopped.
var opsStopped = lab.Server2Addr

// When one helper belongs to two helper sets (down0 → Kea and a stopped
// server, down1 → Kea), `show helpers` gives each helper its own health:
// the stopped one is down with its own time-outs and no latency, Kea is
// up with the answers it sent on both interfaces, and both sets, which
// decide the fallback, are up because Kea answers each of them.
func TestOpsShowHelpersPerHelper(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "udhcpc")
	s.needIphelper("per-helper health")
	tp := s.l.Switched()
	srv := tp.Servers[0]
	otherNS, _ := opsSegment(s.l, tp, "c1", "down1", opsFbNet)
	s.l.StartKea(srv.NS, srv.Addr, tp.ServerConfig(0)) // a subnet for each segment
	relay := s.l.StartIphelper(tp.Relay, build.bin, "run", "--log-level", "debug",
		"--interface", "down0", "--interface", "down1",
		"--helper-address", "down0="+srv.Addr.String(), "--helper-address", "down0="+opsStopped.String(),
		"--helper-address", "down1="+srv.Addr.String())
	relay.WaitListening(2, 15*time.Second)
	ctl := newOpsCtl(t, s.l, relay, tp.Relay)

	// Three clients on down0 (each its own DISCOVER and REQUEST, so that
	// the stopped helper's streak is made of several clients), one on down1.
	var clients []*lab.Client
	for _, role := range []string{"h1", "h2", "h3"} {
		h := s.l.AddHost(tp, role)
		clients = append(clients, s.l.StartClient(lab.Udhcpc, h.NS, h.If))
	}
	clients = append(clients, s.l.StartClient(lab.Udhcpc, otherNS, lab.ClientIf))
	for _, c := range clients {
		c.WaitLease(leaseTimeout)
	}

	// The stopped helper's transactions time out (2 s, checked every
	// 250 ms) and it goes down.
	var got map[netip.Addr]control.Helper
	deadline := time.Now().Add(15 * time.Second)
	for {
		got = ctl.helpers()
		if got[opsStopped].Health == "down" || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	stopped, kea := got[opsStopped], got[srv.Addr]
	if stopped.Health != "down" || stopped.Answered != 0 || stopped.Replies != 0 || stopped.LatencyP50Ms != 0 {
		t.Errorf("show helpers: stopped %s: health %q, %d answered, %d replies, p50 %v ms; want down, none, no latency",
			opsStopped, stopped.Health, stopped.Answered, stopped.Replies, stopped.LatencyP50Ms)
	}
	opsAtLeast(t, "show helpers: stopped helper: transactions_timed_out", stopped.TimedOut, 3)
	if kea.Health != "up" || kea.TimedOut != 0 || kea.LatencyP50Ms <= 0 {
		t.Errorf("show helpers: Kea %s: health %q, %d timed out, p50 %v ms; want up, none, a latency", srv.Addr, kea.Health, kea.TimedOut, kea.LatencyP50Ms)
	}
	opsAtLeast(t, "show helpers: Kea: transactions_answered", kea.Answered, 8) // DISCOVER and REQUEST of four clients

	sets := map[string]control.HelperSet{}
	for _, h := range got {
		for _, s := range h.Sets {
			sets[strings.Join(addrStrings(s.Helpers), ",")] = s
		}
	}
	wantSets := map[string][]string{
		srv.Addr.String(): {"down1"},
		srv.Addr.String() + "," + opsStopped.String(): {"down0"},
	}
	for id, ifaces := range wantSets {
		s, ok := sets[id]
		if !ok {
			t.Errorf("show helpers: no helper set %s in %v", id, sets)
			continue
		}
		if s.Health != "up" || !slices.Equal(s.Interfaces, ifaces) || s.TimedOut != 0 {
			t.Errorf("show helpers: helper set %s: health %q, interfaces %v, %d timed out; want up, %v, none", id, s.Health, s.Interfaces, s.TimedOut, ifaces)
		}
	}
	text := ctl.run("show", "helpers", nil)
	if !strings.Contains(text, opsStopped.String()+" is down: ") {
		t.Errorf("show helpers does not say %s is down:\n%s", opsStopped, text)
	}
	t.Logf("show helpers:\n%s", text)
}

func addrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

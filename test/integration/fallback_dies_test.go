package integration

import (
	"strings"
	"syscall"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Fallback scenario 3: when the upstream server silently dies (killed
// with SIGKILL) while clients are running, new clients are served by the
// fallback, no client ever takes a 169.254 address, and iphelper logs the
// upstream health going down with its reason; once it is down, a new client
// is answered at once rather than after offer-delay.
//
// Each client is a host of its own on the switched segment. The dhcpcd
// among the new clients runs with its IPv4 link-local fallback on (it takes a
// 169.254 address when no server answers within a few seconds), so that the
// check means something.
func TestFallbackTakesOverWhenUpstreamDies(t *testing.T) {
	f := newFallback(t, true, "kea-dhcp4", "dhclient", "udhcpc", "dhcpcd")
	kea := f.startKea()
	f.startRelay(fbOptions{})
	old := f.l.AddHost(f.tp, "old")
	running := f.l.StartClient(lab.Dhclient, old.NS, old.If)
	first, last := f.keaPool()
	checkLease(t, running.WaitLease(leaseTimeout), f.seg, first, last, kea.Addr, defaultLease)

	kea.Proc.Signal(syscall.SIGKILL)
	starts := []struct {
		role  string
		start func(h lab.Host) *lab.Client
	}{
		{"udhcpc", func(h lab.Host) *lab.Client { return f.l.StartClient(lab.Udhcpc, h.NS, h.If) }},
		{"dhcpcd", func(h lab.Host) *lab.Client { return f.l.StartDhcpcdLinkLocal(h.NS, h.If) }},
		{"dhclient", func(h lab.Host) *lab.Client { return f.l.StartClient(lab.Dhclient, h.NS, h.If) }},
	}
	hosts := []lab.Host{old}
	clients := []*lab.Client{running}
	for _, s := range starts {
		h := f.l.AddHost(f.tp, s.role)
		hosts = append(hosts, h)
		clients = append(clients, s.start(h))
	}
	for _, c := range clients[1:] {
		checkFallbackLease(t, c.WaitLease(leaseTimeout), f.seg, fbLease)
	}
	f.waitLog("upstream health going down", healthTimeout, logHealthChanged, logHealthDown)

	late := f.l.AddHost(f.tp, "late")
	lateCap := f.l.Capture(late.NS, late.If, lab.DHCPFilter)
	lc := f.l.StartClient(lab.Udhcpc, late.NS, late.If)
	hosts, clients = append(hosts, late), append(clients, lc)
	checkFallbackLease(t, lc.WaitLease(leaseTimeout), f.seg, fbLease)
	checkAnsweredAtOnce(t, lateCap)

	for i, c := range clients {
		for _, l := range c.Leases() {
			if linkLocal.Contains(l.Addr) {
				t.Errorf("%s on %s took the link-local address %s (event %s)", c.Kind, hosts[i].NS, l.Addr, l.Event)
			}
		}
		if out := f.l.Exec(hosts[i].NS, "ip", "-4", "-o", "addr", "show", "dev", hosts[i].If); strings.Contains(out, "169.254.") {
			t.Errorf("%s on %s has a link-local address:\n%s", c.Kind, hosts[i].NS, out)
		}
	}
}

// checkAnsweredAtOnce fails the test unless the first OFFER in the capture
// came less than offer-delay after the first DISCOVER: with the upstream
// down the fallback does not wait for it.
func checkAnsweredAtOnce(t *testing.T, c *lab.Capture) {
	t.Helper()
	disc := c.WaitFor("DISCOVER", captureTimeout, isType(dhcpv4.MessageTypeDiscover, dhcpv4.OpcodeBootRequest))
	offer := c.WaitFor("OFFER", captureTimeout, isType(dhcpv4.MessageTypeOffer, dhcpv4.OpcodeBootReply))
	took := offer.Time.Sub(disc.Time)
	t.Logf("with the upstream down, the fallback offered %s after the DISCOVER", took)
	if took >= offerDelay {
		t.Errorf("with the upstream down, the fallback offered %s after the DISCOVER, want less than offer-delay %s", took, offerDelay)
	}
}

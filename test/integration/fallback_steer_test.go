package integration

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// A burst of REQUESTs that name a server that does not exist, from several
// crafted clients, is what any host on a client VLAN can send: RFC 2131
// §4.3.2 makes every real server stay silent on them. They must leave the
// helper set up: `show helpers` says so with no transaction timed out, and
// a real client's DISCOVER is answered by Kea while the fallback waits its
// offer-delay (no fallback OFFER on the wire, no fallback reply logged).
func TestFallbackNotSteeredByRequestsForAnotherServer(t *testing.T) {
	f := newFallback(t, true, "kea-dhcp4", "udhcpc")
	kea := f.startKea()
	f.startRelay(fbOptions{})
	f.waitLog("fallback server", captureTimeout, `msg="fallback server ready"`, "iface="+f.seg.RelayIf)
	ctl := newOpsCtl(t, f.l, f.relay, f.tp.Relay)
	helper := f.tp.Servers[0].Addr

	inj := f.injectorHost("attacker")
	bogus := netip.MustParseAddr("198.51.100.99") // no server has it
	first, last := f.keaPool()
	const clients, perClient = 6, 3
	for c := range byte(clients) {
		for i := range byte(perClient) {
			xid := lab.XID(0x5e000000 + uint32(c)<<8 + uint32(i))
			inj.broadcast(inj.msg(dhcpv4.MessageTypeRequest, xid, fakeMAC(0x40+c),
				dhcpv4.WithOption(dhcpv4.OptServerIdentifier(bogus.AsSlice())),
				dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(first.AsSlice()))), zeroAddr)
		}
	}
	// Every REQUEST reached the helper: the burst was relayed, not dropped.
	if !lab.WaitFor(func() bool { return ctl.helpers()[helper].Sent >= clients*perClient }, captureTimeout) {
		t.Fatalf("show helpers: %s: requests_sent %d, want at least %d (the burst relayed)", helper, ctl.helpers()[helper].Sent, clients*perClient)
	}
	// Give the burst's transactions, had they counted, time to time out
	// (transaction-timeout 2 s, checked every 250 ms) and the helpers to
	// go down.
	went := lab.WaitFor(func() bool {
		h := ctl.helpers()[helper]
		return h.Health != "up" || h.TimedOut > 0
	}, 2*time.Second+healthTimeout/2)
	if h := ctl.helpers()[helper]; went || h.Health != "up" || h.TimedOut != 0 {
		t.Errorf("show helpers: %s: health %q (%s), %d transactions timed out of %d; want up, none timed out",
			helper, h.Health, h.Reason, h.TimedOut, h.Forwarded)
	}
	if log := f.relay.Proc.Log(); strings.Contains(log, logHealthChanged) {
		t.Errorf("the upstream health changed:\n%s", log)
	}

	// A real client is answered by Kea; the fallback, waiting its
	// offer-delay, sees Kea's OFFER and stays quiet.
	host := f.l.AddHost(f.tp, "client")
	down := f.l.Capture(host.NS, host.If, lab.DHCPFilter)
	lease := f.l.StartClient(lab.Udhcpc, host.NS, host.If).WaitLease(leaseTimeout)
	checkLease(t, lease, f.seg, first, last, kea.Addr, defaultLease)
	for _, p := range down.After(2*offerDelay, func(p lab.Packet) bool {
		return p.DHCP != nil && p.DHCP.OpCode == dhcpv4.OpcodeBootReply
	}) {
		if sid := addrOf(p.DHCP.ServerIdentifier()); sid != kea.Addr {
			t.Errorf("a reply with server identifier %s, want only Kea's %s: %s", sid, kea.Addr, p)
		}
	}
	if log := f.relay.Proc.Log(); strings.Contains(log, `msg="fallback reply"`) {
		t.Errorf("the fallback answered while Kea did:\n%s", log)
	}
}

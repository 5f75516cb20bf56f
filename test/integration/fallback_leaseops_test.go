package integration

import (
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Fallback scenario 5: with no upstream server, the fallback's leases go
// through their life on the wire.
//   - Conflict: another host already uses the pool's first address; the
//     conflict probe finds it and a real client (dhclient) gets another.
//   - Renew: dhclient renews its one-minute lease at T1 by unicast to the
//     relay and is ACKed.
//   - Rebind: a crafted client in REBINDING state (broadcast, ciaddr set, no
//     server identifier) is ACKed.
//   - Release: the released address is free again, and offered to a second
//     client that asks for it.
//   - Decline: a client that declines its address is offered another one.
//
// The upstream health is driven down first, as it is when the upstream has
// died: renewals are then the fallback's to answer (with the default
// failback nak, a renewal while the upstream counts as up is NAKed back to
// it).
func TestFallbackLeaseLifecycle(t *testing.T) {
	f := newFallback(t, true, "dhclient")
	squat := f.l.AddHost(f.tp, "squat")
	f.l.Addr(squat.NS, squat.If, netip.PrefixFrom(fbFirst, f.seg.Prefix.Bits()).String())
	f.startRelay(fbOptions{leaseTime: fbShortLease})
	dh := f.l.AddHost(f.tp, "dh")
	dhCap := f.l.Capture(dh.NS, dh.If, lab.DHCPFilter)
	inj := f.injectorHost("inj")

	c := f.l.StartClient(lab.Dhclient, dh.NS, dh.If)
	lease := c.WaitLease(leaseTimeout)
	bound := time.Now()
	checkFallbackLease(t, lease, f.seg, fbShortLease)
	if lease.Addr == fbFirst {
		t.Errorf("dhclient was given %s, which another host holds", lease.Addr)
	}
	f.waitLog("conflict probe", captureTimeout, `msg="address answered the conflict probe; quarantined"`, "addr="+fbFirst.String()+" ")
	inj.driveDown()

	checkRebindRelease(t, f, inj)
	checkDecline(t, f, inj)

	renewed := waitBound(t, c, "renewal", renewTimeout-time.Since(bound), func(l lab.Lease) bool { return l.Event == "RENEW" })
	if renewed.Addr != lease.Addr {
		t.Errorf("dhclient renewed %s, want its lease %s", renewed.Addr, lease.Addr)
	}
	req := dhCap.WaitFor("unicast renewal to the relay", captureTimeout, func(p lab.Packet) bool {
		return isType(dhcpv4.MessageTypeRequest, dhcpv4.OpcodeBootRequest)(p) &&
			p.Src == netip.AddrPortFrom(lease.Addr, 68) && p.Dst == netip.AddrPortFrom(f.seg.Gateway, 67)
	})
	ack := dhCap.WaitFor("ACK of the renewal", captureTimeout, isReply(dhcpv4.MessageTypeAck, req.DHCP.TransactionID))
	if got := addrOf(ack.DHCP.YourIPAddr); got != lease.Addr {
		t.Errorf("renewal ACKed %s, want %s: %s", got, lease.Addr, ack)
	}
}

// checkRebindRelease leases an address to a crafted client, rebinds it
// (ACK), releases it, and checks a second client is offered it.
func checkRebindRelease(t *testing.T, f *fbLab, inj *injector) {
	t.Helper()
	a := fakeMAC(0xa1)
	addr, _ := inj.dora(a, lab.XID(0x5a000001))

	rebind := lab.XID(0x5a000002)
	inj.broadcast(inj.msg(dhcpv4.MessageTypeRequest, rebind, a, dhcpv4.WithClientIP(addr.AsSlice())), addr)
	if got := addrOf(inj.reply(dhcpv4.MessageTypeAck, rebind).DHCP.YourIPAddr); got != addr {
		t.Errorf("rebinding %s: ACK for %s", addr, got)
	}

	release := lab.XID(0x5a000003)
	inj.unicast(inj.msg(dhcpv4.MessageTypeRelease, release, a, dhcpv4.WithClientIP(addr.AsSlice()),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(f.seg.Gateway.AsSlice()))), addr)
	if !f.waitOutcome(release, "released", outcomeTimeout) {
		t.Errorf("RELEASE of %s: no outcome=released; fallback lines %q", addr, f.fallbackLines(release))
	}
	offer := inj.discover(fakeMAC(0xb1), lab.XID(0x5b000001), dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice())))
	if got := addrOf(offer.DHCP.YourIPAddr); got != addr {
		t.Errorf("a second client asking for the released %s was offered %s", addr, got)
	}
}

// checkDecline leases an address to a crafted client, declines it, and
// checks the client's next DISCOVER is offered another address.
func checkDecline(t *testing.T, f *fbLab, inj *injector) {
	t.Helper()
	c := fakeMAC(0xc1)
	addr, _ := inj.dora(c, lab.XID(0x5c000001))
	decline := lab.XID(0x5c000002)
	inj.broadcast(inj.msg(dhcpv4.MessageTypeDecline, decline, c,
		dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice())),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(f.seg.Gateway.AsSlice()))), zeroAddr)
	if !f.waitOutcome(decline, "declined", outcomeTimeout) {
		t.Errorf("DECLINE of %s: no outcome=declined; fallback lines %q", addr, f.fallbackLines(decline))
	}
	offer := inj.discover(c, lab.XID(0x5c000003))
	if got := addrOf(offer.DHCP.YourIPAddr); got == addr || !inFallbackPool(got) {
		t.Errorf("after declining %s the client was offered %s, want another address of the pool", addr, got)
	}
}

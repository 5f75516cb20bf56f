package integration

import (
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Fallback scenario 6: iphelper killed with SIGKILL and restarted on the
// same lease database loses nothing: a crafted client renews its address
// right after the restart (RENEWING: unicast, ciaddr set), dhclient renews
// its address at T1, a new client is given neither of them, and both
// leases are in the database, bound.
//
// No upstream server runs.
func TestFallbackLeasesSurviveSIGKILL(t *testing.T) {
	f := newFallback(t, true, "dhclient")
	f.startRelay(fbOptions{leaseTime: fbShortLease})
	dh := f.l.AddHost(f.tp, "dh")
	inj := f.injectorHost("inj")
	c := f.l.StartClient(lab.Dhclient, dh.NS, dh.If)
	lease := c.WaitLease(leaseTimeout)
	bound := time.Now()
	checkFallbackLease(t, lease, f.seg, fbShortLease)
	a := fakeMAC(0x6a)
	addrA, _ := inj.dora(a, lab.XID(0x6a000001))

	f.relay.Proc.Signal(syscall.SIGKILL)
	f.restartRelay()

	renew := lab.XID(0x6a000002)
	inj.unicast(inj.msg(dhcpv4.MessageTypeRequest, renew, a, dhcpv4.WithClientIP(addrA.AsSlice())), addrA)
	rep := inj.cap.WaitFor("reply to the renewal", captureTimeout, isReply(dhcpv4.MessageTypeNone, renew))
	if rep.MessageType() != dhcpv4.MessageTypeAck || addrOf(rep.DHCP.YourIPAddr) != addrA {
		t.Errorf("after the restart, the renewal of %s got %s, want an ACK of it; fallback lines %q", addrA, rep, f.fallbackLines(renew))
	}
	renewed, ok := awaitBound(t, c, "renewal", renewTimeout-time.Since(bound), func(l lab.Lease) bool { return l.Event == "RENEW" })
	if ok && renewed.Addr != lease.Addr {
		t.Errorf("dhclient renewed %s, want its lease %s", renewed.Addr, lease.Addr)
	}
	addrB, _ := inj.dora(fakeMAC(0x6b), lab.XID(0x6b000001))
	if addrB == lease.Addr || addrB == addrA {
		t.Errorf("a new client was given %s, a lease of another client", addrB)
	}

	leases := f.storedLeases()
	latest := time.Now().Add(fbShortLease)
	checkStored(t, leases, lease.Addr, dh.MAC, latest)
	checkStored(t, leases, addrA, a, latest)
}

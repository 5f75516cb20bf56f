package integration

import (
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Fallback scenario 4: when the upstream server returns, iphelper marks
// it up at its first reply, new clients get upstream leases, and a client
// holding a fallback lease is handled at its next renewal (T1, 30 s into a
// one-minute lease) by the failback policy: with nak it is NAKed and
// re-acquires a lease from the upstream server; with keep the fallback
// renews it.
func TestFallbackFailbackWhenUpstreamReturns(t *testing.T) {
	for _, failback := range []string{"nak", "keep"} {
		t.Run(failback, func(t *testing.T) {
			f := newFallback(t, true, "kea-dhcp4", "dhclient", "udhcpc")
			f.startKea().Proc.Signal(syscall.SIGKILL)
			f.startRelay(fbOptions{leaseTime: fbShortLease, failback: failback})
			inj := f.injectorHost("inj")
			fb := f.l.AddHost(f.tp, "fb")
			fbCap := f.l.Capture(fb.NS, fb.If, lab.DHCPFilter)
			fc := f.l.StartClient(lab.Dhclient, fb.NS, fb.If)
			lease := fc.WaitLease(leaseTimeout)
			bound := time.Now()
			checkFallbackLease(t, lease, f.seg, fbShortLease)
			inj.driveDown()

			kea := f.startKea()
			inj.broadcast(inj.msg(dhcpv4.MessageTypeDiscover, lab.XID(0x4a000001), fakeMAC(0x4a)), zeroAddr)
			f.waitLog("upstream health coming back up", healthTimeout, logHealthChanged, logHealthUp)
			first, last := f.keaPool()
			nh := f.l.AddHost(f.tp, "new")
			checkLease(t, f.l.StartClient(lab.Udhcpc, nh.NS, nh.If).WaitLease(leaseTimeout), f.seg, first, last, kea.Addr, defaultLease)

			wait := renewTimeout - time.Since(bound)
			isNak := func(p lab.Packet) bool {
				return isType(dhcpv4.MessageTypeNak, dhcpv4.OpcodeBootReply)(p) && p.DHCP.ClientHWAddr.String() == fb.MAC.String()
			}
			switch failback {
			case "nak":
				moved := waitBound(t, fc, "lease from the upstream server", wait, func(l lab.Lease) bool { return l.ServerID == kea.Addr })
				checkLease(t, moved, f.seg, first, last, kea.Addr, defaultLease)
				fbCap.WaitFor("the fallback's NAK of the renewal", captureTimeout, isNak)
				f.waitLog("the failback NAK", captureTimeout, `msg="fallback reply"`, "outcome=nak_failback")
			case "keep":
				renewed := waitBound(t, fc, "renewal", wait, func(l lab.Lease) bool { return l.Event == "RENEW" })
				checkFallbackLease(t, renewed, f.seg, fbShortLease)
				if renewed.Addr != lease.Addr {
					t.Errorf("renewed %s, want the fallback lease %s", renewed.Addr, lease.Addr)
				}
				for _, p := range fbCap.Packets() {
					if isNak(p) {
						t.Errorf("failback keep: the client got a NAK: %s", p)
					}
				}
			}
		})
	}
}

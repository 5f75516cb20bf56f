package integration

import (
	"strings"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Fallback scenario 2: while the upstream server is alive and answering,
// the fallback never answers: on the client's wire every DISCOVER gets
// exactly one OFFER, from the upstream server, and iphelper logs no fallback
// reply.
func TestFallbackSilentWhileUpstreamAnswers(t *testing.T) {
	for _, client := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc} {
		t.Run(string(client), func(t *testing.T) {
			f := newFallback(t, false, "kea-dhcp4", client.Program())
			kea := f.startKea()
			down := f.l.Capture(f.tp.Client, f.seg.ClientIf, lab.DHCPFilter)
			f.startRelay(fbOptions{})
			f.waitLog("fallback server", captureTimeout, `msg="fallback server ready"`, "iface="+f.seg.RelayIf)
			mac := f.l.MAC(f.tp.Client, f.seg.ClientIf).String()

			lease := f.l.StartClient(client, f.tp.Client, f.seg.ClientIf).WaitLease(leaseTimeout)
			first, last := f.keaPool()
			checkLease(t, lease, f.seg, first, last, kea.Addr, defaultLease)

			// Give a fallback OFFER, due offer-delay after the DISCOVER, time
			// to show up.
			pkts := down.After(2*offerDelay, func(p lab.Packet) bool {
				return p.DHCP != nil && p.DHCP.ClientHWAddr.String() == mac
			})
			discovers, offers := map[dhcpv4.TransactionID]int{}, map[dhcpv4.TransactionID]int{}
			for _, p := range pkts {
				switch {
				case isType(dhcpv4.MessageTypeDiscover, dhcpv4.OpcodeBootRequest)(p):
					discovers[p.DHCP.TransactionID]++
				case p.DHCP.OpCode == dhcpv4.OpcodeBootReply:
					if p.MessageType() == dhcpv4.MessageTypeOffer {
						offers[p.DHCP.TransactionID]++
					}
					if sid := addrOf(p.DHCP.ServerIdentifier()); sid != kea.Addr {
						t.Errorf("a reply with server identifier %s, want only the upstream's %s: %s", sid, kea.Addr, p)
					}
				}
			}
			if diff := cmpDiff(discovers, offers); diff != "" || len(discovers) == 0 {
				t.Errorf("OFFERs per DISCOVER transaction, want one each (-DISCOVERs +OFFERs):\n%s\ncaptured:\n%s", diff, down.Summary())
			}
			if log := f.relay.Proc.Log(); strings.Contains(log, `msg="fallback reply"`) {
				t.Errorf("the fallback answered while the upstream did:\n%s", log)
			}
		})
	}
}

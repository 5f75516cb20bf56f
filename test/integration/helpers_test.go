package integration

import (
	"fmt"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Scenario 4: with two helper addresses every DISCOVER reaches both servers
// (captures on both), and the client ends bound to one of them.
func TestTwoHelpersBothReceiveDiscover(t *testing.T) {
	for _, servers := range [][2]lab.ServerKind{{lab.Kea, lab.Kea}, {lab.Kea, lab.Dhcpd}} {
		t.Run(fmt.Sprintf("%s+%s", servers[0], servers[1]), func(t *testing.T) {
			s := newScenario(t, serverTool(servers[0]), serverTool(servers[1]), "dhclient")
			tp := s.l.TwoServers()
			var caps []*lab.Capture
			for i, site := range tp.Servers {
				s.l.StartServer(servers[i], site.NS, site.Addr, tp.ServerConfig(i))
				caps = append(caps, s.l.Capture(site.NS, site.If, lab.DHCPFilter))
			}
			s.startRelay(tp)

			lease := s.l.StartClient(lab.Dhclient, tp.Client, tp.Segments[0].ClientIf).WaitLease(leaseTimeout)
			if lease.ServerID != tp.Servers[0].Addr && lease.ServerID != tp.Servers[1].Addr {
				t.Errorf("bound by server %s, want one of the helpers %v", lease.ServerID, tp.Helpers())
			}
			isDiscover := isType(dhcpv4.MessageTypeDiscover, dhcpv4.OpcodeBootRequest)
			first := caps[0].WaitFor("relayed DISCOVER", captureTimeout, isDiscover)
			caps[1].WaitFor("the same DISCOVER at the second helper", captureTimeout, func(p lab.Packet) bool {
				return isDiscover(p) && p.DHCP.TransactionID == first.DHCP.TransactionID
			})
			for i, c := range caps {
				for _, p := range c.DHCP() {
					if p.DHCP.OpCode == dhcpv4.OpcodeBootRequest && p.Dst.Addr() != tp.Servers[i].Addr {
						t.Errorf("helper %s captured a request for %s: %s", tp.Servers[i].Addr, p.Dst.Addr(), p)
					}
				}
			}
		})
	}
}

package integration

import (
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Scenario 3: two VLANs on one trunk (802.1Q sub-interfaces, or veth pairs of
// the same names where the kernel has no 802.1Q) get addresses from their own
// subnets, and the relay stamps each VLAN's gateway as giaddr.
func TestVLANSegmentsGetTheirOwnSubnets(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "dhclient")
	tp := s.l.VLANTrunk()
	cfg := tp.ServerConfig(0)
	s.l.StartKea(tp.Servers[0].NS, tp.Servers[0].Addr, cfg)
	up := s.l.Capture(tp.Servers[0].NS, tp.Servers[0].If, lab.DHCPFilter)
	relay := s.startRelay(tp)

	var clients []*lab.Client
	for _, seg := range tp.Segments {
		clients = append(clients, s.l.StartClient(lab.Dhclient, tp.Client, seg.ClientIf))
	}
	// Not subtests: the lab belongs to this test.
	for i, seg := range tp.Segments {
		lease := clients[i].WaitLease(leaseTimeout)
		sub := cfg.Subnets[i]
		checkLease(t, lease, seg, sub.PoolFirst, sub.PoolLast, tp.Servers[0].Addr, defaultLease)
		p := up.WaitFor("DISCOVER relayed from "+seg.RelayIf, captureTimeout, func(p lab.Packet) bool {
			return isType(dhcpv4.MessageTypeDiscover, dhcpv4.OpcodeBootRequest)(p) &&
				p.DHCP.GatewayIPAddr.String() == seg.Gateway.String()
		})
		checkRelayed(t, p, seg, relay.DefaultOption82(seg.RelayIf))
	}
}

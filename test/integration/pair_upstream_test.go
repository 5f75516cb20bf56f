package integration

import (
	"net/netip"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// The pair topology's upstream side: both nodes relay to the one server,
// which answers each through the node that relayed (its giaddr), and a
// client gets its lease from the server through either.
func TestPairRelaysToUpstream(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "dhclient")
	s.needIphelper("pair node")
	p := s.l.Pair(lab.PairOptions{})
	first, last := netip.MustParseAddr("203.0.113.200"), netip.MustParseAddr("203.0.113.220")
	p.StartUpstream(p.ServerConfig(first, last))
	for _, n := range p.Nodes() {
		p.StartNode(n, build.bin)
	}
	h := p.AddHost("cl")
	lease := s.l.StartClient(lab.Dhclient, h.NS, h.If).WaitLease(leaseTimeout)
	checkLease(t, lease, lab.Segment{Prefix: lab.PairClientNet, Gateway: p.A.Down}, first, last, lab.PairServer, defaultLease)
}

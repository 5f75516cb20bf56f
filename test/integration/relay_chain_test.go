package integration

import (
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// The chain: a leaf client behind ISC dhcrelay (the relay of a distant
// site) that relays to iphelper's address; iphelper relays on to Kea, and
// Kea answers dhcrelay at its giaddr, routed through iphelper's namespace.
//
//	ns leaf (eth0) -- (down1 203.0.113.129/25) ns cl: dhcrelay (eth0 203.0.113.2/25)
//	  -- (down0 203.0.113.1/25) ns relay: iphelper (up0) -- ns srv: Kea
var (
	chainLeafNet  = netip.MustParsePrefix("203.0.113.128/25")
	chainLeafGW   = netip.MustParseAddr("203.0.113.129")
	chainLowerUp  = netip.MustParseAddr("203.0.113.2")
	chainLeafPool = [2]netip.Addr{netip.MustParseAddr("203.0.113.160"), netip.MustParseAddr("203.0.113.175")}
)

// chainLab is the chain's lab: iphelper runs with extra, the leaf client's
// namespace and the server-side capture.
type chainLab struct {
	s     *scenario
	tp    *lab.Topology
	relay *lab.Relay
	leaf  string
	up    *lab.Capture
}

// newChainLab builds the chain and starts Kea, dhcrelay and iphelper (with
// the extra flags).
func newChainLab(t *testing.T, extra ...string) *chainLab {
	s := newScenario(t, "kea-dhcp4", "udhcpc", "dhcrelay")
	s.needIphelper("the trusted check of relayed requests")
	tp := s.l.Standard()
	lower := tp.Client // the standard client namespace becomes the lower relay
	s.l.Addr(lower, lab.ClientIf, netip.PrefixFrom(chainLowerUp, lab.ClientNet.Bits()).String())
	s.l.Route(lower, "default", tp.Segments[0].Gateway.String())
	s.l.Forwarding(lower)
	leaf := s.l.NS("leaf")
	s.l.Veth(leaf, lab.ClientIf, lower, "down1")
	s.l.Addr(lower, "down1", netip.PrefixFrom(chainLeafGW, chainLeafNet.Bits()).String())
	s.l.Route(tp.Relay, chainLeafNet.String(), chainLowerUp.String())

	srv := tp.Servers[0]
	s.l.StartKea(srv.NS, srv.Addr, lab.ServerConfig{Interface: srv.If, Subnets: []lab.Subnet{
		{Prefix: chainLeafNet, PoolFirst: chainLeafPool[0], PoolLast: chainLeafPool[1], Router: chainLeafGW},
		{Prefix: lab.ServerNet},
	}})
	up := s.l.Capture(srv.NS, srv.If, lab.DHCPFilter)
	relay := s.startRelay(tp, extra...)
	s.l.StartDhcrelay(lower, []string{lab.ClientIf}, []string{"down1"}, tp.Segments[0].Gateway)
	return &chainLab{s: s, tp: tp, relay: relay, leaf: leaf, up: up}
}

// A relay below a trusted interface: the leaf client gets its lease from
// Kea through dhcrelay and iphelper, and iphelper forwards dhcrelay's
// requests untouched (its giaddr and option 82, one hop more).
func TestRelayBelowTrustedInterface(t *testing.T) {
	c := newChainLab(t, "--trusted-interface", lab.RelayDown)
	lease := c.s.l.StartClient(lab.Udhcpc, c.leaf, lab.ClientIf).WaitLease(leaseTimeout)
	if !chainLeafNet.Contains(lease.Addr) || lease.Router != chainLeafGW {
		t.Errorf("leased %s with router %s, want an address of %s with router %s", lease.Addr, lease.Router, chainLeafNet, chainLeafGW)
	}
	p := c.up.WaitFor("the DISCOVER relayed twice", captureTimeout, isType(dhcpv4.MessageTypeDiscover, dhcpv4.OpcodeBootRequest))
	if got := netip.AddrFrom4([4]byte(p.DHCP.GatewayIPAddr.To4())); got != chainLeafGW || p.DHCP.HopCount != 2 {
		t.Errorf("at the server: giaddr %s hops %d, want dhcrelay's giaddr %s and hops 2: %s", got, p.DHCP.HopCount, chainLeafGW, p)
	}
	subs, err := p.Option82()
	if err != nil || len(subs) == 0 || string(subs[0].Data) != "down1" {
		t.Errorf("at the server: option 82 %v (%v), want dhcrelay's, circuit-id down1: %s", subs, err, p)
	}
}

// A relay below an untrusted interface (the default, an access port): its
// requests are dropped as untrusted_giaddr and never reach Kea.
func TestRelayBelowUntrustedInterfaceIsDropped(t *testing.T) {
	c := newChainLab(t)
	c.s.l.StartClient(lab.Udhcpc, c.leaf, lab.ClientIf)
	if !c.relay.WaitLog("reason=untrusted_giaddr", captureTimeout) {
		t.Errorf("no reason=untrusted_giaddr in iphelper's log within %s", captureTimeout)
	}
	for _, p := range c.up.After(time.Second, isType(dhcpv4.MessageTypeDiscover, dhcpv4.OpcodeBootRequest)) {
		t.Errorf("a DISCOVER from below an untrusted interface reached the server: %s", p)
	}
}

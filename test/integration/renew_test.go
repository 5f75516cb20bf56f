package integration

import (
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// renewLease is short so that dhclient renews (T1 = 10 s) within the test.
const renewLease = 20 * time.Second

// Scenario 7: with --server-id-override the client's unicast renewal goes to
// the relay, which relays it (ciaddr set), and the client renews.
//
// Neither Kea 2.2 nor ISC dhcpd 4.4 puts the RFC 5107 override address into
// option 54 (checked by hand in the lab: both answer with their own address),
// so the servers are configured with the relay's address as this subnet's
// server identifier: what an RFC 5107 server would send. With iphelper the
// relayed requests must carry the override sub-option too.
func TestRenewalThroughServerIDOverride(t *testing.T) {
	for _, server := range []lab.ServerKind{lab.Kea, lab.Dhcpd} {
		t.Run(string(server), func(t *testing.T) {
			s := newScenario(t, serverTool(server), "dhclient")
			tp := s.l.Standard()
			seg := tp.Segments[0]
			cfg := tp.ServerConfig(0)
			cfg.LeaseTime = renewLease
			cfg.Subnets[0].ServerID = seg.Gateway
			s.l.StartServer(server, tp.Servers[0].NS, tp.Servers[0].Addr, cfg)
			up := s.l.Capture(tp.Servers[0].NS, tp.Servers[0].If, lab.DHCPFilter)
			down := s.l.Capture(tp.Client, seg.ClientIf, lab.DHCPFilter)
			var args []string
			if s.relay == lab.Iphelper {
				args = []string{"--server-id-override"}
			}
			s.startRelay(tp, args...)

			c := s.l.StartClient(lab.Dhclient, tp.Client, seg.ClientIf)
			lease := c.WaitLease(leaseTimeout)
			if lease.ServerID != seg.Gateway {
				t.Fatalf("client bound with server identifier %s, want the relay's %s", lease.ServerID, seg.Gateway)
			}
			renewal := func(p lab.Packet) bool {
				return isType(dhcpv4.MessageTypeRequest, dhcpv4.OpcodeBootRequest)(p) &&
					p.DHCP.ClientIPAddr.String() == lease.Addr.String()
			}
			down.WaitFor("unicast renewal to the relay", renewLease, func(p lab.Packet) bool {
				return renewal(p) && p.Src == netip.AddrPortFrom(lease.Addr, 68) && p.Dst == netip.AddrPortFrom(seg.Gateway, 67)
			})
			relayed := up.WaitFor("relayed renewal", captureTimeout, renewal)
			if relayed.DHCP.GatewayIPAddr.String() != seg.Gateway.String() {
				t.Errorf("relayed renewal has giaddr %s, want %s: %s", relayed.DHCP.GatewayIPAddr, seg.Gateway, relayed)
			}
			renewed := c.WaitEvent(captureTimeout, "RENEW")
			if renewed.Addr != lease.Addr {
				t.Errorf("renewed %s, want the bound %s", renewed.Addr, lease.Addr)
			}
			if s.relay == lab.Iphelper {
				checkOverride(t, up, down, seg.Gateway)
			}
		})
	}
}

// checkOverride fails the test unless every relayed request carries the
// server-identifier-override sub-option naming the relay's address, and
// the RFC 5010 flags sub-option that tells the server how the client sent
// it: the unicast flag on the requests the client unicast to the relay
// (seen on the client side, down), not on the broadcast ones.
func checkOverride(t *testing.T, up, down *lab.Capture, gateway netip.Addr) {
	t.Helper()
	// dhclient keeps one xid for the whole lease: ciaddr tells its
	// renewal from its DISCOVER and REQUEST.
	type request struct {
		xid    dhcpv4.TransactionID
		ciaddr string
	}
	unicast := make(map[request]bool)
	for _, p := range down.DHCP() {
		if p.DHCP.OpCode == dhcpv4.OpcodeBootRequest && p.Dst.Addr() == gateway {
			unicast[request{p.DHCP.TransactionID, p.DHCP.ClientIPAddr.String()}] = true
		}
	}
	want := gateway.AsSlice()
	sawUnicast := false
	for _, p := range up.DHCP() {
		if p.DHCP.OpCode != dhcpv4.OpcodeBootRequest {
			continue
		}
		subs, err := p.Option82()
		if err != nil {
			t.Errorf("relayed %s: %v", p, err)
			continue
		}
		if got, ok := lab.FindSubOption(subs, lab.SubOptServerIDOverride); !ok || string(got) != string(want) {
			t.Errorf("relayed %s: want server-identifier-override %s", p, gateway)
		}
		flags, ok := lab.FindSubOption(subs, lab.SubOptRelayFlags)
		wantUnicast := unicast[request{p.DHCP.TransactionID, p.DHCP.ClientIPAddr.String()}]
		sawUnicast = sawUnicast || wantUnicast
		if !ok || len(flags) != 1 || (flags[0]&0x80 != 0) != wantUnicast {
			t.Errorf("relayed %s: flags sub-option %x (present %v), want the unicast flag %v", p, flags, ok, wantUnicast)
		}
	}
	if !sawUnicast {
		t.Errorf("no relayed request that the client had unicast to %s: the unicast flag was not checked", gateway)
	}
}

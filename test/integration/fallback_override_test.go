package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// overrideLease is dnsmasq's shortest lease, so that the clients renew (T1,
// half of it) within the scenario.
const overrideLease = 2 * time.Minute

// With --server-id-override the upstream server names the relay's address
// as its server identifier (dnsmasq honours the RFC 5107 sub-option), which
// is also the fallback's. With a fallback pool on the same interface, real
// clients still get their upstream leases and renew them: the fallback
// claims a request only for an address it offered or leased to that
// client, so the answer to the upstream's OFFER is relayed and never NAKed
// here.
func TestServerIDOverrideWithFallbackPool(t *testing.T) {
	for _, client := range []lab.ClientKind{lab.Dhclient, lab.Udhcpc} {
		t.Run(string(client), func(t *testing.T) {
			f := newFallback(t, false, "dnsmasq", client.Program())
			srv := f.tp.Servers[0]
			cfg := f.tp.ServerConfig(0)
			cfg.LeaseTime = overrideLease
			f.l.StartDnsmasq(srv.NS, srv.Addr, cfg)
			up := f.l.Capture(srv.NS, srv.If, lab.DHCPFilter)
			down := f.l.Capture(f.tp.Client, f.seg.ClientIf, lab.DHCPFilter)
			f.startRelay(fbOptions{args: []string{"--server-id-override"}})
			f.waitLog("fallback server", captureTimeout, `msg="fallback server ready"`, "iface="+f.seg.RelayIf)
			gw := f.seg.Gateway

			var c *lab.Client
			if client == lab.Udhcpc {
				c = f.l.StartUdhcpcRenewing(f.tp.Client, f.seg.ClientIf) // the lab's default udhcpc exits once bound
			} else {
				c = f.l.StartClient(client, f.tp.Client, f.seg.ClientIf)
			}
			lease := c.WaitLease(leaseTimeout)
			pool := cfg.Subnets[0]
			checkLease(t, lease, f.seg, pool.PoolFirst, pool.PoolLast, gw, overrideLease)
			// The override is dnsmasq's doing, not a configured server-id.
			up.WaitFor("dnsmasq's OFFER naming the relay as server identifier", captureTimeout, func(p lab.Packet) bool {
				return isType(dhcpv4.MessageTypeOffer, dhcpv4.OpcodeBootReply)(p) && addrOf(p.DHCP.ServerIdentifier()) == gw
			})

			renewed := c.WaitEvent(overrideLease/2+captureTimeout, "RENEW")
			if renewed.Addr != lease.Addr {
				t.Errorf("renewed %s, want the bound %s", renewed.Addr, lease.Addr)
			}
			up.WaitFor("dnsmasq's ACK of the relayed renewal", captureTimeout, func(p lab.Packet) bool {
				return isType(dhcpv4.MessageTypeAck, dhcpv4.OpcodeBootReply)(p) && addrOf(p.DHCP.ClientIPAddr) == lease.Addr
			})
			down.WaitFor("the client's unicast renewal to the relay", captureTimeout, func(p lab.Packet) bool {
				return isType(dhcpv4.MessageTypeRequest, dhcpv4.OpcodeBootRequest)(p) && p.Dst.Addr() == gw &&
					addrOf(p.DHCP.ClientIPAddr) == lease.Addr
			})
			checkOverride(t, up, down, gw) // the unicast renewal carries the RFC 5010 unicast flag
			for _, p := range down.DHCP() {
				if p.MessageType() == dhcpv4.MessageTypeNak {
					t.Errorf("the client got a NAK: %s\ncaptured:\n%s", p, down.Summary())
				}
			}
			if log := f.relay.Proc.Log(); strings.Contains(log, `msg="fallback reply"`) {
				t.Errorf("the fallback answered while the upstream did:\n%s", log)
			}
		})
	}
}

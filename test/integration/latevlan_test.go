package integration

import (
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// lateVLANDelay is how long after the relay's start its VLAN interface appears.
const lateVLANDelay = 2 * time.Second

// Scenario 8: iphelper started before its VLAN interface exists starts
// listening on it when it appears (DESIGN: within a second), and relays for it.
func TestInterfaceCreatedAfterStart(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "dhclient")
	s.needIphelper("interface watching (dhcrelay exits when an interface is missing)")
	tp := s.l.Standard()
	cfg := tp.ServerConfig(0)
	cfg.Subnets = append(cfg.Subnets, lab.Subnet{Prefix: lab.LateVLANNet, Router: lab.LateVLANNet.Addr().Next()})
	first, last := lab.PoolShare(lab.LateVLANNet, 0, 1)
	cfg.Subnets[len(cfg.Subnets)-1].PoolFirst, cfg.Subnets[len(cfg.Subnets)-1].PoolLast = first, last
	s.l.StartKea(tp.Servers[0].NS, tp.Servers[0].Addr, cfg)

	relay := s.l.StartRelay(s.relay, tp.Relay, lab.RelaySpec{
		Downstream:  []string{lab.RelayDown + ".30"},
		Helpers:     tp.Helpers(),
		IphelperBin: build.bin,
		NoWait:      true,
	})
	time.Sleep(lateVLANDelay) // the interface appears while the daemon runs
	seg := s.l.AddVLAN(tp, 30, lab.LateVLANNet)
	relay.WaitListening(1, 5*time.Second)

	lease := s.l.StartClient(lab.Dhclient, tp.Client, seg.ClientIf).WaitLease(leaseTimeout)
	checkLease(t, lease, seg, first, last, tp.Servers[0].Addr, defaultLease)
	if relay.Proc.Exited() {
		t.Errorf("the relay exited:\n%s", relay.Proc.Log())
	}
}

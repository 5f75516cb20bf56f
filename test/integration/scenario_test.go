package integration

import (
	"net/netip"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// Bounds of the waits the scenarios use.
const (
	leaseTimeout   = 30 * time.Second
	captureTimeout = 10 * time.Second
	// defaultLease is the lease time lab servers give when not told otherwise.
	defaultLease = time.Hour
)

// scenario is what every end-to-end test starts from: root checked, the relay
// under test chosen, a fresh lab.
type scenario struct {
	t     *testing.T
	l     *lab.Lab
	relay lab.RelayKind
}

// newScenario checks the machine can run the lab with the peers named in tools
// (tcpdump is always needed) and returns a fresh lab. The test runs in
// parallel with the other scenarios: every lab is isolated.
func newScenario(t *testing.T, tools ...string) *scenario {
	t.Helper()
	lab.Require(t)
	t.Parallel()
	if build.relayErr != nil {
		t.Fatalf("%v", build.relayErr)
	}
	need := append([]string{"tcpdump", "sysctl", "ss"}, tools...)
	if build.relay == lab.Dhcrelay {
		need = append(need, "dhcrelay")
	} else if build.binErr != nil {
		t.Fatalf("cannot run the scenario against iphelper: %v", build.binErr)
	}
	lab.RequireTools(t, need...)
	return &scenario{t: t, l: lab.New(t), relay: build.relay}
}

// needIphelper skips a scenario that tests an iphelper feature dhcrelay does not
// have, when the run was asked to use dhcrelay.
func (s *scenario) needIphelper(feature string) {
	s.t.Helper()
	if s.relay != lab.Iphelper {
		s.t.Skipf("%s=%s: dhcrelay has no %s; this scenario runs against iphelper only", lab.RelayEnv, s.relay, feature)
	}
}

// startRelay starts the relay under test on the topology's client segments,
// relaying to all its servers. iphelperArgs are added to `iphelper run` (a row
// that passes them must have called needIphelper).
func (s *scenario) startRelay(tp *lab.Topology, iphelperArgs ...string) *lab.Relay {
	s.t.Helper()
	return s.l.StartRelay(s.relay, tp.Relay, lab.RelaySpec{
		Downstream:   tp.Downstream(),
		Upstream:     []string{tp.Upstream},
		Helpers:      tp.Helpers(),
		IphelperBin:  build.bin,
		IphelperArgs: iphelperArgs,
	})
}

// serverTool is the program a server kind runs.
func serverTool(k lab.ServerKind) string {
	if k == lab.Kea {
		return "kea-dhcp4"
	}
	return "dhcpd"
}

// checkLease fails the test unless lease is a binding on seg from a server at
// serverID, with an address from the pool range [first, last].
func checkLease(t *testing.T, lease lab.Lease, seg lab.Segment, first, last, serverID netip.Addr, leaseTime time.Duration) {
	t.Helper()
	if lease.Addr.Less(first) || last.Less(lease.Addr) {
		t.Errorf("leased %s, want an address in %s-%s", lease.Addr, first, last)
	}
	want := lab.Lease{
		Event: lease.Event, Addr: lease.Addr, Mask: maskOf(seg.Prefix),
		Router: seg.Gateway, ServerID: serverID, LeaseTime: leaseTime,
	}
	if diff := cmpDiff(want, lease); diff != "" {
		t.Errorf("lease (-want +got):\n%s", diff)
	}
}

// maskOf is the dotted netmask of a prefix.
func maskOf(p netip.Prefix) netip.Addr {
	var m [4]byte
	for i := 0; i < p.Bits(); i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom4(m)
}

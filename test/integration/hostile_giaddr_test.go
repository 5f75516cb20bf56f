package integration

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// forgedRelay is the giaddr an attacker on the access port writes into its
// requests: an address on the client segment that is none of the relay's,
// as if a relay sat below the port.
var forgedRelay = netip.MustParseAddr("203.0.113.9")

// A client on an access port (untrusted, the default) writes a giaddr into
// its requests, as if it were a relay below the port: a DISCOVER with a
// spoofed chaddr and an option 82 of its own (the circuit-id a reservation
// may be keyed on, a link-selection for another subnet), and a RELEASE of
// a real client's lease (its chaddr, client-id and address). Neither may
// reach Kea: the server-side capture holds neither xid, Kea logs neither,
// Kea releases nothing, the relay counts both as untrusted_giaddr, and the
// real client's binding stays in `show bindings`.
func TestForgedGIAddrFromAccessPort(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "udhcpc")
	s.needIphelper("the untrusted_giaddr check")
	tp := s.l.Switched()
	srv := tp.Servers[0]
	kea := s.l.StartKea(srv.NS, srv.Addr, tp.ServerConfig(0))
	up := s.l.Capture(srv.NS, srv.If, lab.DHCPFilter)
	relay := s.startRelay(tp)
	ctl := newOpsCtl(t, s.l, relay, tp.Relay)
	seg := tp.Segments[0]

	victim := s.l.AddHost(tp, "victim")
	lease := s.l.StartClient(lab.Udhcpc, victim.NS, victim.If).WaitLease(leaseTimeout)
	if !lab.WaitFor(func() bool { return hasBinding(ctl, lease.Addr) }, captureTimeout) {
		t.Fatalf("the relay never learned the binding of %s", lease.Addr)
	}
	clientID := victimClientID(t, up, victim.MAC)

	attacker := s.l.AddHost(tp, "attacker")
	raw := s.l.RawSocket(attacker.NS, attacker.If)
	relayMAC := s.l.MAC(tp.Relay, seg.RelayIf)

	discoverXID, releaseXID := lab.XID(0x4a9d0001), lab.XID(0x4a9d0002)
	disc := s.l.Message(dhcpv4.MessageTypeDiscover, discoverXID, victim.MAC,
		dhcpv4.WithGatewayIP(forgedRelay.AsSlice()),
		dhcpv4.WithOption(lab.Option82(
			lab.SubOption{Code: lab.SubOptCircuitID, Data: []byte(seg.RelayIf)},
			lab.SubOption{Code: 5, Data: []byte{198, 51, 100, 0}}))) // link-selection (RFC 3527)
	raw.SendFrame(lab.BroadcastFromClient(attacker.MAC, disc.ToBytes()))

	release := s.l.Message(dhcpv4.MessageTypeRelease, releaseXID, victim.MAC,
		dhcpv4.WithGatewayIP(forgedRelay.AsSlice()),
		dhcpv4.WithClientIP(lease.Addr.AsSlice()),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(srv.Addr.AsSlice())),
		dhcpv4.WithOption(dhcpv4.OptClientIdentifier(clientID)))
	raw.SendFrame(lab.Frame{
		DstMAC: relayMAC, SrcMAC: attacker.MAC,
		Src: netip.AddrPortFrom(forgedRelay, 67), Dst: netip.AddrPortFrom(seg.Gateway, 67),
		Payload: release.ToBytes(),
	})

	if !lab.WaitFor(func() bool { return untrustedGIAddrDrops(ctl, seg.RelayIf) >= 2 }, captureTimeout) {
		t.Errorf("%s: %d requests counted as untrusted_giaddr, want 2", seg.RelayIf, untrustedGIAddrDrops(ctl, seg.RelayIf))
	}
	for _, xid := range []dhcpv4.TransactionID{discoverXID, releaseXID} {
		leaked := up.After(absentWindow, func(p lab.Packet) bool {
			return len(p.Payload) >= 8 && bytes.Equal(p.Payload[4:8], xid[:])
		})
		for _, p := range leaked {
			t.Errorf("xid %s reached the server side: %s", xid, p)
		}
		if tid := fmt.Sprintf("tid=0x%x", xid[:]); strings.Contains(kea.Proc.Log(), tid) {
			t.Errorf("kea logged a packet with %s", tid)
		}
	}
	for _, line := range strings.Split(kea.Proc.Log(), "\n") {
		if strings.Contains(line, "DHCP4_RELEASE") {
			t.Errorf("kea logged a release: %s", line)
		}
	}
	if !hasBinding(ctl, lease.Addr) {
		t.Errorf("show bindings: the binding of %s is gone after the forged RELEASE", lease.Addr)
	}
}

// hasBinding reports whether `show bindings ADDR` lists addr.
func hasBinding(ctl *opsCtl, addr netip.Addr) bool {
	for _, b := range opsShow[[]control.Binding](ctl, control.ShowBindings, addr.String()) {
		if b.Addr == addr {
			return true
		}
	}
	return false
}

// untrustedGIAddrDrops is the untrusted_giaddr counter of interface name.
func untrustedGIAddrDrops(ctl *opsCtl, name string) uint64 {
	for _, i := range ctl.statistics().Interfaces {
		if i.Name == name {
			return i.Counters.Drops["untrusted_giaddr"]
		}
	}
	return 0
}

// victimClientID is the client identifier (option 61) of the victim's
// relayed REQUEST in the server-side capture, so that the forged RELEASE
// names the lease exactly as its owner would; udhcpc sends 01 and its MAC.
func victimClientID(t *testing.T, up *lab.Capture, mac net.HardwareAddr) []byte {
	t.Helper()
	req := up.WaitFor("the victim's relayed REQUEST", captureTimeout, func(p lab.Packet) bool {
		return isType(dhcpv4.MessageTypeRequest, dhcpv4.OpcodeBootRequest)(p) && bytes.Equal(p.DHCP.ClientHWAddr, mac)
	})
	if id := req.DHCP.Options.Get(dhcpv4.OptionClientIdentifier); len(id) > 0 {
		return id
	}
	return append([]byte{1}, mac...)
}

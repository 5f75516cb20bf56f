package integration

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// The forwarded-UDP scenarios (ip helper-address beyond DHCP): a relay
// with two client VLANs, down0.10 (203.0.113.0/26, the client at .10) and
// down0.20 (203.0.113.64/26, the client at .70), and one server,
// 198.51.100.2. down0.10 forwards DNS, TFTP and NetBIOS to the server, and
// Wake-on-LAN (port 9) to down0.20's directed broadcast, which allows it.

// udpFwdConfig is the relay's configuration; %s are left out: the names
// and addresses are the lab's fixed ones.
const udpFwdConfig = `interfaces:
- name: down0.10
  helper-addresses: [198.51.100.2]
  forward-protocol: ['udp:domain', 'udp:tftp', 'udp:netbios-ns', 'udp:7']
  port-helpers:
    '9': [203.0.113.127]
    '7': [203.0.113.20]
  rate-limit: {interface: 200/s, interface-burst: 100, client: off}
- name: down0.20
  helper-addresses: [198.51.100.2]
  directed-broadcast: true
`

// Addresses of the forwarded-UDP lab.
var (
	fwdClient    = netip.MustParseAddr("203.0.113.10") // on eth0.10
	fwdClient20  = netip.MustParseAddr("203.0.113.70") // on eth0.20
	fwdBcast10   = netip.MustParseAddr("203.0.113.63") // VLAN 10's directed broadcast
	fwdBcast20   = netip.MustParseAddr("203.0.113.127")
	fwdLimited   = netip.MustParseAddr("255.255.255.255")
	fwdExchangeT = 3 * time.Second
)

// udpFwdLab is the lab of the forwarded-UDP scenarios.
type udpFwdLab struct {
	s     *scenario
	tp    *lab.Topology
	relay *lab.Relay
	ctl   *opsCtl
}

// newUDPFwdLab builds the lab and starts iphelper; tools are the programs
// the scenario needs besides the relay's.
func newUDPFwdLab(t *testing.T, tools ...string) *udpFwdLab {
	s := newScenario(t, tools...)
	s.needIphelper("UDP broadcast forwarding")
	tp := s.l.VLANTrunk()
	s.l.Addr(tp.Client, tp.Segments[0].ClientIf, netip.PrefixFrom(fwdClient, 26).String())
	s.l.Addr(tp.Client, tp.Segments[1].ClientIf, netip.PrefixFrom(fwdClient20, 26).String())
	s.l.Route(tp.Client, "default", tp.Segments[0].Gateway.String())
	path := filepath.Join(s.l.Dir(), "udpfwd.yaml")
	if err := os.WriteFile(path, []byte(udpFwdConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	r := s.l.StartIphelper(tp.Relay, build.bin, "run", "--log-level", "debug", "--config", path)
	r.WaitListening(2, 10*time.Second)
	return &udpFwdLab{s: s, tp: tp, relay: r, ctl: newOpsCtl(t, s.l, r, tp.Relay)}
}

// exchange sends payload from src to dst (a broadcast) out of ifname in
// ns, and waits for one answer on the same socket: the server's reply,
// which comes back by unicast, routed through the relay.
func (u *udpFwdLab) exchange(ns, ifname string, src, dst netip.AddrPort, payload []byte) ([]byte, netip.AddrPort) {
	t := u.s.t
	t.Helper()
	var (
		reply []byte
		from  netip.AddrPort
	)
	err := lab.InNS(ns, func() error {
		c, err := listenBroadcast(ifname, src)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.SetDeadline(time.Now().Add(fwdExchangeT)); err != nil {
			return err
		}
		if _, err := c.WriteToUDPAddrPort(payload, dst); err != nil {
			return err
		}
		b := make([]byte, 2048)
		n, f, err := c.ReadFromUDPAddrPort(b)
		if err != nil {
			return err
		}
		reply, from = b[:n], f
		return nil
	})
	if err != nil {
		t.Fatalf("broadcast %s → %s on %s in %s got no answer: %v\nrelay log:\n%s", src, dst, ifname, ns, err, u.relay.Proc.Log())
	}
	return reply, from
}

// listenBroadcast opens a UDP socket on src that may send broadcasts and
// sends them out of ifname.
func listenBroadcast(ifname string, src netip.AddrPort) (*net.UDPConn, error) {
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(src))
	if err != nil {
		return nil, err
	}
	rc, err := c.SyscallConn()
	if err != nil {
		c.Close()
		return nil, err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
		if serr == nil {
			serr = syscall.BindToDevice(int(fd), ifname)
		}
	})
	if err = errors.Join(err, serr); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// portCounters returns the relay's counters of a forwarded port of ifname.
func (u *udpFwdLab) portCounters(ifname string, port uint16) (received, forwarded, dropped uint64) {
	for _, i := range u.ctl.statistics().Interfaces {
		if i.Name != ifname {
			continue
		}
		for _, p := range i.Counters.UDPPorts {
			if p.Port == port {
				return p.Received, p.Forwarded, p.Dropped
			}
		}
	}
	return 0, 0, 0
}

// drops returns the relay's drop counters of ifname.
func (u *udpFwdLab) drops(ifname string) map[string]uint64 {
	for _, i := range u.ctl.statistics().Interfaces {
		if i.Name == ifname {
			return i.Counters.Drops
		}
	}
	return nil
}

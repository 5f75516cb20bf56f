package integration

import (
	"bytes"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// The durability scenario: a pool large enough for every crafted client,
// each client's first REQUEST a new lease to write.
var (
	durFirst = netip.MustParseAddr("203.0.113.20")
	durLease = 10 * time.Minute
)

const (
	durClients = 100                  // crafted clients, one address each (203.0.113.20-119)
	durKillAt  = 60                   // SIGKILL right after this many REQUESTs were sent
	durPace    = 2 * time.Millisecond // between two REQUESTs: 500 per second…
	durBurst   = 20                   // …but the last ones back to back, so that the kill finds a batch in flight
	// durSlack is how much earlier than an ACK was seen plus its lease time
	// the stored lease may expire: the lease's time is taken when it is
	// staged, before the commit and the send.
	durSlack = 5 * time.Second
)

// Every ACK a client received from the fallback is durable. With no
// upstream server, crafted clients each send a REQUEST for an address of
// the fallback's pool (SELECTING the relay's server identifier), one every
// 2 ms and then a burst of them, and iphelper is killed with SIGKILL right
// after the burst, while it answers it. It is
// restarted on the same lease database, and every ACK seen on the clients'
// segment (the capture is the oracle) must be in `show leases`: that
// address bound to that client, expiring no earlier than the ACK's lease
// time from when it was seen. An ACK sent before its lease was committed is
// what this catches.
func TestFallbackAcksSurviveSIGKILL(t *testing.T) {
	f := newFallback(t, true)
	last := durFirst
	for range durClients - 1 {
		last = last.Next()
	}
	f.args = []string{
		"--fallback-pool", f.seg.RelayIf + "=" + durFirst.String() + "-" + last.String(),
		"--fallback-lease-time", durLease.String(),
		"--offer-delay", offerDelay.String(),
		"--lease-db", f.db,
	}
	f.restartRelay()
	inj := f.injectorHost("inj")

	clients := make(map[netip.Addr]net.HardwareAddr, durClients)
	addr := durFirst
	for i := range durKillAt {
		mac := net.HardwareAddr{0x02, 0x00, 0x5e, 0x01, byte(i >> 8), byte(i)}
		clients[addr] = mac
		inj.broadcast(inj.msg(dhcpv4.MessageTypeRequest, lab.XID(0xd0a00000+uint32(i)), mac,
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(f.seg.Gateway.AsSlice())),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice()))), zeroAddr)
		addr = addr.Next()
		if i < durKillAt-durBurst {
			time.Sleep(durPace)
		}
	}
	f.relay.Proc.Signal(syscall.SIGKILL)
	acks := durSettledAcks(t, inj.cap)
	t.Logf("%d REQUESTs sent, %d ACKs seen before the SIGKILL", durKillAt, len(acks))
	if len(acks) == 0 {
		t.Fatalf("no ACK reached the clients before the SIGKILL: nothing was tested; captured:\n%s", inj.cap.Summary())
	}

	f.restartRelay()
	stored := make(map[netip.Addr]control.Lease)
	for _, l := range opsShow[[]control.Lease](newOpsCtl(t, f.l, f.relay, f.tp.Relay), control.ShowLeases, "") {
		stored[l.Addr] = l
	}
	for _, a := range acks {
		got, ok := stored[a.addr]
		switch {
		case !ok:
			t.Errorf("ACK of %s to %s seen at %s, but after the restart `show leases` has no lease of it", a.addr, a.mac, a.at.Format(time.StampMicro))
		case got.State != "bound" || !bytes.Equal(got.MAC, a.mac):
			t.Errorf("ACK of %s to %s, but after the restart the lease is %s for %s", a.addr, a.mac, got.State, net.HardwareAddr(got.MAC))
		case got.Expiry.Before(a.at.Add(a.lease - durSlack)):
			t.Errorf("ACK of %s for %s seen at %s, but the stored lease expires at %s: an older write", a.addr, a.lease, a.at.Format(time.StampMicro), got.Expiry)
		}
		if want := clients[a.addr]; !bytes.Equal(want, a.mac) {
			t.Errorf("ACK of %s to %s, which asked for another address", a.addr, a.mac)
		}
	}
}

// durAck is one ACK seen on the client segment.
type durAck struct {
	addr  netip.Addr
	mac   net.HardwareAddr
	lease time.Duration
	at    time.Time
}

// durSettledAcks returns the ACKs of the capture once it has settled:
// tcpdump hands packets over in blocks, up to a second late, so the count
// must stay the same for longer than that.
func durSettledAcks(t *testing.T, c *lab.Capture) []durAck {
	t.Helper()
	var acks []durAck
	prev := -1
	for deadline := time.Now().Add(captureTimeout); time.Now().Before(deadline); {
		acks = durAcks(t, c.DHCP())
		if len(acks) == prev && prev > 0 {
			return acks
		}
		prev = len(acks)
		time.Sleep(1500 * time.Millisecond)
	}
	return acks
}

// durAcks returns the ACKs among the captured packets.
func durAcks(t *testing.T, pkts []lab.Packet) []durAck {
	t.Helper()
	var out []durAck
	for _, p := range pkts {
		if p.DHCP.OpCode != dhcpv4.OpcodeBootReply || p.MessageType() != dhcpv4.MessageTypeAck {
			continue
		}
		out = append(out, durAck{
			addr: addrOf(p.DHCP.YourIPAddr), mac: p.DHCP.ClientHWAddr,
			lease: p.DHCP.IPAddressLeaseTime(0), at: p.Time,
		})
	}
	return out
}

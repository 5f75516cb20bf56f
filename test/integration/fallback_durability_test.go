package integration

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// The durability scenario: a pool of 100 addresses, of which 90 are for
// new clients (reserve-for-known keeps 10 %), and a client for each.
var durFirst = netip.MustParseAddr("203.0.113.20")

const (
	durPool    = 100
	durClients = 90
	durLease   = 10 * time.Minute
	durPaced   = 30                   // the first clients' REQUESTs one by one…
	durPace    = 2 * time.Millisecond // …this far apart, so that ACKs are flowing; the others' back to back
	// durSlack is how much earlier than an ACK was seen plus its lease time
	// the stored lease may expire: the lease's time is taken when it is
	// staged, before the commit and the send.
	durSlack = 5 * time.Second
)

// durKillAfter is how long after the burst each round sends the SIGKILL.
// At once, the fallback is still answering the burst: its last REQUESTs
// need a commit, which takes longer than a signal. A few rounds at once,
// so that a descheduled test process does not make every kill come late,
// and a few after short waits, so that some kill finds ACKs of the burst
// already out on a slow machine too.
var durKillAfter = []time.Duration{0, 0, 0, time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 8 * time.Millisecond}

// Every ACK a client received from the fallback is durable. With no
// upstream server, crafted clients each send a REQUEST for an address of
// the fallback's pool (SELECTING the relay's server identifier): the first
// ones paced, then a burst of the others, and iphelper is killed with
// SIGKILL while it answers the burst. It is restarted on the same lease
// database, and every ACK seen on the clients' segment (the capture is the
// oracle) must be in `show leases`: that address bound to that client,
// expiring no earlier than the ACK's lease time from when it was seen. An
// ACK sent before its lease was committed is what this catches. Each round
// kills at another moment, on a lease database of its own.
func TestFallbackAcksSurviveSIGKILL(t *testing.T) {
	f := newFallback(t, true)
	inj := f.injectorHost("inj")
	underLoad := false
	for round, wait := range durKillAfter {
		acked, burst := durRound(t, f, inj, round, wait)
		t.Logf("round %d, SIGKILL %v after the burst: %d of %d clients ACKed, %d of them in the burst", round, wait, acked, durClients, burst)
		underLoad = underLoad || acked < durClients
	}
	if !underLoad {
		t.Errorf("every round's SIGKILL came after the last ACK: none came while the fallback was answering, nothing was tested under load")
	}
}

// durRound runs one round and returns how many clients were ACKed before
// the SIGKILL, and how many of those in the burst.
func durRound(t *testing.T, f *fbLab, inj *injector, round int, wait time.Duration) (acked, burst int) {
	t.Helper()
	last := durFirst
	for range durPool - 1 {
		last = last.Next()
	}
	f.db = filepath.Join(f.l.Dir(), fmt.Sprintf("leases-%d.db", round))
	f.args = []string{
		"--fallback-pool", f.seg.RelayIf + "=" + durFirst.String() + "-" + last.String(),
		"--fallback-lease-time", durLease.String(),
		"--offer-delay", offerDelay.String(),
		"--lease-db", f.db,
	}
	f.restartRelay()
	clients := make(map[netip.Addr]net.HardwareAddr, durClients)
	frames := make([][]byte, durClients)
	xid := func(i int) uint32 { return 0xd0a00000 | uint32(round)<<8 | uint32(i) }
	addr := durFirst
	for i := range durClients {
		mac := net.HardwareAddr{0x02, 0x00, 0x5e, 0x01, byte(round), byte(i)}
		clients[addr] = mac
		m := inj.msg(dhcpv4.MessageTypeRequest, lab.XID(xid(i)), mac,
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(f.seg.Gateway.AsSlice())),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice())))
		b, err := lab.BroadcastFromClient(mac, m.ToBytes()).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		frames[i] = b
		addr = addr.Next()
	}
	for _, fr := range frames[:durPaced] {
		inj.raw.Send(fr)
		time.Sleep(durPace)
	}
	for _, fr := range frames[durPaced:] {
		inj.raw.Send(fr)
	}
	time.Sleep(wait)
	f.relay.Proc.Signal(syscall.SIGKILL)
	acks := durSettledAcks(t, inj.cap, func(x uint32) bool { return x&^0xff == xid(0) })
	if len(acks) == 0 {
		t.Fatalf("round %d: no ACK reached the clients before the SIGKILL; captured:\n%s", round, inj.cap.Summary())
	}

	f.restartRelay()
	defer f.relay.Proc.Stop()
	stored := make(map[netip.Addr]control.Lease)
	for _, l := range opsShow[[]control.Lease](newOpsCtl(t, f.l, f.relay, f.tp.Relay), control.ShowLeases, "") {
		stored[l.Addr] = l
	}
	clientsAcked := make(map[netip.Addr]bool)
	for _, a := range acks {
		if !clientsAcked[a.addr] && int(a.xid&0xff) >= durPaced {
			burst++
		}
		clientsAcked[a.addr] = true
		got, ok := stored[a.addr]
		switch {
		case !ok:
			t.Errorf("round %d: ACK of %s to %s seen at %s, but after the restart `show leases` has no lease of it", round, a.addr, a.mac, a.at.Format(time.StampMicro))
		case got.State != "bound" || !bytes.Equal(got.MAC, a.mac):
			t.Errorf("round %d: ACK of %s to %s, but after the restart the lease is %s for %s", round, a.addr, a.mac, got.State, net.HardwareAddr(got.MAC))
		case got.Expiry.Before(a.at.Add(a.lease - durSlack)):
			t.Errorf("round %d: ACK of %s for %s seen at %s, but the stored lease expires at %s: an older write", round, a.addr, a.lease, a.at.Format(time.StampMicro), got.Expiry)
		}
		if want := clients[a.addr]; !bytes.Equal(want, a.mac) {
			t.Errorf("round %d: ACK of %s to %s, which asked for another address", round, a.addr, a.mac)
		}
	}
	return len(clientsAcked), burst
}

// durAck is one ACK seen on the client segment.
type durAck struct {
	xid   uint32
	addr  netip.Addr
	mac   net.HardwareAddr
	lease time.Duration
	at    time.Time
}

// durSettledAcks returns the ACKs of the capture once it has settled:
// tcpdump hands packets over in blocks, up to a second late, so the count
// must stay the same for longer than that.
func durSettledAcks(t *testing.T, c *lab.Capture, ours func(xid uint32) bool) []durAck {
	t.Helper()
	var acks []durAck
	prev := -1
	for deadline := time.Now().Add(captureTimeout); time.Now().Before(deadline); {
		acks = durAcks(t, c.DHCP(), ours)
		if len(acks) == prev && prev > 0 {
			return acks
		}
		prev = len(acks)
		time.Sleep(1500 * time.Millisecond)
	}
	return acks
}

// durAcks returns the ACKs among the captured packets whose xid is ours.
func durAcks(t *testing.T, pkts []lab.Packet, ours func(xid uint32) bool) []durAck {
	t.Helper()
	var out []durAck
	for _, p := range pkts {
		x := binary.BigEndian.Uint32(p.DHCP.TransactionID[:])
		if p.DHCP.OpCode != dhcpv4.OpcodeBootReply || p.MessageType() != dhcpv4.MessageTypeAck || !ours(x) {
			continue
		}
		out = append(out, durAck{
			xid: x, addr: addrOf(p.DHCP.YourIPAddr), mac: p.DHCP.ClientHWAddr,
			lease: p.DHCP.IPAddressLeaseTime(0), at: p.Time,
		})
	}
	return out
}

package lab

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestStandardTopologyRoutesAndCaptures(t *testing.T) {
	Require(t)
	RequireTools(t, "tcpdump", "sysctl")
	l := New(t)
	tp := l.Standard()
	down := l.Capture(tp.Relay, RelayDown, "udp")
	srv := l.Capture(tp.Servers[0].NS, ServerIf, "udp")

	// The server reaches the client segment's gateway through its default route.
	from := netip.AddrPortFrom(ServerAddr, 6767)
	to := netip.AddrPortFrom(tp.Segments[0].Gateway, 6768)
	l.SendUDP(tp.Servers[0].NS, from, to, []byte("routed"))
	got := srv.WaitFor("routed datagram", 5*time.Second, func(p Packet) bool { return p.Dst == to })
	if diff := cmp.Diff([]byte("routed"), got.Payload); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}

	// A hand-built frame sent on the client's interface arrives intact.
	d, err := dhcpv4.NewDiscovery(l.MAC(tp.Client, ClientIf), dhcpv4.WithTransactionID(dhcpv4.TransactionID{1, 2, 3, 4}))
	if err != nil {
		t.Fatal(err)
	}
	sent := Frame{
		DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, SrcMAC: l.MAC(tp.Client, ClientIf),
		Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: netip.MustParseAddrPort("255.255.255.255:67"),
		TTL: 64, Payload: d.ToBytes(),
	}
	l.RawSocket(tp.Client, ClientIf).SendFrame(sent)
	p := down.WaitFor("raw discover", 5*time.Second, func(p Packet) bool {
		return p.DHCP != nil && p.DHCP.TransactionID == d.TransactionID
	})
	if diff := cmp.Diff(sent, p.Frame, CmpNetip()); diff != "" {
		t.Errorf("captured frame (-want +got):\n%s", diff)
	}
	if p.MessageType() != dhcpv4.MessageTypeDiscover || p.HasOption82() {
		t.Errorf("captured %s, want a DISCOVER without option 82", p)
	}
	down.Stop()
	if n := len(down.Packets()); n != 1 {
		t.Errorf("after Stop the capture holds %d packets, want 1:\n%s", n, down.Summary())
	}
}

func TestVLANTrunkSegments(t *testing.T) {
	Require(t)
	RequireTools(t, "tcpdump", "sysctl")
	l := New(t)
	tp := l.VLANTrunk()
	seg := tp.Segments[1]
	wantVLAN, capIf, filter := uint16(20), RelayDown, "vlan and udp"
	if seg.Emulated {
		// No 802.1Q in this kernel: the segment is its own link, untagged.
		wantVLAN, capIf, filter = 0, seg.RelayIf, "udp"
	}
	trunk := l.Capture(tp.Relay, capIf, filter)
	payload := []byte("vlan 20")
	sent := Frame{
		DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, SrcMAC: l.MAC(tp.Client, seg.ClientIf),
		Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: netip.MustParseAddrPort("255.255.255.255:67"), Payload: payload,
	}
	l.RawSocket(tp.Client, seg.ClientIf).SendFrame(sent)
	p := trunk.WaitFor("tagged frame", 5*time.Second, func(p Packet) bool { return string(p.Payload) == string(payload) })
	if p.VLAN != wantVLAN {
		t.Errorf("frame on %s has VLAN %d, want %d: %s", capIf, p.VLAN, wantVLAN, p)
	}
}

func TestProcLifecycle(t *testing.T) {
	Require(t)
	l := New(t)
	ns := l.NS("proc")
	once := l.Start(ns, "sh", "-c", "echo hello; exit 3")
	if err := once.Wait(5 * time.Second); err == nil || err.Error() != "exit status 3" {
		t.Errorf("Wait = %v, want exit status 3", err)
	}
	if diff := cmp.Diff("hello\n", once.Log()); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	long := l.Start(ns, "sleep", "60")
	if err := long.Wait(100 * time.Millisecond); err == nil {
		t.Fatalf("sleep 60 ended early")
	}
	long.Stop()
	long.Stop() // idempotent
	if !long.Exited() {
		t.Errorf("process still running after Stop")
	}
}

func TestRemoveStale(t *testing.T) {
	Require(t)
	// A pid that existed and is gone: a finished child of ours.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	if alive(dead) {
		t.Skipf("pid %d was reused already", dead)
	}
	name := fmt.Sprintf("%s%d-test-stale", Prefix, dead)
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	if err := os.MkdirAll(filepath.Join("/etc/netns", name), 0o755); err != nil {
		t.Fatal(err)
	}
	mine := New(t).NS("live")

	if err := RemoveStale(t.Logf); err != nil {
		t.Fatalf("RemoveStale: %v", err)
	}
	if _, err := os.Stat(filepath.Join("/run/netns", name)); !os.IsNotExist(err) {
		t.Errorf("stale namespace %s still there (stat: %v)", name, err)
	}
	if _, err := os.Stat(filepath.Join("/etc/netns", name)); !os.IsNotExist(err) {
		t.Errorf("/etc/netns/%s still there (stat: %v)", name, err)
	}
	if _, err := os.Stat(filepath.Join("/run/netns", mine)); err != nil {
		t.Errorf("live namespace %s was removed: %v", mine, err)
	}
}

// The pair topology: the nodes reach each other over their own link, which
// CutLink and LinkLoss (where the kernel has netem) cut alone, the server
// still reaching both nodes, and RestoreLink brings back.
func TestPairTopologyCutsOnlyTheLink(t *testing.T) {
	Require(t)
	RequireTools(t, "tc", "sysctl")
	l := New(t)
	p := l.Pair(PairOptions{})
	check := func(step string, link bool) {
		t.Helper()
		if got := udpReaches(t, p.A.NS, p.B.NS, p.B.Link); got != link {
			t.Errorf("%s: node a reaches node b over the link: %v, want %v", step, got, link)
		}
		for _, n := range p.Nodes() {
			if !udpReaches(t, p.Server.NS, n.NS, n.Down) {
				t.Errorf("%s: the server does not reach %s", step, n)
			}
		}
	}
	check("built", true)
	p.CutLink()
	check("cut", false)
	p.RestoreLink()
	check("restored", true)
	if !p.HasNetem() {
		t.Logf("this kernel has no netem (CONFIG_NET_SCH_NETEM): LinkLoss not checked")
		return
	}
	p.LinkLoss(100)
	check("100% loss", false)
	p.RestoreLink()
	check("loss removed", true)
}

// udpReaches reports whether a datagram sent from namespace from arrives at
// to:7777 in namespace toNS within a second.
func udpReaches(t *testing.T, from, toNS string, to netip.Addr) bool {
	t.Helper()
	var c *net.UDPConn
	if err := InNS(toNS, func() error {
		var err error
		c, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(to, 7777)))
		return err
	}); err != nil {
		t.Fatalf("failed to listen on %s in %s: %v", to, toNS, err)
	}
	defer c.Close()
	_ = InNS(from, func() error {
		s, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(to, 7777)))
		if err != nil {
			return err // no route: the link is down
		}
		defer s.Close()
		_, err = s.Write([]byte("pair"))
		return err
	})
	if err := c.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err := c.Read(buf)
	return err == nil && string(buf[:n]) == "pair"
}

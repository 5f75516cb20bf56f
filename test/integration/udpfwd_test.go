package integration

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// A broadcast DNS query on the client VLAN reaches dnsmasq in the server
// namespace through the relay, with the client's source, and the answer
// comes back to the client.
func TestUDPForwardDNS(t *testing.T) {
	u := newUDPFwdLab(t, "dnsmasq")
	srv := u.tp.Servers[0]
	u.s.l.Start(srv.NS, "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=53", "--no-resolv", "--no-hosts",
		"--bind-interfaces", "--listen-address="+srv.Addr.String(), "--address=/fwd.test/198.51.100.99",
		"--pid-file="+filepath.Join(u.s.l.Dir(), "dnsmasq-dns.pid"))
	capSrv := u.s.l.Capture(srv.NS, srv.If, "udp port 53")
	time.Sleep(300 * time.Millisecond) // dnsmasq binds

	reply, from := u.exchange(u.tp.Client, u.tp.Segments[0].ClientIf,
		netip.AddrPortFrom(fwdClient, 40053), netip.AddrPortFrom(fwdLimited, 53), dnsQuery(0x4242, "host.fwd.test"))
	if from != netip.AddrPortFrom(srv.Addr, 53) {
		t.Errorf("answer from %s, want %s:53", from, srv.Addr)
	}
	if len(reply) < 16 || binary.BigEndian.Uint16(reply) != 0x4242 || !bytes.HasSuffix(reply, []byte{198, 51, 100, 99}) {
		t.Errorf("answer %x is not the A record 198.51.100.99 for query 0x4242", reply)
	}
	q := capSrv.WaitFor("the forwarded query", captureTimeout, func(p lab.Packet) bool { return p.Dst.Port() == 53 })
	if q.Src != netip.AddrPortFrom(fwdClient, 40053) || q.Dst.Addr() != srv.Addr || q.TTL != 63 {
		t.Errorf("forwarded query %s → %s TTL %d, want %s:40053 → %s, TTL 63", q.Src, q.Dst, q.TTL, fwdClient, srv.Addr)
	}
	if rcv, fwd, _ := u.portCounters("down0.10", 53); rcv != 1 || fwd != 1 {
		t.Errorf("port 53 counters: received %d, forwarded %d; want 1 and 1", rcv, fwd)
	}
}

// A client broadcasting a TFTP read request gets the file from in.tftpd in
// the server namespace (tftp-hpa's client cannot broadcast: the request is
// sent by the test).
func TestUDPForwardTFTP(t *testing.T) {
	u := newUDPFwdLab(t, "in.tftpd")
	srv := u.tp.Servers[0]
	dir := filepath.Join(u.s.l.Dir(), "tftp")
	content := []byte("iphelper forwards TFTP broadcasts\n")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "boot.txt"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	u.s.l.Start(srv.NS, "in.tftpd", "--foreground", "--listen", "--address", srv.Addr.String()+":69", "--secure", dir)
	time.Sleep(300 * time.Millisecond)

	rrq := append([]byte{0, 1}, "boot.txt\x00octet\x00"...)
	reply, from := u.exchange(u.tp.Client, u.tp.Segments[0].ClientIf,
		netip.AddrPortFrom(fwdClient, 40069), netip.AddrPortFrom(fwdBcast10, 69), rrq)
	if from.Addr() != srv.Addr {
		t.Errorf("DATA from %s, want the server %s", from, srv.Addr)
	}
	want := append([]byte{0, 3, 0, 1}, content...) // DATA, block 1: the whole file
	if !bytes.Equal(reply, want) {
		t.Errorf("reply %q, want DATA block 1 %q", reply, want)
	}
	// The last block's ACK goes straight to the server's transfer port.
	u.s.l.SendUDP(u.tp.Client, netip.AddrPortFrom(fwdClient, 40070), from, []byte{0, 4, 0, 1})
}

// nmblookup broadcasting a NetBIOS name query on the client VLAN gets its
// answer from nmbd in the server namespace through the relay.
func TestUDPForwardNetBIOS(t *testing.T) {
	u := newUDPFwdLab(t, "nmbd", "nmblookup")
	srv := u.tp.Servers[0]
	dir := u.s.l.Dir()
	conf := func(name, iface string) string {
		p := filepath.Join(dir, name+".conf")
		d := filepath.Join(dir, name)
		for _, sub := range []string{"lock", "state", "cache", "pid", "private", "log"} {
			if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		body := "[global]\n" +
			"netbios name = " + strings.ToUpper(name) + "\n" +
			"workgroup = FWDTEST\n" +
			"interfaces = " + iface + "\n" +
			"bind interfaces only = yes\n" +
			"disable netbios = no\n" +
			"lock directory = " + d + "/lock\n" +
			"state directory = " + d + "/state\n" +
			"cache directory = " + d + "/cache\n" +
			"pid directory = " + d + "/pid\n" +
			"private dir = " + d + "/private\n" +
			"log file = " + d + "/log/log.%m\n" +
			"ncalrpc dir = " + d + "/state\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	srvConf := conf("fileserver", srv.Addr.String()+"/25")
	cliConf := conf("client", fwdClient.String()+"/26")
	u.s.l.Start(srv.NS, "nmbd", "--foreground", "--no-process-group", "--debug-stdout", "--configfile="+srvConf)
	capSrv := u.s.l.Capture(srv.NS, srv.If, "udp port 137")
	capCl := u.s.l.Capture(u.tp.Client, u.tp.Segments[0].ClientIf, "udp port 137")
	if !lab.WaitFor(func() bool {
		out, _ := exec.Command("ip", "netns", "exec", srv.NS, "ss", "-Hlnu", "sport", "=", ":137").Output()
		return strings.Contains(string(out), srv.Addr.String()+":137")
	}, 10*time.Second) {
		t.Fatalf("nmbd did not bind %s:137", srv.Addr)
	}

	// nmbd answers for its name once it has claimed it (a few seconds of
	// registration broadcasts after it starts): ask until it does.
	var (
		out []byte
		err error
	)
	answered := lab.WaitFor(func() bool {
		out, err = exec.Command("ip", "netns", "exec", u.tp.Client, "nmblookup", "--configfile="+cliConf, "-B", fwdBcast10.String(), "FILESERVER").CombinedOutput()
		return err == nil && strings.Contains(string(out), srv.Addr.String()+" FILESERVER<00>")
	}, 20*time.Second)
	if !answered {
		t.Fatalf("nmblookup did not get nmbd's answer through the relay (%v):\n%s\ncaptured on the client VLAN:\n%s\ncaptured at the server:\n%s",
			err, out, capCl.Summary(), capSrv.Summary())
	}
	capSrv.WaitFor("the forwarded name query from the client", captureTimeout, func(p lab.Packet) bool {
		return p.Src.Addr() == fwdClient && p.Dst == netip.AddrPortFrom(srv.Addr, 137)
	})
}

// A Wake-on-LAN magic packet sent on VLAN 10 leaves on VLAN 20, whose
// directed broadcast is port 9's helper, as a link-layer broadcast, and
// nowhere else: not upstream, not back on VLAN 10.
func TestUDPForwardWakeOnLAN(t *testing.T) {
	u := newUDPFwdLab(t, "wakeonlan")
	srv := u.tp.Servers[0]
	seg10, seg20 := u.tp.Segments[0], u.tp.Segments[1]
	cap20 := u.s.l.Capture(u.tp.Client, seg20.ClientIf, "udp port 9")
	cap10 := u.s.l.Capture(u.tp.Client, seg10.ClientIf, "udp port 9")
	capSrv := u.s.l.Capture(srv.NS, srv.If, "udp port 9")

	u.s.l.Exec(u.tp.Client, "wakeonlan", "-i", fwdBcast10.String(), "-p", "9", "02:00:5e:00:53:77")
	magic := append(bytes.Repeat([]byte{0xff}, 6), bytes.Repeat([]byte{0x02, 0x00, 0x5e, 0x00, 0x53, 0x77}, 16)...)
	p := cap20.WaitFor("the magic packet on VLAN 20", captureTimeout, func(p lab.Packet) bool { return p.Dst.Addr() == fwdBcast20 })
	if p.DstMAC.String() != "ff:ff:ff:ff:ff:ff" || p.Src.Addr() != fwdClient || p.Dst.Port() != 9 || !bytes.Equal(p.Payload, magic) {
		t.Errorf("on VLAN 20: %s → %s (MAC %s), payload %x; want a link-layer broadcast from %s to port 9 with the magic packet",
			p.Src, p.Dst, p.DstMAC, p.Payload, fwdClient)
	}
	if got := capSrv.After(absentWindow, func(lab.Packet) bool { return true }); len(got) > 0 {
		t.Errorf("the magic packet reached the server segment: %v", got)
	}
	if got := cap10.After(0, func(p lab.Packet) bool { return p.Dst.Addr() != fwdBcast10 }); len(got) > 0 {
		t.Errorf("a copy went back out on VLAN 10: %v", got)
	}
	if rcv, fwd, _ := u.portCounters(seg10.RelayIf, 9); rcv != 1 || fwd != 1 {
		t.Errorf("port 9 counters: received %d, forwarded %d; want 1 and 1", rcv, fwd)
	}
}

// dnsQuery is a DNS query (RFC 1035 §4.1) with id for the A record of name.
func dnsQuery(id uint16, name string) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0) // RD; one question
	for _, label := range strings.Split(name, ".") {
		b = append(append(b, byte(len(label))), label...)
	}
	return append(b, 0, 0, 1, 0, 1) // root; type A, class IN
}

// Hostile broadcasts on the client VLAN are dropped, each counted under
// its reason, and never reach the server: a forged source (an address of
// the server's subnet), TTL 1, one whose helper is on the ingress subnet
// (it would go back out where it came from), and a port that is not
// forwarded, which the packet filter keeps out of user space altogether.
func TestUDPForwardHostileDropped(t *testing.T) {
	u := newUDPFwdLab(t)
	srv := u.tp.Servers[0]
	seg := u.tp.Segments[0]
	capSrv := u.s.l.Capture(srv.NS, srv.If, "udp")
	raw := u.s.l.RawSocket(u.tp.Client, seg.ClientIf)
	mac := u.s.l.MAC(u.tp.Client, seg.ClientIf)
	time.Sleep(300 * time.Millisecond) // tcpdump starts
	send := func(src netip.Addr, port uint16, ttl uint8, marker string) {
		raw.SendFrame(lab.Frame{
			DstMAC: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, SrcMAC: mac, TTL: ttl,
			Src: netip.AddrPortFrom(src, 40000), Dst: netip.AddrPortFrom(fwdLimited, port), Payload: []byte(marker),
		})
	}
	before := u.received(seg.RelayIf)
	send(fwdClient, 5000, 64, "hostile-port")
	time.Sleep(300 * time.Millisecond) // time for a frame to be read, if it were let in
	if u.received(seg.RelayIf) != before {
		t.Errorf("a broadcast to a port that is not forwarded reached the relay's user space")
	}
	send(netip.MustParseAddr("198.51.100.50"), 53, 64, "hostile-forged")
	send(fwdClient, 53, 1, "hostile-ttl")
	send(fwdClient, 7, 64, "hostile-loop")
	want := map[string]uint64{"udp_forged_source": 1, "udp_ttl_expired": 1, "udp_loop": 1}
	var got map[string]uint64
	if !lab.WaitFor(func() bool {
		got = u.drops(seg.RelayIf)
		for r, n := range want {
			if got[r] != n {
				return false
			}
		}
		return true
	}, 5*time.Second) {
		t.Errorf("drops %v, want %v among them", got, want)
	}
	if _, _, dropped := u.portCounters(seg.RelayIf, 53); dropped != 2 {
		t.Errorf("port 53 dropped %d, want 2 (forged source, TTL 1)", dropped)
	}
	leaked := capSrv.After(absentWindow, func(p lab.Packet) bool { return bytes.HasPrefix(p.Payload, []byte("hostile-")) })
	if len(leaked) > 0 {
		t.Errorf("hostile broadcasts reached the server: %v", leaked)
	}
}

// received is the relay's requests_received counter of ifname: every
// frame its packet socket read.
func (u *udpFwdLab) received(ifname string) uint64 {
	for _, i := range u.ctl.statistics().Interfaces {
		if i.Name == ifname {
			return i.Counters.RequestsReceived
		}
	}
	return 0
}

// A broadcast storm on a forwarded port, from a new MAC per frame, is held
// to the interface's rate limit (200/s, burst 100 in this lab), and DHCP
// keeps working through it: forwarded broadcasts have buckets of their own.
func TestUDPForwardFloodIsLimited(t *testing.T) {
	u := newUDPFwdLab(t, "dnsmasq")
	srv := u.tp.Servers[0]
	seg := u.tp.Segments[0]
	u.s.l.StartDnsmasq(srv.NS, srv.Addr, u.tp.ServerConfig(0))
	load := newOpsLoad(u.s.l, u.tp.Client, seg.ClientIf, 0x7000)
	if !load.dora() {
		t.Fatalf("no lease before the flood: %d OFFERs and %d ACKs lost", load.lostOffers, load.lostAcks)
	}
	start := time.Now()
	flood := u.s.l.StartUDPFlood(u.tp.Client, seg.ClientIf, 3000, 3*time.Second, fwdClient, 53)
	for range 3 {
		time.Sleep(500 * time.Millisecond)
		if !load.dora() {
			t.Errorf("a DORA failed during the flood: %d OFFERs and %d ACKs lost", load.lostOffers, load.lostAcks)
		}
	}
	sent, err := flood.Stop()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the relay reads what is queued
	elapsed := time.Since(start)
	rcv, fwd, _ := u.portCounters(seg.RelayIf, 53)
	limit := uint64(100 + 200*elapsed.Seconds() + 50) // burst + rate × time, with room for the timing of the reads
	drops := u.drops(seg.RelayIf)
	t.Logf("flood: %d sent in %s, %d reached port 53's counters, %d forwarded, drops %v", sent, elapsed, rcv, fwd, drops)
	if fwd == 0 || fwd > limit {
		t.Errorf("forwarded %d broadcasts of the flood, want between 1 and %d", fwd, limit)
	}
	if drops["rate_limit_interface"] == 0 {
		t.Errorf("no rate_limit_interface drop under a flood of %d frames: %v", sent, drops)
	}
}

package corpus

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// step is one client run of a session.
type step struct {
	client, what string
	run          func(s *session)
}

// steps lists what every session runs, in order.
func (s *session) steps() []step {
	return []step{
		{"dhclient", "INIT-REBOOT for an address of another network (NAK but from Kea), DORA, release (dhclient -r)", (*session).dhclientReboot},
		{"dhclient", "DORA, then a renewal at T1 (not against dnsmasq: its shortest lease is two minutes)", (*session).dhclientRenew},
		{"udhcpc", "DORA, broadcast flag clear", labClient(lab.Udhcpc)},
		{"udhcpc", "DORA, renew (SIGUSR1), release (SIGUSR2)", (*session).udhcpcRenewRelease},
		{"udhcpc-bcast", "DORA, broadcast flag set", labClient(lab.UdhcpcBroadcast)},
		{"dhcpcd", "DORA", labClient(lab.Dhcpcd)},
		{"dhcpcd", "DORA with ARP probing, release on exit", (*session).dhcpcdRelease},
		{"dhcpcd", "INFORM for an address it configured itself", (*session).dhcpcdInform},
	}
}

// clientExit bounds how long a one-shot client takes to exit once bound.
const clientExit = 10 * time.Second

// labClient runs a lab client until it is bound and, for the one-shot
// clients, until it exits.
func labClient(kind lab.ClientKind) func(s *session) {
	return func(s *session) {
		s.t.Helper()
		c := s.l.StartClient(kind, s.tp.Client, s.tp.Segments[0].ClientIf)
		c.WaitLease(sessionTimeout)
		if err := c.Proc.Wait(clientExit); err != nil {
			s.t.Logf("%s: %v; stopping it", kind, err)
			c.Proc.Stop()
		}
	}
}

// dhclientRenew runs the lab's dhclient until bound and, where the lease is
// short, until it has renewed.
func (s *session) dhclientRenew() {
	s.t.Helper()
	c := s.l.StartClient(lab.Dhclient, s.tp.Client, s.tp.Segments[0].ClientIf)
	c.WaitLease(sessionTimeout)
	if s.kind != "dnsmasq" {
		c.WaitEvent(shortLease, "RENEW")
	}
	c.Proc.Stop()
}

// staleLease is a dhclient lease for an address of the server segment: the
// client asks for it in INIT-REBOOT and dhcpd and dnsmasq NAK it (wrong
// network).
const staleLease = `lease {
  interface "%s";
  fixed-address 198.51.100.100;
  option subnet-mask 255.255.255.128;
  option dhcp-lease-time 3600;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
`

// dhclientReboot starts dhclient with a stale lease and runs it until the
// DORA after the server refused the stale address, then releases the lease.
func (s *session) dhclientReboot() {
	s.t.Helper()
	start := time.Now()
	ifname := s.tp.Segments[0].ClientIf
	dir := filepath.Join(s.l.Dir(), "dhclient-reboot")
	conf, leases, pid := filepath.Join(dir, "dhclient.conf"), filepath.Join(dir, "dhclient.leases"), filepath.Join(dir, "dhclient.pid")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		s.t.Fatal(err)
	}
	for path, text := range map[string]string{
		conf:   "timeout 30;\nretry 5;\ninitial-interval 1;\nbackoff-cutoff 2;\n",
		leases: fmt.Sprintf(staleLease, ifname),
	} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			s.t.Fatal(err)
		}
	}
	p := s.l.StartProc(lab.ProcSpec{NS: s.tp.Client, Name: "dhclient-reboot", Args: []string{
		"dhclient", "-4", "-d", "-v", "-1", "-cf", conf, "-sf", "/bin/true",
		"-lf", leases, "-pf", pid, ifname,
	}})
	// Kea, not authoritative by default, ignores the request instead of
	// NAKing it: dhclient gives up on it after a few tries and discovers.
	ack := s.waitSince(s.client, "ACK after the INIT-REBOOT", start, isType(dhcpv4.MessageTypeAck))
	// dhclient -r releases the lease the running dhclient recorded.
	s.configure(ack)
	s.l.Exec(s.tp.Client, "dhclient", "-4", "-r", "-v", "-cf", conf, "-sf", "/bin/true", "-lf", leases, "-pf", pid, ifname)
	s.waitSince(s.upstream, "relayed RELEASE from dhclient", ack.Time, isType(dhcpv4.MessageTypeRelease))
	p.Stop()
}

// udhcpcRenewRelease runs udhcpc (no script: the step puts the address on
// the link itself) until bound, then has it renew and release by signal.
func (s *session) udhcpcRenewRelease() {
	s.t.Helper()
	start := time.Now()
	ifname := s.tp.Segments[0].ClientIf
	p := s.l.StartProc(lab.ProcSpec{NS: s.tp.Client, Name: "udhcpc-signals", Args: []string{
		"udhcpc", "-f", "-i", ifname, "-s", "/bin/true", "-n", "-t", "5", "-T", "2",
	}})
	ack := s.waitSince(s.client, "ACK for udhcpc", start, isType(dhcpv4.MessageTypeAck))
	s.configure(ack)
	signal(s, p, syscall.SIGUSR1)
	renewed := s.waitSince(s.client, "ACK of the renewal", ack.Time, func(p lab.Packet) bool {
		return isType(dhcpv4.MessageTypeAck)(p) && !p.DHCP.ClientIPAddr.IsUnspecified()
	})
	signal(s, p, syscall.SIGUSR2)
	s.waitSince(s.upstream, "relayed RELEASE", renewed.Time, isType(dhcpv4.MessageTypeRelease))
	p.Stop()
}

// configure puts the address an ACK gives on the client's link, as a
// client script would.
func (s *session) configure(ack lab.Packet) {
	s.t.Helper()
	addr, ok := netip.AddrFromSlice(ack.DHCP.YourIPAddr.To4())
	if !ok {
		s.t.Fatalf("ACK without an address: %s", ack)
	}
	pfx := netip.PrefixFrom(addr, s.tp.Segments[0].Prefix.Bits())
	s.l.Exec(s.tp.Client, "ip", "addr", "replace", pfx.String(), "dev", s.tp.Segments[0].ClientIf)
}

// signal sends sig to a process the session started, by its pid.
func signal(s *session, p *lab.Proc, sig syscall.Signal) {
	s.t.Helper()
	if err := syscall.Kill(p.Pid(), sig); err != nil {
		s.t.Fatalf("failed to signal %s (pid %d): %v", p.Name(), p.Pid(), err)
	}
}

// dhcpcdRelease runs dhcpcd with ARP probing on and the release option
// until it has leased, then stops it: it releases the lease as it exits.
func (s *session) dhcpcdRelease() {
	s.t.Helper()
	start := time.Now()
	p := s.dhcpcd("dhcpcd-release", "# iphelper corpus: probe, release on exit\nrelease\n")
	if !p.WaitLog("executing: /bin/true BOUND", sessionTimeout) {
		s.t.Fatalf("dhcpcd bound nothing within %s:\n%s", sessionTimeout, p.Log())
	}
	// dhcpcd can miss a SIGTERM that comes while it still sets the address
	// up and announces it; it is done two seconds after BOUND.
	time.Sleep(announceDone)
	p.Stop()
	s.waitSince(s.upstream, "relayed RELEASE from dhcpcd", start, isType(dhcpv4.MessageTypeRelease))
}

// announceDone is how long after BOUND dhcpcd has finished announcing its
// address.
const announceDone = 3 * time.Second

// informAddr is the address dhcpcd informs for: on the client segment,
// outside the servers' pools.
const informAddr = "203.0.113.60/25"

// dhcpcdInform configures an address on the client link and runs dhcpcd in
// INFORM mode for it, once. (Given the address itself, dhcpcd 9.4 hangs
// before it sends anything.)
func (s *session) dhcpcdInform() {
	s.t.Helper()
	start := time.Now()
	s.l.Exec(s.tp.Client, "ip", "addr", "add", informAddr, "dev", s.tp.Segments[0].ClientIf)
	p := s.dhcpcd("dhcpcd-inform", "# iphelper corpus: inform\nnoarp\n", "-1", "--inform")
	s.waitSince(s.client, "ACK to the INFORM", start, func(p lab.Packet) bool {
		return isType(dhcpv4.MessageTypeAck)(p) && p.DHCP.YourIPAddr.IsUnspecified()
	})
	if err := p.Wait(clientExit); err != nil {
		p.Stop()
	}
}

// dhcpcd starts dhcpcd on the client link like the lab does (a private
// mount namespace with /run and /var/lib/dhcpcd of its own, so nothing of it
// reaches the host) with the given configuration, no script, and extra
// flags.
func (s *session) dhcpcd(name, conf string, extra ...string) *lab.Proc {
	s.t.Helper()
	dir := filepath.Join(s.l.Dir(), name)
	state, confPath := filepath.Join(dir, "state"), filepath.Join(dir, "dhcpcd.conf")
	if err := os.MkdirAll(state, 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		s.t.Fatal(err)
	}
	args := fmt.Sprintf("-4 -B -d -t %d -f '%s' -c /bin/true", int(sessionTimeout/time.Second), confPath)
	for _, e := range extra {
		args += " '" + e + "'"
	}
	sh := fmt.Sprintf("mount -t tmpfs corpus-run /run && mkdir -p /run/dhcpcd && mount --bind '%s' /var/lib/dhcpcd && exec dhcpcd %s '%s'",
		state, args, s.tp.Segments[0].ClientIf)
	return s.l.StartProc(lab.ProcSpec{NS: s.tp.Client, Name: name, Args: []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", sh}})
}

package corpus

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// captureFilter is what tcpdump keeps: DHCP, and ARP for the ARP seeds.
const captureFilter = lab.DHCPFilter + " or arp"

// relayArgs are the iphelper flags of every session. The circuit-id and
// remote-id are those of the relay package's tests (interface eth1, host
// relay1), so that the servers' replies carry an option 82 the reply-path
// fuzz target takes for its own and follow it to delivery. Server-id-override
// sends renewals, releases and informs through the relay too.
func relayArgs() []string {
	return []string{"--circuit-id", "eth1", "--remote-id", "relay1", "--server-id-override", "--link-selection"}
}

// TestCaptureCorpus runs every client against every server through iphelper
// in a namespace lab and checks that the captures hold every message the
// corpus needs from every peer. With IPHELPER_UPDATE_CORPUS=1 it also keeps
// them under testdata/captures and writes the seed files from them.
func TestCaptureCorpus(t *testing.T) {
	update := os.Getenv(UpdateEnv) == UpdateCapture
	lab.Require(t)
	lab.RequireTools(t, "tcpdump", "sysctl", "ss", "unshare", "kea-dhcp4", "dhcpd", "dhclient", "udhcpc", "dhcpcd")
	requireDnsmasq(t)
	bin, err := lab.BuildIphelper(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]sessionFiles{}
	t.Run("capture", func(t *testing.T) {
		for _, server := range servers() {
			t.Run(server, func(t *testing.T) {
				t.Parallel()
				files := runSession(t, bin, server)
				mu.Lock()
				got[server] = files
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}
	dir := t.TempDir()
	if update {
		dir = capturesDir
	}
	for _, server := range servers() {
		if err := got[server].write(dir); err != nil {
			t.Fatal(err)
		}
	}
	caps, err := LoadCaptures(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkCoverage(t, caps)
	if update {
		writeSeeds(t)
	}
}

// requireDnsmasq skips (fails in CI) when dnsmasq is missing, naming the
// package that ships it without a service.
func requireDnsmasq(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dnsmasq"); err != nil {
		msg := "dnsmasq is not installed (Debian package dnsmasq-base; test/run-tests.sh installs it)"
		if lab.InCI() {
			t.Fatalf("CI=true, so not skipping: %s", msg)
		}
		t.Skip(msg)
	}
}

// sessionFiles are the products of one session.
type sessionFiles struct {
	manifest         Manifest
	client, upstream []byte
}

// write stores the session's captures and manifest in dir.
func (f sessionFiles) write(dir string) error {
	m, err := f.manifest.Marshal()
	if err != nil {
		return err
	}
	c := capturePaths(dir, f.manifest.Server)
	for path, b := range map[string][]byte{c.manifest: m, c.client: f.client, c.upstream: f.upstream} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return fmt.Errorf("failed to write the captures of %s: %w", f.manifest.Server, err)
		}
	}
	return nil
}

// session is one lab: a server of one kind behind iphelper, clients run one
// after another on the client link, both links captured.
type session struct {
	t                *testing.T
	l                *lab.Lab
	tp               *lab.Topology
	kind             string
	client, upstream *lab.Capture
	manifest         Manifest
}

// sessionTimeout bounds each wait for a packet or a lease.
const sessionTimeout = 30 * time.Second

// runSession builds the lab for server, runs the steps and returns the
// captures.
func runSession(t *testing.T, bin, server string) sessionFiles {
	l := lab.New(t)
	tp := l.Standard()
	s := &session{t: t, l: l, tp: tp, kind: server, manifest: Manifest{Server: server, RelayArgs: relayArgs()}}
	site := tp.Servers[0]
	s.startServer(site)
	s.upstream = l.Capture(site.NS, site.If, captureFilter)
	s.client = l.Capture(tp.Client, tp.Segments[0].ClientIf, captureFilter)
	l.StartRelay(lab.Iphelper, tp.Relay, lab.RelaySpec{
		Downstream: tp.Downstream(), Helpers: tp.Helpers(), IphelperBin: bin, IphelperArgs: relayArgs(),
	})
	for _, st := range s.steps() {
		s.manifest.Steps = append(s.manifest.Steps, Step{Client: st.client, What: st.what, Start: time.Now()})
		st.run(s)
		s.flush()
	}
	time.Sleep(time.Second) // late retransmits and ARP
	s.client.Stop()
	s.upstream.Stop()
	return sessionFiles{manifest: s.manifest, client: readFile(t, s.client.Path()), upstream: readFile(t, s.upstream.Path())}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shortLease is the lease of Kea and dhcpd: dhclient renews at half of it.
// dnsmasq allows no lease under two minutes.
const (
	shortLease   = 20 * time.Second
	dnsmasqLease = 2 * time.Minute
)

// startServer starts the session's server with the relay's address as
// server identifier (what an RFC 5107 server does with the override
// sub-option; dnsmasq does it by itself).
func (s *session) startServer(site lab.Site) {
	s.t.Helper()
	cfg := s.tp.ServerConfig(0)
	cfg.LeaseTime = shortLease
	cfg.Subnets[0].ServerID = s.tp.Segments[0].Gateway
	switch s.kind {
	case "kea":
		s.l.StartKea(site.NS, site.Addr, cfg)
	case "dhcpd":
		s.l.StartDhcpd(site.NS, site.Addr, cfg)
	case "dnsmasq":
		startDnsmasq(s.t, s.l, site, cfg.Subnets[0], dnsmasqLease)
	default:
		s.t.Fatalf("unknown server %q", s.kind)
	}
}

// flush takes every IPv4 address off the client's interface, so that each
// step starts from a bare link.
func (s *session) flush() {
	s.t.Helper()
	s.l.Exec(s.tp.Client, "ip", "-4", "addr", "flush", "dev", s.tp.Segments[0].ClientIf)
}

// waitSince waits for a packet captured on c after since that match accepts.
func (s *session) waitSince(c *lab.Capture, what string, since time.Time, match func(lab.Packet) bool) lab.Packet {
	s.t.Helper()
	return c.WaitFor(what, sessionTimeout, func(p lab.Packet) bool { return !p.Time.Before(since) && match(p) })
}

// isType matches DHCP packets of a message type.
func isType(typ dhcpv4.MessageType) func(lab.Packet) bool {
	return func(p lab.Packet) bool { return p.DHCP != nil && p.MessageType() == typ }
}

package lab

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// dnsmasqMinLease is the shortest lease dnsmasq gives: it raises shorter
// ones to two minutes.
const dnsmasqMinLease = 2 * time.Minute

// StartDnsmasq starts dnsmasq as the DHCP server of cfg in ns and returns
// once it serves. It runs in the foreground with no configuration file but
// its flags, DNS off (--port=0), never reading the host's resolver or hosts
// files, its lease and pid files in a directory of its own. dnsmasq honours
// the RFC 5107 server-identifier-override sub-option: its replies to a
// relayed request that carries one name the relay's address in option 54,
// as Kea 2.2 and ISC dhcpd 4.4 do not. It has no per-subnet server
// identifier nor circuit-id reservations here: a cfg with either fails the
// test. A LeaseTime under two minutes is refused, since dnsmasq would raise
// it silently.
func (l *Lab) StartDnsmasq(ns string, addr netip.Addr, cfg ServerConfig) *Server {
	l.t.Helper()
	args, err := dnsmasqArgs(cfg)
	if err != nil {
		l.t.Fatalf("failed to configure dnsmasq: %v", err)
	}
	dir := l.nextName("dnsmasq", "")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		l.t.Fatalf("failed to create dnsmasq directory: %v", err)
	}
	args = append(args,
		"--dhcp-leasefile="+filepath.Join(dir, "dnsmasq.leases"),
		"--pid-file="+filepath.Join(dir, "dnsmasq.pid"))
	p := l.StartProc(ProcSpec{NS: ns, Name: "dnsmasq", Args: args})
	if !WaitFor(func() bool { return p.Exited() || strings.Contains(p.Log(), "DHCP, IP range") }, serverStart) || p.Exited() {
		l.t.Fatalf("dnsmasq in %s did not start:\n%s", ns, tail(p.Log(), logTail))
	}
	return &Server{Kind: Dnsmasq, Addr: addr, Proc: p}
}

// dnsmasqArgs renders cfg as dnsmasq's command line, without the files.
func dnsmasqArgs(cfg ServerConfig) ([]string, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	lease := cfg.leaseTime()
	if lease < dnsmasqMinLease {
		return nil, fmt.Errorf("lease time %v: dnsmasq gives at least %v", lease, dnsmasqMinLease)
	}
	args := []string{
		"dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
		"--no-resolv", "--no-hosts", "--no-poll", "--no-ping", "--dhcp-authoritative",
		"--interface=" + cfg.Interface, "--log-dhcp", "--log-facility=-",
	}
	for i, s := range cfg.Subnets {
		if s.ServerID.IsValid() || len(s.Reservations) > 0 {
			return nil, fmt.Errorf("subnets[%d]: the lab's dnsmasq has no server-id nor reservations", i)
		}
		if !s.PoolFirst.IsValid() {
			continue // dnsmasq needs no subnet declaration of its own segment
		}
		tag := fmt.Sprintf("s%d", i)
		args = append(args, fmt.Sprintf("--dhcp-range=set:%s,%s,%s,%s,%ds", tag, s.PoolFirst, s.PoolLast, maskOf(s.Prefix), int(lease/time.Second)))
		if s.Router.IsValid() {
			args = append(args, fmt.Sprintf("--dhcp-option=tag:%s,option:router,%s", tag, s.Router))
		}
	}
	return args, nil
}

package lab

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// StartDhcpd writes an ISC dhcpd configuration for cfg and starts
// `dhcpd -4 -f -d` on cfg.Interface in ns, with its lease and pid files in a
// directory of its own, and returns once it serves. addr is the server's address
// (dhcpd takes it from the interface; it is recorded for the relay's helper
// list). Reservations use `host-identifier option agent.circuit-id`.
func (l *Lab) StartDhcpd(ns string, addr netip.Addr, cfg ServerConfig) *Server {
	l.t.Helper()
	if err := cfg.validate(); err != nil {
		l.t.Fatalf("failed to configure dhcpd: %v", err)
	}
	dir := l.nextName("dhcpd", "")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		l.t.Fatalf("failed to create dhcpd directory: %v", err)
	}
	path := filepath.Join(dir, "dhcpd.conf")
	leases := filepath.Join(dir, "dhcpd.leases")
	if err := os.WriteFile(path, []byte(dhcpdConfig(cfg)), 0o600); err != nil {
		l.t.Fatalf("failed to write dhcpd config: %v", err)
	}
	if err := os.WriteFile(leases, nil, 0o600); err != nil {
		l.t.Fatalf("failed to create dhcpd lease file: %v", err)
	}
	l.Exec(ns, "dhcpd", "-4", "-t", "-cf", path)
	p := l.Start(ns, "dhcpd", "-4", "-f", "-d", "-cf", path, "-lf", leases, "-pf", filepath.Join(dir, "dhcpd.pid"), cfg.Interface)
	if !WaitFor(func() bool { return p.Exited() || strings.Contains(p.Log(), "Server starting service.") }, serverStart) || p.Exited() {
		l.t.Fatalf("dhcpd in %s did not start:\n%s", ns, tail(p.Log(), logTail))
	}
	return &Server{Kind: Dhcpd, Addr: addr, Proc: p, ConfigPath: path}
}

// dhcpdConfig renders cfg as a dhcpd.conf.
func dhcpdConfig(cfg ServerConfig) string {
	lease := strconv.Itoa(int(cfg.leaseTime() / time.Second))
	var b strings.Builder
	b.WriteString("# written by the iphelper test lab\nauthoritative;\n")
	b.WriteString("default-lease-time " + lease + ";\nmax-lease-time " + lease + ";\nmin-lease-time " + lease + ";\n")
	for _, s := range cfg.Subnets {
		p := s.Prefix.Masked()
		fmt.Fprintf(&b, "subnet %s netmask %s {\n", p.Addr(), maskOf(p))
		if s.PoolFirst.IsValid() {
			fmt.Fprintf(&b, "  range %s %s;\n", s.PoolFirst, s.PoolLast)
		}
		if s.Router.IsValid() {
			fmt.Fprintf(&b, "  option routers %s;\n", s.Router)
		}
		if s.ServerID.IsValid() {
			fmt.Fprintf(&b, "  server-identifier %s;\n", s.ServerID)
		}
		b.WriteString("}\n")
	}
	n := 0
	for _, s := range cfg.Subnets {
		for _, r := range s.Reservations {
			n++
			fmt.Fprintf(&b, "host reserved%d {\n  host-identifier option agent.circuit-id %s;\n  fixed-address %s;\n}\n",
				n, dhcpdData(r.CircuitID), r.Addr)
		}
	}
	return b.String()
}

// dhcpdData renders bytes as a dhcpd data literal: a quoted string when it is
// plain printable text, else colon-separated hex (which needs two bytes or more
// to be told from a number).
func dhcpdData(s string) string {
	plain := true
	for _, c := range []byte(s) {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			plain = false
		}
	}
	if plain || len(s) < 2 {
		return strconv.Quote(s)
	}
	return hexColons([]byte(s))
}

package lab

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// StartDhcpcdLinkLocal starts dhcpcd on ifname in ns like StartClient with
// Dhcpcd, but with dhcpcd's default ARP and IPv4 link-local (RFC 3927)
// behaviour left on: it takes a 169.254/16 address by itself when no DHCP
// server answers within a few seconds, which its script records (event
// IPV4LL). The fallback scenarios use it to show that no client falls back
// to a link-local address while the relay's fallback server serves them.
func (l *Lab) StartDhcpcdLinkLocal(ns, ifname string) *Client {
	l.t.Helper()
	c := &Client{Kind: Dhcpcd, l: l, ns: ns, ifname: ifname, record: l.nextName("dhcpcd-ll-"+ifname, ".events")}
	if strings.ContainsAny(c.record, "'\n") {
		l.t.Fatalf("failed to start dhcpcd: the lab directory %q cannot be quoted in a script", l.dir)
	}
	script := l.clientFiles(c)
	state := l.nextName("dhcpcd-state", "")
	conf := l.nextName("dhcpcd-ll", ".conf")
	if err := os.MkdirAll(state, 0o755); err != nil {
		l.t.Fatalf("failed to create dhcpcd state directory: %v", err)
	}
	if err := os.WriteFile(conf, []byte("# iphelper test lab: dhcpcd with ARP and IPv4LL on\n"), 0o644); err != nil {
		l.t.Fatalf("failed to write dhcpcd config: %v", err)
	}
	sh := fmt.Sprintf("mount -t tmpfs lab-run /run && mkdir -p /run/dhcpcd && mount --bind '%s' /var/lib/dhcpcd && "+
		"exec dhcpcd -4 -B -1 -d -t %d -f '%s' -c '%s' '%s'", state, int(clientTimeout/time.Second), conf, script, ifname)
	c.Proc = l.StartProc(ProcSpec{NS: ns, Name: "dhcpcd-ll-" + ifname, Args: []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", sh}})
	return c
}

// clientFiles creates the client's event record and writes its script,
// returning the script's path.
func (l *Lab) clientFiles(c *Client) string {
	l.t.Helper()
	if err := os.WriteFile(c.record, nil, 0o600); err != nil {
		l.t.Fatalf("failed to create %s: %v", c.record, err)
	}
	script := l.nextName(string(c.Kind)+"-script", ".sh")
	if err := os.WriteFile(script, []byte(clientScript(c.Kind, c.record)), 0o700); err != nil {
		l.t.Fatalf("failed to write client script: %v", err)
	}
	return script
}

package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// dnsmasqStart bounds how long dnsmasq may take to start serving.
const dnsmasqStart = 15 * time.Second

// startDnsmasq runs dnsmasq as the DHCP server of site, for the relayed
// subnet sub: in the foreground, no configuration file but its flags, DNS
// off, lease and pid files in a directory of its own, never reading the
// host's resolver or hosts files.
func startDnsmasq(t testing.TB, l *lab.Lab, site lab.Site, sub lab.Subnet, lease time.Duration) *lab.Proc {
	dir := filepath.Join(l.Dir(), "dnsmasq")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("failed to create dnsmasq directory: %v", err)
	}
	mask := sub.Prefix.Masked()
	args := []string{
		"dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
		"--no-resolv", "--no-hosts", "--no-poll", "--no-ping", "--dhcp-authoritative",
		"--interface=" + site.If,
		fmt.Sprintf("--dhcp-range=%s,%s,%s,%dm", sub.PoolFirst, sub.PoolLast, netmask(mask.Bits()), int(lease/time.Minute)),
		"--dhcp-option=option:router," + sub.Router.String(),
		"--dhcp-leasefile=" + filepath.Join(dir, "dnsmasq.leases"),
		"--pid-file=" + filepath.Join(dir, "dnsmasq.pid"),
		"--log-dhcp", "--log-facility=-",
	}
	p := l.StartProc(lab.ProcSpec{NS: site.NS, Name: "dnsmasq", Args: args})
	if !lab.WaitFor(func() bool { return p.Exited() || strings.Contains(p.Log(), "DHCP, IP range") }, dnsmasqStart) || p.Exited() {
		t.Fatalf("dnsmasq in %s did not start:\n%s", site.NS, p.Log())
	}
	return p
}

// netmask renders a prefix length as a dotted mask.
func netmask(bits int) string {
	var m [4]byte
	for i := 0; i < bits; i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return fmt.Sprintf("%d.%d.%d.%d", m[0], m[1], m[2], m[3])
}

package lab

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// ClientKind names a DHCP client the lab can run.
type ClientKind string

// The clients the lab runs. Each gets a script of the lab's own that records
// every event and never touches /etc/resolv.conf.
const (
	// Dhclient is ISC dhclient: broadcast flag clear, keeps running after
	// BOUND and renews at T1.
	Dhclient ClientKind = "dhclient"
	// Udhcpc is busybox udhcpc without -B (broadcast flag clear: the relay must
	// deliver by unicast to chaddr); it exits once bound.
	Udhcpc ClientKind = "udhcpc"
	// UdhcpcBroadcast is udhcpc -B (broadcast flag set); it exits once bound.
	UdhcpcBroadcast ClientKind = "udhcpc-B"
	// Dhcpcd is dhcpcd in one-shot mode, with its run and lease directories
	// private to it; it configures the address itself and exits once bound.
	Dhcpcd ClientKind = "dhcpcd"
)

// AllClients lists every client kind.
var AllClients = []ClientKind{Dhclient, Udhcpc, UdhcpcBroadcast, Dhcpcd}

// Program is the binary a client kind runs.
func (k ClientKind) Program() string {
	if k == UdhcpcBroadcast {
		return string(Udhcpc)
	}
	return string(k)
}

// clientTimeout is how long a client keeps trying before it gives up by itself.
const clientTimeout = 30 * time.Second

// Client is a DHCP client the lab started on one interface.
type Client struct {
	Kind ClientKind
	// Proc is the client process.
	Proc *Proc

	l       *Lab
	ns      string
	ifname  string
	record  string
	release []string // dhclient's command that releases the lease
}

// ClientOptions are a client's rarer settings; the zero value is what
// StartClient runs.
type ClientOptions struct {
	// Config adds lines to dhclient's or dhcpcd's config file, e.g.
	// `send fqdn.fqdn "laptop.example.test.";` or `hostname phone`.
	Config []string
	// Hostname is the host name udhcpc sends (-x hostname:NAME).
	Hostname string
}

// StartClient starts a client of the given kind on ifname in ns.
func (l *Lab) StartClient(kind ClientKind, ns, ifname string) *Client {
	l.t.Helper()
	return l.StartClientOpts(kind, ns, ifname, ClientOptions{})
}

// StartClientOpts is StartClient with o.
func (l *Lab) StartClientOpts(kind ClientKind, ns, ifname string, o ClientOptions) *Client {
	l.t.Helper()
	c := &Client{Kind: kind, l: l, ns: ns, ifname: ifname, record: l.nextName(string(kind)+"-"+ifname, ".events")}
	if strings.ContainsAny(c.record, "'\n") {
		l.t.Fatalf("failed to start %s: the lab directory %q cannot be quoted in a script", kind, l.dir)
	}
	if err := os.WriteFile(c.record, nil, 0o600); err != nil {
		l.t.Fatalf("failed to create %s: %v", c.record, err)
	}
	script := l.nextName(string(kind)+"-script", ".sh")
	if err := os.WriteFile(script, []byte(clientScript(kind, c.record)), 0o700); err != nil {
		l.t.Fatalf("failed to write client script: %v", err)
	}
	var spec ProcSpec
	switch kind {
	case Dhclient:
		spec = l.dhclientSpec(ns, ifname, script, o.Config)
		c.release = dhclientRelease(spec.Args)
	case Udhcpc, UdhcpcBroadcast:
		spec = udhcpcSpec(ns, ifname, script, kind == UdhcpcBroadcast)
		if o.Hostname != "" {
			spec.Args = append(spec.Args, "-x", "hostname:"+o.Hostname)
		}
	case Dhcpcd:
		spec = l.dhcpcdSpec(ns, ifname, script, o.Config)
	default:
		l.t.Fatalf("unknown DHCP client kind %q", kind)
	}
	c.Proc = l.StartProc(spec)
	return c
}

// dhclientSpec runs dhclient in the foreground with its own config, lease and
// pid files: retries every second or two, gives up after clientTimeout.
func (l *Lab) dhclientSpec(ns, ifname, script string, extra []string) ProcSpec {
	l.t.Helper()
	conf := l.nextName("dhclient", ".conf")
	text := fmt.Sprintf("timeout %d;\nretry 5;\ninitial-interval 1;\nbackoff-cutoff 2;\n", int(clientTimeout/time.Second))
	for _, line := range extra {
		text += line + "\n"
	}
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		l.t.Fatalf("failed to write dhclient config: %v", err)
	}
	return ProcSpec{NS: ns, Name: "dhclient-" + ifname, Args: []string{
		"dhclient", "-4", "-d", "-v", "-1", "-cf", conf, "-sf", script,
		"-lf", l.nextName("dhclient", ".leases"), "-pf", l.nextName("dhclient", ".pid"), ifname,
	}}
}

// udhcpcSpec runs udhcpc in the foreground: five discovers two seconds apart,
// exit once bound (-q) or when none answered (-n).
func udhcpcSpec(ns, ifname, script string, broadcast bool) ProcSpec {
	args := []string{"udhcpc", "-f", "-i", ifname, "-s", script, "-q", "-n", "-t", "5", "-T", "2"}
	name := "udhcpc-" + ifname
	if broadcast {
		args = append(args, "-B")
		name = "udhcpc-B-" + ifname
	}
	return ProcSpec{NS: ns, Name: name, Args: args}
}

// dhcpcdSpec runs dhcpcd once, in a private mount namespace where /run is an
// empty tmpfs and /var/lib/dhcpcd is a directory of the lab's: dhcpcd keeps its
// pid file, control socket and leases there, so several run side by side and
// nothing of theirs reaches the host.
func (l *Lab) dhcpcdSpec(ns, ifname, script string, extra []string) ProcSpec {
	l.t.Helper()
	state := l.nextName("dhcpcd-state", "")
	conf := l.nextName("dhcpcd", ".conf")
	if err := os.MkdirAll(state, 0o755); err != nil {
		l.t.Fatalf("failed to create dhcpcd state directory: %v", err)
	}
	if err := os.WriteFile(conf, []byte("# iphelper test lab\nnoarp\n"+strings.Join(append(extra, ""), "\n")), 0o644); err != nil {
		l.t.Fatalf("failed to write dhcpcd config: %v", err)
	}
	sh := fmt.Sprintf("mount -t tmpfs lab-run /run && mkdir -p /run/dhcpcd && mount --bind '%s' /var/lib/dhcpcd && "+
		"exec dhcpcd -4 -B -1 -d -t %d -f '%s' -c '%s' '%s'", state, int(clientTimeout/time.Second), conf, script, ifname)
	return ProcSpec{NS: ns, Name: "dhcpcd-" + ifname, Args: []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", sh}}
}

// dhclientRelease is the command that makes the dhclient of args release
// its lease: the same files, -r instead of the foreground flags. It also
// stops the running dhclient, through the pid file.
func dhclientRelease(args []string) []string {
	out := []string{"dhclient", "-4", "-r", "-v"}
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case "-4", "-d", "-v", "-1":
		default:
			out = append(out, args[i])
		}
	}
	return out
}

// Release makes a dhclient send a RELEASE of its lease and stop; it fails
// the test for the other kinds.
func (c *Client) Release() {
	c.l.t.Helper()
	if c.release == nil {
		c.l.t.Fatalf("%s cannot be told to release", c.Kind)
	}
	out, err := exec.Command("ip", append([]string{"netns", "exec", c.ns}, c.release...)...).CombinedOutput()
	if err != nil {
		c.l.t.Fatalf("dhclient -r in %s: %v\n%s", c.ns, err, out)
	}
}

// Leases returns every event the client's script recorded so far.
func (c *Client) Leases() []Lease {
	c.l.t.Helper()
	b, err := os.ReadFile(c.record)
	if err != nil {
		c.l.t.Fatalf("failed to read the events of %s: %v", c.Kind, err)
	}
	leases, err := parseRecords(string(b))
	if err != nil {
		c.l.t.Fatalf("%s: %v", c.Kind, err)
	}
	return leases
}

// WaitLease waits at most timeout for the client to be bound and returns that
// lease; it fails the test with the client's log when the client is not.
func (c *Client) WaitLease(timeout time.Duration) Lease {
	c.l.t.Helper()
	return c.WaitEvent(timeout, "BOUND", "REBOOT")
}

// WaitEvent waits at most timeout for a recorded event with an address among
// events (any when none are given) and returns the first.
func (c *Client) WaitEvent(timeout time.Duration, events ...string) Lease {
	c.l.t.Helper()
	var found Lease
	ok := WaitFor(func() bool {
		for _, l := range c.Leases() {
			if l.Addr.IsValid() && (len(events) == 0 || slices.Contains(events, l.Event)) {
				found = l
				return true
			}
		}
		return false
	}, timeout)
	if !ok {
		c.l.t.Fatalf("%s on %s: no %v within %s; events %v; log:\n%s",
			c.Kind, at(c.ns, c.ifname), events, timeout, c.Leases(), tail(c.Proc.Log(), logTail))
	}
	return found
}

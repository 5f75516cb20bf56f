package lab

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RelayKind names the relay under test.
type RelayKind string

// The relays the lab runs. ISC dhcrelay is a known-good relay: every scenario
// that does not need an iphelper feature runs against it too, which proves the
// lab, the peers and the assertions independently of iphelper.
const (
	Iphelper RelayKind = "iphelper"
	Dhcrelay RelayKind = "dhcrelay"
)

// RelayEnv is the environment variable that picks the relay the scenarios run
// against: "iphelper" (the default) or "dhcrelay".
const RelayEnv = "IPHELPER_TEST_RELAY"

// RelayKindFromEnv returns the relay named by IPHELPER_TEST_RELAY.
func RelayKindFromEnv() (RelayKind, error) {
	switch v := os.Getenv(RelayEnv); v {
	case "", string(Iphelper):
		return Iphelper, nil
	case string(Dhcrelay):
		return Dhcrelay, nil
	default:
		return "", fmt.Errorf("%s=%q: want %q or %q", RelayEnv, v, Iphelper, Dhcrelay)
	}
}

// relayStart bounds how long a relay may take to open its sockets.
const relayStart = 15 * time.Second

// RelaySpec is what a relay under test does, whichever relay it is.
type RelaySpec struct {
	// Downstream are the client-facing interfaces.
	Downstream []string
	// Upstream are the server-facing interfaces; only dhcrelay needs them
	// (iphelper sends through the kernel's routing).
	Upstream []string
	// Helpers are the DHCP servers requests are relayed to.
	Helpers []netip.Addr
	// IphelperBin is the iphelper binary (required for Iphelper).
	IphelperBin string
	// IphelperArgs are extra flags for `iphelper run` (--circuit-id, …).
	IphelperArgs []string
	// NoWait starts the relay without waiting for a listener per downstream
	// interface (one that does not exist yet); it still waits for the UDP
	// socket.
	NoWait bool
}

// Relay is a relay agent the lab started in the relay namespace.
type Relay struct {
	Kind RelayKind
	// Proc is the relay process: its log holds iphelper's debug lines.
	Proc *Proc
	// ControlSocket is iphelper's control socket (for `iphelper show
	// --control-socket`); "" for other relays.
	ControlSocket string

	l  *Lab
	ns string
}

// StartRelay starts the relay of the given kind for spec in ns and waits until
// it listens: `iphelper run --interface … --helper-address … --log-level debug`
// plus spec.IphelperArgs, or `dhcrelay -d -4 -a -iu … -id … HELPERS`.
func (l *Lab) StartRelay(kind RelayKind, ns string, spec RelaySpec) *Relay {
	l.t.Helper()
	var r *Relay
	switch kind {
	case Iphelper:
		args := []string{"run", "--log-level", "debug"}
		for _, d := range spec.Downstream {
			args = append(args, "--interface", d)
		}
		for _, h := range spec.Helpers {
			args = append(args, "--helper-address", h.String())
		}
		r = l.StartIphelper(ns, spec.IphelperBin, append(args, spec.IphelperArgs...)...)
	case Dhcrelay:
		if len(spec.IphelperArgs) > 0 {
			l.t.Fatalf("dhcrelay cannot do what the iphelper flags %q ask", spec.IphelperArgs)
		}
		r = l.StartDhcrelay(ns, spec.Upstream, spec.Downstream, spec.Helpers...)
	default:
		l.t.Fatalf("unknown relay kind %q", kind)
	}
	want := len(spec.Downstream)
	if spec.NoWait {
		want = 0
	}
	r.WaitListening(want, relayStart)
	return r
}

// StartIphelper runs `BIN ARGS…` (ARGS begin with the subcommand, "run") in ns.
func (l *Lab) StartIphelper(ns, bin string, args ...string) *Relay {
	l.t.Helper()
	if bin == "" {
		l.t.Fatalf("failed to start iphelper: no binary (see BuildIphelper)")
	}
	ctl := ""
	if len(args) > 0 && args[0] == "run" && !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--control-socket") }) {
		// The control socket lives in the file system, which every
		// namespace shares: each relay gets its own, under the lab's dir.
		l.mu.Lock()
		l.seq++
		ctl = filepath.Join(l.dir, fmt.Sprintf("control-%d.sock", l.seq))
		l.mu.Unlock()
		args = append([]string{"run", "--control-socket", ctl}, args[1:]...)
	}
	if len(args) > 0 && args[0] == "run" && os.Geteuid() == 0 && !slices.Contains(args, "--allow-root") {
		// The lab runs as root; iphelper refuses that unless told.
		args = append([]string{"run", "--allow-root"}, args[1:]...)
	}
	p := l.StartProc(ProcSpec{NS: ns, Name: "iphelper", Args: append([]string{bin}, args...)})
	return &Relay{Kind: Iphelper, Proc: p, l: l, ns: ns, ControlSocket: ctl}
}

// StartDhcrelay runs ISC dhcrelay in the foreground in ns, adding option 82
// (-a: circuit-id = the downstream interface's name, no remote-id).
func (l *Lab) StartDhcrelay(ns string, upstream, downstream []string, servers ...netip.Addr) *Relay {
	l.t.Helper()
	args := []string{"dhcrelay", "-d", "-4", "-a", "--no-pid"}
	for _, u := range upstream {
		args = append(args, "-iu", u)
	}
	for _, d := range downstream {
		args = append(args, "-id", d)
	}
	for _, s := range servers {
		args = append(args, s.String())
	}
	p := l.StartProc(ProcSpec{NS: ns, Name: "dhcrelay", Args: args})
	return &Relay{Kind: Dhcrelay, Proc: p, l: l, ns: ns}
}

// WaitListening waits until the relay holds a UDP socket on port 67 and at
// least packetSockets AF_PACKET sockets, as `ss` sees them in its namespace; it
// fails the test if the relay exits or the time runs out.
func (r *Relay) WaitListening(packetSockets int, timeout time.Duration) {
	r.l.t.Helper()
	owner := regexp.MustCompile(`pid=` + strconv.Itoa(r.Proc.Pid()) + `,`)
	count := func(args ...string) int {
		out, err := runCmd(append([]string{"ip", "netns", "exec", r.ns, "ss", "-H"}, args...)...)
		if err != nil {
			return 0
		}
		n := 0
		for _, line := range strings.Split(out, "\n") {
			if owner.MatchString(line) {
				n++
			}
		}
		return n
	}
	ok := WaitFor(func() bool {
		return r.Proc.Exited() ||
			(count("-lnup", "sport", "=", ":67") > 0 && count("-0", "-p") >= packetSockets)
	}, timeout)
	if !ok || r.Proc.Exited() {
		r.l.t.Fatalf("%s did not start listening in %s within %s (exited: %v):\n%s",
			r.Kind, r.ns, timeout, r.Proc.Exited(), tail(r.Proc.Log(), logTail))
	}
}

// WaitLog waits at most timeout for substr in the relay's log.
func (r *Relay) WaitLog(substr string, timeout time.Duration) bool {
	return r.Proc.WaitLog(substr, timeout)
}

// DefaultOption82 is the option 82 the relay adds, by default, to a request from
// the downstream interface ifname: circuit-id = ifname for both relays, and for
// iphelper remote-id = the host name.
func (r *Relay) DefaultOption82(ifname string) []SubOption {
	r.l.t.Helper()
	subs := []SubOption{{Code: SubOptCircuitID, Data: []byte(ifname)}}
	if r.Kind == Iphelper {
		host, err := os.Hostname()
		if err != nil {
			r.l.t.Fatalf("failed to read the host name: %v", err)
		}
		subs = append(subs, SubOption{Code: SubOptRemoteID, Data: []byte(host)})
	}
	return subs
}

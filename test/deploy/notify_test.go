package deploy

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// The unit is Type=notify: iphelper, run as the unit runs it, sends READY=1
// to $NOTIFY_SOCKET once UDP port 67 and the downstream packet socket are
// open, and STOPPING=1 when it is told to stop.
func TestSystemdNotify(t *testing.T) {
	bin := iphelperBin(t)
	l, tp := capsLab(t)
	dir := nobodyDir(t)
	socket := filepath.Join(dir, "notify")
	n, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer n.Close()
	if err := os.Chown(socket, nobodyUID, nobodyGID); err != nil {
		t.Fatalf("%v", err)
	}

	args := append(setprivArgs(unitCapabilities(t)), bin, "run",
		"--interface", tp.Segments[0].RelayIf, "--helper-address", tp.Servers[0].Addr.String(),
		"--control-socket", filepath.Join(dir, "control.sock"), "--lease-db", filepath.Join(dir, "leases.db"))
	p := l.StartProc(lab.ProcSpec{NS: tp.Relay, Name: "iphelper", Args: args, Env: []string{"NOTIFY_SOCKET=" + socket}})

	state, err := readNotify(n, startTimeout)
	if err != nil || !hasLine(state, "READY=1") {
		t.Fatalf("want READY=1 within %s, got %q (%v); iphelper:\n%s", startTimeout, state, err, p.Log())
	}
	udp, packet := listening(t, tp.Relay, p.Pid())
	if !udp || packet < 1 {
		t.Errorf("at READY=1 iphelper had UDP port 67 open: %v, packet sockets: %d; want port 67 and 1", udp, packet)
	}

	p.Stop()
	state, err = readNotify(n, exitTimeout)
	if err != nil || !hasLine(state, "STOPPING=1") {
		t.Errorf("want STOPPING=1 after SIGTERM, got %q (%v); iphelper:\n%s", state, err, p.Log())
	}
}

// readNotify reads one notification within timeout.
func readNotify(c *net.UnixConn, timeout time.Duration) (string, error) {
	if err := c.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return "", err
	}
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	return string(buf[:n]), err
}

// hasLine reports whether the notification state has the assignment line.
func hasLine(state, line string) bool {
	for _, l := range strings.Split(state, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// listening reports whether process pid holds a UDP socket on port 67 and
// how many packet sockets it holds, as `ss` sees them in namespace ns.
func listening(t *testing.T, ns string, pid int) (udp67 bool, packet int) {
	t.Helper()
	owner := regexp.MustCompile(`pid=` + strconv.Itoa(pid) + `,`)
	count := func(args ...string) int {
		out := mustRun(t, "ip", append([]string{"netns", "exec", ns, "ss", "-H"}, args...)...)
		n := 0
		for _, line := range strings.Split(out, "\n") {
			if owner.MatchString(line) {
				n++
			}
		}
		return n
	}
	return count("-lnup", "sport", "=", ":67") > 0, count("-0", "-p")
}

package integration

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// The reload scenario's bounds.
const (
	// The load runs at least opsLoadMin DORAs and goes on while the
	// reloads run, but never past opsLoadMax DORAs or opsLoadTimeout.
	opsLoadMin     = 40
	opsLoadMax     = 400
	opsLoadTimeout = time.Minute
	// opsReloads good reloads are made opsReloadGap apart; each is given
	// opsReloadTimeout to be logged as applied (or rejected).
	opsReloads       = 6
	opsReloadGap     = 100 * time.Millisecond
	opsReloadTimeout = 5 * time.Second
)

// The log lines of a reload.
const (
	logReloaded = `msg="configuration reloaded"`
	logRejected = `msg="reload rejected: keeping the running configuration"`
)

// opsReloadConfig is the scenario's config file: down0 and down1 relay to
// the helper, and only down1's circuit-id changes from one reload to the
// next.
func opsReloadConfig(helper netip.Addr, circuitID string) string {
	return fmt.Sprintf(`# iphelper test lab: reload scenario
interfaces:
  - name: down0
    helper-addresses: [%s]
  - name: down1
    helper-addresses: [%s]
    information-option:
      circuit-id: %q
`, helper, helper, circuitID)
}

// opsCircuitID is down1's circuit-id in version n of the config.
func opsCircuitID(n int) string { return fmt.Sprintf("down1-v%d", n) }

// Operations scenario: while a load generator runs DORAs on down0, the config file is
// rewritten (only down1's circuit-id changes) and iphelper reloaded by
// SIGHUP again and again: no transaction on down0 is lost, down0 keeps its
// state and socket, down1 takes the new circuit-id. Then a broken file
// (an unknown key) is rejected — by SIGHUP and by `iphelper reload` — and
// the daemon keeps serving with its interfaces unchanged.
func TestOpsReloadUnderLoad(t *testing.T) {
	s := newScenario(t, "kea-dhcp4")
	s.needIphelper("live reload")
	tp := s.l.Standard()
	cl2, _ := opsSegment(s.l, tp, "cl2", "down1", lab.LateVLANNet)
	srv := tp.Servers[0]
	s.l.StartKea(srv.NS, srv.Addr, tp.ServerConfig(0))
	file := filepath.Join(s.l.Dir(), "iphelper.yaml")
	opsWriteFile(t, file, opsReloadConfig(srv.Addr, opsCircuitID(0)))
	relay := s.l.StartIphelper(tp.Relay, build.bin, "run", "--config", file, "--log-level", "debug", "--metrics-listen", opsMetricsAddr,
		// The load is one emulated client doing hundreds of DORAs a second: a
		// load tool, not a client, so the per-client limit is off here.
		"--rate-limit-client", "off")
	relay.WaitListening(2, 15*time.Second)
	ctl := newOpsCtl(t, s.l, relay, tp.Relay)
	before := ctl.interfaces()
	socketsBefore := opsPacketSockets(t, s.l, tp.Relay, relay.Proc.Pid())

	load := newOpsLoad(s.l, tp.Client, lab.ClientIf, 0x0a000000)
	runLoadWhileReloading(t, load, func() error { return opsReloadLoop(relay, file, srv.Addr) })

	after := ctl.interfaces()
	ignore := cmpopts.IgnoreFields(control.Interface{}, "Counters")
	if diff := opsDiff(before["down0"], after["down0"], ignore); diff != "" {
		t.Errorf("down0, whose config did not change, changed across the reloads (-before +after):\n%s", diff)
	}
	want1 := before["down1"]
	want1.CircuitID = opsCircuitID(opsReloads)
	if diff := opsDiff(want1, after["down1"], ignore); diff != "" {
		t.Errorf("down1 after the reloads (-want +got):\n%s", diff)
	}
	if n := opsLogCount(relay.Proc, `msg="interface state changed" iface=down0 `); n != 1 {
		t.Errorf("iphelper logged %d state changes of down0, want 1 (its start): the reloads touched it", n)
	}
	if d := after["down0"].Counters.Drops; len(d) > 0 {
		t.Errorf("down0 dropped packets during the reloads: %v", d)
	}
	socketsAfter := opsPacketSockets(t, s.l, tp.Relay, relay.Proc.Pid())
	t.Logf("the relay's packet sockets (interface: inodes) before the reloads %v, after %v", socketsBefore, socketsAfter)
	if diff := opsDiff(socketsBefore["down0"], socketsAfter["down0"]); diff != "" || len(socketsBefore["down0"]) == 0 {
		t.Errorf("down0's packet socket did not stay across the reloads (-before +after):\n%s", diff)
	}
	if !newOpsLoad(s.l, cl2, lab.ClientIf, 0x0b000000).dora() {
		t.Errorf("a DORA on down1 failed after the reloads")
	}

	checkBrokenConfigRejected(t, s.l, ctl, load, file, after)
	checkReloadMetrics(t, s.l, tp.Relay)
}

// runLoadWhileReloading runs the load's DORAs, at least opsLoadMin and for
// as long as reload (started in a goroutine) runs, within the bounds, and
// checks none was lost and reload succeeded.
func runLoadWhileReloading(t *testing.T, load *opsLoad, reload func() error) {
	t.Helper()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- reload() }()
	var reloadErr error
	reloading := true
	var reloadsTook time.Duration
	for load.doras < opsLoadMax && time.Since(start) < opsLoadTimeout && (reloading || load.doras < opsLoadMin) {
		load.dora()
		if reloading {
			select {
			case reloadErr = <-done:
				reloading, reloadsTook = false, time.Since(start)
			default:
			}
		}
	}
	if reloading {
		reloadErr = <-done // bounded: each step of the loop is
		reloadsTook = time.Since(start)
	}
	t.Logf("load on down0: %d DORAs in %s (slowest %s), %d offers and %d ACKs lost; the %d reloads took %s",
		load.doras, opsDuration(time.Since(start)), opsDuration(load.slowest), load.lostOffers, load.lostAcks, opsReloads, opsDuration(reloadsTook))
	if reloadErr != nil {
		t.Errorf("reloading: %v", reloadErr)
	}
	if load.lostOffers+load.lostAcks > 0 {
		t.Errorf("the load on down0 lost %d OFFERs and %d ACKs across the reloads, want none", load.lostOffers, load.lostAcks)
	}
	if load.doras < opsLoadMin {
		t.Errorf("the load ran %d DORAs, want at least %d", load.doras, opsLoadMin)
	}
}

// opsReloadLoop rewrites the config file opsReloads times, changing down1's
// circuit-id, and after each sends SIGHUP and waits for iphelper to log the
// reload. It runs on a goroutine of its own: it returns its error instead
// of failing the test.
func opsReloadLoop(relay *lab.Relay, file string, helper netip.Addr) error {
	for n := 1; n <= opsReloads; n++ {
		time.Sleep(opsReloadGap)
		if err := opsSighup(relay, file, opsReloadConfig(helper, opsCircuitID(n)), logReloaded, n); err != nil {
			return err
		}
	}
	return nil
}

// opsSighup writes text to file, sends SIGHUP to the relay (by its pid)
// and waits until its log holds the line logLine n times.
func opsSighup(relay *lab.Relay, file, text, logLine string, n int) error {
	if err := writeFileAtomic(file, text); err != nil {
		return err
	}
	if err := syscall.Kill(relay.Proc.Pid(), syscall.SIGHUP); err != nil {
		return fmt.Errorf("failed to send SIGHUP to iphelper (pid %d): %w", relay.Proc.Pid(), err)
	}
	if !lab.WaitFor(func() bool { return opsLogCount(relay.Proc, logLine) >= n }, opsReloadTimeout) {
		return fmt.Errorf("SIGHUP %d: iphelper did not log %s %d times within %s", n, logLine, n, opsReloadTimeout)
	}
	return nil
}

// checkBrokenConfigRejected writes a config file with an unknown key and
// checks SIGHUP and `iphelper reload` both reject it, the daemon keeps
// serving (a DORA on down0 succeeds) and its interfaces stay as they were.
func checkBrokenConfigRejected(t *testing.T, l *lab.Lab, ctl *opsCtl, load *opsLoad, file string, want map[string]control.Interface) {
	t.Helper()
	broken := opsReloadConfig(netip.MustParseAddr("198.51.100.2"), "broken") + "no-such-key: true\n"
	if err := opsSighup(ctl.relay, file, broken, logRejected, 1); err != nil {
		t.Fatalf("%v", err)
	}
	var rejected string
	for _, line := range strings.Split(ctl.relay.Proc.Log(), "\n") {
		if strings.Contains(line, logRejected) {
			rejected = line
		}
	}
	if !strings.Contains(rejected, "no-such-key") {
		t.Errorf("the rejection does not name the unknown key no-such-key: %s", rejected)
	}
	out, err := opsReloadCommand(ctl)
	if err == nil || !strings.Contains(out, "no-such-key") {
		t.Errorf("iphelper reload with a broken file: err %v, output %q; want a failure naming no-such-key", err, out)
	}
	if !load.dora() {
		t.Errorf("after the broken config was rejected, a DORA on down0 failed (%d offers, %d ACKs lost)", load.lostOffers, load.lostAcks)
	}
	got := ctl.interfaces()
	if diff := opsDiff(want, got, cmpopts.IgnoreFields(control.Interface{}, "Counters")); diff != "" {
		t.Errorf("show interfaces changed after a rejected reload (-before +after):\n%s", diff)
	}
	if ctl.relay.Proc.Exited() {
		t.Errorf("iphelper exited after the broken config:\n%s", ctl.relay.Proc.Log())
	}
}

// opsReloadCommand runs `iphelper reload` in the relay's namespace and
// returns its output and its exit error.
func opsReloadCommand(ctl *opsCtl) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opsReloadTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ctl.ns, build.bin, "reload", "--control-socket", ctl.relay.ControlSocket).CombinedOutput()
	return string(out), err
}

// checkReloadMetrics checks the reload counters: every good reload a
// success, the two rejections (SIGHUP and `iphelper reload`) failures.
func checkReloadMetrics(t *testing.T, l *lab.Lab, ns string) {
	t.Helper()
	m := scrape(t, l, ns)
	for _, w := range []struct {
		result string
		want   float64
	}{{"success", opsReloads}, {"failure", 2}} {
		if v, ok := m.value("iphelper_config_reloads_total", map[string]string{"result": w.result}); v != w.want {
			t.Errorf("iphelper_config_reloads_total{result=%q} = %v (present: %v), want %v", w.result, v, ok, w.want)
		}
	}
}

// opsPacketSockets lists the packet sockets of the process pid in ns, as
// `ss -0 -p -e` shows them: interface name → socket inodes.
func opsPacketSockets(t *testing.T, l *lab.Lab, ns string, pid int) map[string][]string {
	t.Helper()
	out := make(map[string][]string)
	owner := "pid=" + strconv.Itoa(pid) + ","
	for _, line := range strings.Split(l.Exec(ns, "ss", "-H", "-0", "-p", "-e"), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || !strings.Contains(line, owner) {
			continue
		}
		_, ifname, _ := strings.Cut(f[3], ":")
		if m := opsInode.FindStringSubmatch(line); m != nil {
			out[ifname] = append(out[ifname], m[1])
		}
	}
	return out
}

// opsInode finds a socket's inode in a line of ss -e.
var opsInode = regexp.MustCompile(`\bino:(\d+)`)

// writeFileAtomic replaces file with text through a rename, so that a
// reader never sees half of it.
func writeFileAtomic(file, text string) error {
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return fmt.Errorf("failed to write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, file); err != nil {
		return fmt.Errorf("failed to replace %s: %w", file, err)
	}
	return nil
}

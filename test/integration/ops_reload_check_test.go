package integration

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// opsFallbackConfig is a config file with a fallback pool on the standard
// client segment's interface.
func opsFallbackConfig(seg lab.Segment, helper, pool, db string) string {
	return fmt.Sprintf(`# iphelper test lab: reload check scenario
lease-db: %s
interfaces:
  - name: %s
    helper-addresses: [%s]
    fallback:
      pools: [%s]
`, db, seg.RelayIf, helper, pool)
}

// Reload and check-config agree: a file whose fallback pool lies outside
// its interface's subnet, which check-config rejects, is rejected by
// `iphelper reload` and by SIGHUP with the same reason, and the interface
// keeps serving its fallback scope. Such a reload used to be reported as
// applied while the relay switched that interface's fallback off.
func TestOpsReloadRejectsWhatCheckConfigRejects(t *testing.T) {
	s := newScenario(t)
	s.needIphelper("live reload")
	tp := s.l.Standard()
	seg := tp.Segments[0]
	helper := tp.Servers[0].Addr.String()
	db := filepath.Join(s.l.Dir(), "leases.db")
	file := filepath.Join(s.l.Dir(), "iphelper.yaml")
	opsWriteFile(t, file, opsFallbackConfig(seg, helper, "203.0.113.100-203.0.113.120", db))
	relay := s.l.StartIphelper(tp.Relay, build.bin, "run", "--config", file)
	relay.WaitListening(1, 15*time.Second)
	ctl := newOpsCtl(t, s.l, relay, tp.Relay)
	serving := func() control.Interface {
		t.Helper()
		var got control.Interface
		lab.WaitFor(func() bool {
			got = ctl.interfaces()[seg.RelayIf]
			return got.Fallback == "serving"
		}, opsReloadTimeout)
		return got
	}
	if got := serving(); got.Fallback != "serving" {
		t.Fatalf("%s's fallback at start: %q (%s), want serving", seg.RelayIf, got.Fallback, got.FallbackReason)
	}

	const reason = `interface "down0": address 203.0.113.1/25: fallback.pools[0]: 203.0.113.200-203.0.113.210 is not inside 203.0.113.0/25`
	outside := opsFallbackConfig(seg, helper, "203.0.113.200-203.0.113.210", db)
	if err := writeFileAtomic(file, outside); err != nil {
		t.Fatal(err)
	}
	out, err := opsRun(tp.Relay, "check-config", file)
	if code := exitCode(err); code != 1 || !strings.Contains(out, reason) {
		t.Fatalf("check-config of the file: status %d, output %q; want status 1 and %q", code, out, reason)
	}
	out, err = opsReloadCommand(ctl)
	if code := exitCode(err); code != 1 || !strings.Contains(out, reason) {
		t.Errorf("iphelper reload: status %d, output %q; want status 1 and %q", code, out, reason)
	}
	if err := opsSighup(relay, file, outside, logRejected, 2); err != nil {
		t.Errorf("SIGHUP: %v", err)
	}
	if n := strings.Count(relay.Proc.Log(), strings.TrimPrefix(reason, `interface "down0": `)); n < 2 {
		t.Errorf("the log names the reason %d times, want 2 (reload and SIGHUP):\n%s", n, relay.Proc.Log())
	}
	if got := ctl.interfaces()[seg.RelayIf]; got.Fallback != "serving" {
		t.Errorf("%s's fallback after the rejected reloads: %q (%s), want serving", seg.RelayIf, got.Fallback, got.FallbackReason)
	}
	if strings.Contains(relay.Proc.Log(), "fallback disabled") {
		t.Errorf("the relay disabled a fallback:\n%s", relay.Proc.Log())
	}
}

// opsRun runs `iphelper ARGS…` in ns and returns its output and exit error.
func opsRun(ns string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opsReloadTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, build.bin}, args...)...).CombinedOutput()
	return string(out), err
}

// exitCode is the exit status an exec error carries: 0 for nil, -1 when
// the command did not run to an exit.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

package deploy

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// repoRoot is the repository, seen from this package's directory (where go
// test runs it).
const repoRoot = "../.."

// cmdTimeout bounds every short command the tests run.
const cmdTimeout = time.Minute

// skipOrFail skips t, or fails it in CI, where nothing may skip.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if lab.InCI() {
		t.Fatalf("CI=true, so not skipping: %s", msg)
	}
	t.Skip(msg)
}

// requireTool skips t (fails it in CI) unless prog, from the Debian package
// pkg, is installed.
func requireTool(t *testing.T, prog, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(prog); err != nil {
		skipOrFail(t, fmt.Sprintf("%s is not installed (Debian package %s)", prog, pkg))
	}
}

// command runs name with args, bounded in time, and returns its combined
// output; err says how it failed, with the output.
func command(env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// mustRun runs name with args and returns its output, or fails the test.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := command(nil, name, args...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

// unitFile is the systemd unit deploy/ ships.
var unitFile = filepath.Join(repoRoot, "deploy", "iphelper.service")

// unitSettings parses a systemd unit into section.Key → values, in order
// (a key may repeat: ExecReload). Comments and blank lines are skipped; the
// unit uses no line continuations.
func unitSettings(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer f.Close()
	settings := make(map[string][]string)
	section := ""
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" || strings.HasSuffix(line, `\`) {
				t.Fatalf("%s:%d: not a Key=value line in a section: %q", path, n, line)
			}
			key := section + "." + strings.TrimSpace(k)
			settings[key] = append(settings[key], strings.TrimSpace(v))
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("%v", err)
	}
	return settings
}

// unitCapabilities returns the capabilities the unit grants (its
// AmbientCapabilities), in setpriv's spelling: net_raw, net_bind_service.
func unitCapabilities(t *testing.T) []string {
	t.Helper()
	amb := unitSettings(t, unitFile)["Service.AmbientCapabilities"]
	if len(amb) != 1 {
		t.Fatalf("%s: want one AmbientCapabilities= line, got %q", unitFile, amb)
	}
	var caps []string
	for _, c := range strings.Fields(amb[0]) {
		caps = append(caps, strings.ToLower(strings.TrimPrefix(c, "CAP_")))
	}
	return caps
}

// Who the tests run iphelper as: the traditional unprivileged nobody.
const (
	nobodyUID = 65534
	nobodyGID = 65534
)

// setprivArgs runs a program as nobody with exactly caps (setpriv names)
// as its ambient, inheritable and bounding capabilities and no new
// privileges, as systemd runs the unit's User= with AmbientCapabilities=,
// CapabilityBoundingSet= and NoNewPrivileges=yes.
func setprivArgs(caps []string) []string {
	inh, amb, bnd := "-all", "-all", "-all"
	for _, c := range caps {
		inh += ",+" + c
		bnd += ",+" + c
	}
	if len(caps) > 0 {
		amb = "+" + strings.Join(caps, ",+")
	}
	return []string{
		"setpriv",
		fmt.Sprintf("--reuid=%d", nobodyUID), fmt.Sprintf("--regid=%d", nobodyGID), "--clear-groups",
		"--inh-caps=" + inh, "--ambient-caps=" + amb, "--bounding-set=" + bnd,
		"--no-new-privs",
	}
}

// nobodyDir returns a new directory that only nobody may write, like the
// unit's StateDirectory and RuntimeDirectory, under a parent every user may
// enter. It is removed when the test ends.
func nobodyDir(t *testing.T) string {
	t.Helper()
	parent, err := os.MkdirTemp("", "iphelper-nobody-")
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	dir := filepath.Join(parent, "state")
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatalf("%v", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatalf("%v", err)
	}
	if err := os.Chown(dir, nobodyUID, nobodyGID); err != nil {
		t.Fatalf("%v", err)
	}
	return dir
}

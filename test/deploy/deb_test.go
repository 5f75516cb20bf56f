package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/test/lab"
)

// The package's name, and what it owns outside its file list.
const (
	pkgName  = "iphelper"
	pkgUser  = "iphelper"
	stateDir = "/var/lib/iphelper"
	etcDir   = "/etc/iphelper"
)

// debFiles are the files of the package (directories aside) and their
// modes, as `dpkg-deb -c` lists them.
var debFiles = map[string]string{
	"/usr/sbin/iphelper":                                 "-rwxr-xr-x root/root",
	"/lib/systemd/system/iphelper.service":               "-rw-r--r-- root/root",
	"/etc/iphelper/iphelper.yaml":                        "-rw-r--r-- root/root",
	"/usr/share/doc/iphelper/iphelper.yaml.example":      "-rw-r--r-- root/root",
	"/usr/share/doc/iphelper/changelog.gz":               "-rw-r--r-- root/root",
	"/usr/share/man/man8/iphelper.8.gz":                  "-rw-r--r-- root/root",
	"/usr/share/bash-completion/completions/iphelper":    "-rw-r--r-- root/root",
	"/usr/share/zsh/vendor-completions/_iphelper":        "-rw-r--r-- root/root",
	"/usr/share/fish/vendor_completions.d/iphelper.fish": "-rw-r--r-- root/root",
}

// buildTimeout bounds deploy/build-deb.sh: the first run fetches nfpm
// through the Go module proxy and builds it.
const buildTimeout = 8 * time.Minute

// The .deb that `make deb` builds installs with dpkg on this machine with
// its files, user and unit, starts nothing, survives a reinstall, keeps its
// conffile and user on remove, and leaves nothing behind on purge.
func TestDebPackage(t *testing.T) {
	lab.Require(t)
	for _, tool := range [][2]string{
		{"dpkg", "dpkg"}, {"dpkg-deb", "dpkg"}, {"dpkg-query", "dpkg"}, {"adduser", "adduser"},
		{"deluser", "adduser"}, {"getent", "libc-bin"}, {"ss", "iproute2"}, {"gzip", "gzip"},
	} {
		requireTool(t, tool[0], tool[1])
	}
	guardMachine(t)

	deb := buildDeb(t)
	checkDebContents(t, deb)

	install(t, deb)
	checkInstalled(t)
	checkNotStarted(t)
	install(t, deb) // a reinstall runs postinst configure with the old version
	checkInstalled(t)

	// What the service would have made: leases in its StateDirectory.
	uid, gid := userIDs(t)
	if err := os.MkdirAll(stateDir, 0o750); err != nil {
		t.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(stateDir, "leases.db"), []byte("leases"), 0o600); err != nil {
		t.Fatalf("%v", err)
	}
	for _, p := range []string{stateDir, filepath.Join(stateDir, "leases.db")} {
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatalf("%v", err)
		}
	}

	mustRun(t, "dpkg", "--remove", pkgName)
	if got := pkgStatus(t); got != "config-files" {
		t.Errorf("after dpkg --remove the package status is %q, want config-files", got)
	}
	for _, p := range []string{"/usr/sbin/iphelper", "/lib/systemd/system/iphelper.service"} {
		checkGone(t, "after dpkg --remove", p)
	}
	checkExists(t, "after dpkg --remove (a conffile)", "/etc/iphelper/iphelper.yaml")
	if _, err := command(nil, "getent", "passwd", pkgUser); err != nil {
		t.Errorf("after dpkg --remove the user %s is gone, want it kept until purge", pkgUser)
	}

	mustRun(t, "dpkg", "--purge", pkgName)
	checkPurged(t)
}

// guardMachine skips the test (fails it in CI) when this machine already
// has something called iphelper that the package would take over or that
// a purge would delete: never remove what is not the test's.
func guardMachine(t *testing.T) {
	t.Helper()
	if st := pkgStatus(t); st != "not-installed" {
		skipOrFail(t, "a package named iphelper is already on this machine (status "+st+"): not touching it")
	}
	if _, err := command(nil, "getent", "passwd", pkgUser); err == nil {
		skipOrFail(t, "a user named iphelper already exists on this machine: not touching it")
	}
	if _, err := command(nil, "getent", "group", pkgUser); err == nil {
		skipOrFail(t, "a group named iphelper already exists on this machine: not touching it")
	}
	for _, d := range []string{stateDir, etcDir} {
		if _, err := os.Lstat(d); err == nil {
			skipOrFail(t, d+" already exists on this machine: not touching it")
		}
	}
	clearStaleRunDir(t)
}

// clearStaleRunDir deals with /run/iphelper, which purge removes: a daemon
// that serves its control socket there is someone's, and is not touched;
// an empty directory, or one whose socket no daemon answers on, is the
// leftover of a daemon run by hand, and is removed.
func clearStaleRunDir(t *testing.T) {
	t.Helper()
	const dir = "/run/iphelper"
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		skipOrFail(t, fmt.Sprintf("cannot read %s: %v: not touching it", dir, err))
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.Type()&os.ModeSocket == 0 {
			skipOrFail(t, p+" exists on this machine and is not a socket: not touching it")
		}
		if c, err := net.Dial("unix", p); err == nil {
			c.Close()
			skipOrFail(t, "a daemon serves "+p+" on this machine: not touching it")
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatalf("failed to remove the stale %s: %v", dir, err)
	}
	t.Logf("removed a stale %s (empty, or with a dead socket)", dir)
}

// pkgStatus is dpkg's status of the package: "not-installed" when dpkg
// does not know it.
func pkgStatus(t *testing.T) string {
	t.Helper()
	out, err := command(nil, "dpkg-query", "--show", "--showformat=${db:Status-Status}", pkgName)
	if err != nil {
		if strings.Contains(out, "no packages found") {
			return "not-installed"
		}
		t.Fatalf("%v", err)
	}
	return strings.TrimSpace(out)
}

// buildDeb runs deploy/build-deb.sh, as `make deb` does, and returns the
// .deb's path.
func buildDeb(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repoRoot, "deploy", "build-deb.sh"), t.TempDir())
	cmd.Env = append(os.Environ(), "VERSION=0.0.0+test")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("deploy/build-deb.sh: %v\n%s%s", err, out, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	deb := lines[len(lines)-1]
	if !strings.HasSuffix(deb, ".deb") {
		t.Fatalf("deploy/build-deb.sh printed %q last, want the .deb's path:\n%s%s", deb, out, stderr.Bytes())
	}
	t.Logf("built %s", deb)
	return deb
}

// checkDebContents checks the package's file list, control fields and
// conffiles.
func checkDebContents(t *testing.T, deb string) {
	t.Helper()
	got := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSpace(mustRun(t, "dpkg-deb", "--contents", deb)), "\n") {
		// -rw-r--r-- root/root 1212 2026-11-30 14:42 ./etc/iphelper/iphelper.yaml
		f := strings.Fields(line)
		if len(f) != 6 {
			t.Fatalf("dpkg-deb --contents: unexpected line %q", line)
		}
		if f[0][0] != 'd' {
			got[strings.TrimPrefix(f[5], ".")] = f[0] + " " + f[1]
		}
	}
	if diff := cmp.Diff(debFiles, got); diff != "" {
		t.Errorf("files in the .deb (-want +got):\n%s", diff)
	}
	fields := mustRun(t, "dpkg-deb", "--field", deb, "Package", "Version", "Maintainer", "Depends")
	if diff := cmp.Diff("Package: iphelper\nVersion: 0.0.0+test\nMaintainer: "+maintainer+"\nDepends: adduser\n", fields); diff != "" {
		t.Errorf("control fields (-want +got):\n%s", diff)
	}
	conffiles := mustRun(t, "dpkg-deb", "--info", deb, "conffiles")
	if diff := cmp.Diff("/etc/iphelper/iphelper.yaml\n", conffiles); diff != "" {
		t.Errorf("conffiles (-want +got):\n%s", diff)
	}
}

// install runs dpkg -i, and makes sure the test purges what it installed.
func install(t *testing.T, deb string) {
	t.Helper()
	t.Cleanup(func() {
		if st := pkgStatus(t); st != "not-installed" {
			if out, err := command(nil, "dpkg", "--purge", pkgName); err != nil {
				t.Errorf("cleanup: %v\n%s", err, out)
			}
		}
	})
	if _, err := command([]string{"DEBIAN_FRONTEND=noninteractive"}, "dpkg", "--install", deb); err != nil {
		t.Fatalf("%v", err)
	}
	if got := pkgStatus(t); got != "installed" {
		t.Fatalf("after dpkg --install the package status is %q, want installed", got)
	}
}

// checkInstalled checks the installed files, the user and the unit.
func checkInstalled(t *testing.T) {
	t.Helper()
	for path, mode := range debFiles {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("installed file: %v", err)
			continue
		}
		if got, want := fi.Mode().String(), mode[:10]; got != want {
			t.Errorf("%s has mode %s, want %s", path, got, want)
		}
	}
	for path, src := range map[string]string{
		"/lib/systemd/system/iphelper.service":          "deploy/iphelper.service",
		"/etc/iphelper/iphelper.yaml":                   "deploy/debian/iphelper.yaml",
		"/usr/share/doc/iphelper/iphelper.yaml.example": "deploy/iphelper.yaml",
	} {
		sameContent(t, path, filepath.Join(repoRoot, src))
	}
	checkManPage(t)
	checkChangelog(t)
	if c := readFile(t, "/usr/share/bash-completion/completions/iphelper"); !strings.Contains(c, "complete -F _iphelper 'iphelper'") {
		t.Errorf("the bash completion does not register _iphelper for iphelper:\n%.400s", c)
	}
	checkUser(t)
	verifyUnit(t)

	// As installed, the configuration is rejected, so the unit's
	// ExecStartPre stops an accidental start.
	out, err := command(nil, "/usr/sbin/iphelper", "check-config", "/etc/iphelper/iphelper.yaml")
	if want := "no downstream interfaces"; err == nil || !strings.Contains(out, want) {
		t.Errorf("check-config of the installed configuration: err %v, output:\n%s\nwant a failure saying %q", err, out, want)
	}
}

// checkManPage checks that the installed man page is iphelper(8) and
// documents run's flags.
func checkManPage(t *testing.T) {
	t.Helper()
	f, err := os.Open("/usr/share/man/man8/iphelper.8.gz")
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Errorf("man page: %v", err)
		return
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		t.Errorf("man page: %v", err)
		return
	}
	text := strings.ReplaceAll(string(page), `\-`, "-")
	for _, want := range []string{".TH iphelper 8", "--helper-address", "--interface", ".SH FILES"} {
		if !strings.Contains(text, want) {
			t.Errorf("the installed man page lacks %q", want)
		}
	}
}

// checkUser checks the system user and group postinst created.
func checkUser(t *testing.T) {
	t.Helper()
	out, err := command(nil, "getent", "passwd", pkgUser)
	if err != nil {
		t.Errorf("no user %s after install: %v", pkgUser, err)
		return
	}
	// iphelper:x:105:107::/nonexistent:/usr/sbin/nologin
	f := strings.Split(strings.TrimSpace(out), ":")
	if len(f) != 7 {
		t.Fatalf("getent passwd %s: %q", pkgUser, out)
	}
	if uid, err := strconv.Atoi(f[2]); err != nil || uid >= 1000 || uid == 0 {
		t.Errorf("user %s has uid %s, want a system uid (1..999)", pkgUser, f[2])
	}
	if diff := cmp.Diff([]string{"/nonexistent", "/usr/sbin/nologin"}, f[5:]); diff != "" {
		t.Errorf("user %s's home and shell (-want +got):\n%s", pkgUser, diff)
	}
	grp, err := command(nil, "getent", "group", pkgUser)
	if err != nil {
		t.Errorf("no group %s after install: %v", pkgUser, err)
		return
	}
	if g := strings.Split(grp, ":"); len(g) < 3 || g[2] != f[3] {
		t.Errorf("user %s's primary group is %s, want the group %s (%q)", pkgUser, f[3], pkgUser, grp)
	}
}

// userIDs returns the uid and gid of the package's user.
func userIDs(t *testing.T) (int, int) {
	t.Helper()
	f := strings.Split(strings.TrimSpace(mustRun(t, "getent", "passwd", pkgUser)), ":")
	uid, err1 := strconv.Atoi(f[2])
	gid, err2 := strconv.Atoi(f[3])
	if err := errors.Join(err1, err2); err != nil || len(f) != 7 {
		t.Fatalf("getent passwd %s: %q: %v", pkgUser, f, err)
	}
	return uid, gid
}

// maxExposure is the highest `systemd-analyze security` exposure the unit
// may have, times ten (its --threshold): the unit's hardening scores 1.6
// today, so a lost hardening line fails the test.
const maxExposure = 20

// verifyUnit checks the installed unit without a running systemd (neither
// the development machines nor CI boot it): systemd-analyze verify (its
// syntax, its executables, and with man its Documentation=man:iphelper(8)),
// its hardening offline (systemd-analyze security), and that the package
// did not enable it (systemctl --root, which reads the unit links).
func verifyUnit(t *testing.T) {
	t.Helper()
	lab.RequireTools(t, "systemd-analyze", "systemctl", "man")
	const unit = "/lib/systemd/system/iphelper.service"
	out, err := command(nil, "systemd-analyze", "verify", unit)
	if err != nil || strings.Contains(out, "iphelper.service:") {
		t.Errorf("systemd-analyze verify iphelper.service: %v\n%s", err, out)
	}
	out, err = command(nil, "systemd-analyze", "security", "--offline=true", "--no-pager", fmt.Sprintf("--threshold=%d", maxExposure), unit)
	if err != nil {
		t.Errorf("systemd-analyze security iphelper.service: exposure over %d.%d, or it failed: %v\n%s", maxExposure/10, maxExposure%10, err, out)
	}
	got, _ := command(nil, "systemctl", "--root=/", "is-enabled", "iphelper.service")
	if strings.TrimSpace(got) != "disabled" {
		t.Errorf("systemctl --root=/ is-enabled iphelper.service = %q after install, want \"disabled\"", strings.TrimSpace(got))
	}
}

// checkNotStarted checks that installing started no iphelper: no process
// runs /usr/sbin/iphelper and nothing of it listens on UDP port 67 in this
// (the root) namespace. (That the unit is not enabled is verifyUnit's.)
func checkNotStarted(t *testing.T) {
	t.Helper()
	exes, _ := filepath.Glob("/proc/[0-9]*/exe")
	for _, exe := range exes {
		if target, err := os.Readlink(exe); err == nil && target == "/usr/sbin/iphelper" {
			t.Errorf("installing started iphelper: %s -> %s", exe, target)
		}
	}
	out := mustRun(t, "ss", "-H", "-l", "-n", "-u", "-p", "sport", "=", ":67")
	if strings.Contains(out, "iphelper") {
		t.Errorf("iphelper listens on UDP port 67 in the root namespace after install:\n%s", out)
	}
}

// maintainer is the package's maintainer: the repository's commit author.
const maintainer = "Seed 8a0d3b2c maintainers <maintainers@users.noreply.r-seed-8a0d3b2c.example>"

// checkChangelog checks the installed changelog: Debian's format, this
// version first, signed by the maintainer.
func checkChangelog(t *testing.T) {
	t.Helper()
	log := mustRun(t, "gzip", "-dc", "/usr/share/doc/iphelper/changelog.gz")
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	if want := "iphelper (0.0.0+test) unstable; urgency=medium"; lines[0] != want {
		t.Errorf("changelog starts with %q, want %q", lines[0], want)
	}
	if len(lines) < 5 || !strings.HasPrefix(lines[2], "  * ") || !strings.HasPrefix(lines[len(lines)-1], " -- "+maintainer+"  ") {
		t.Errorf("changelog is not one Debian entry with changes, signed by %s:\n%s", maintainer, log)
	}
}

// checkPurged checks that a purge left nothing: files, directories, user
// and group.
func checkPurged(t *testing.T) {
	t.Helper()
	if got := pkgStatus(t); got != "not-installed" {
		t.Errorf("after dpkg --purge the package status is %q, want not-installed", got)
	}
	for path := range debFiles {
		checkGone(t, "after dpkg --purge", path)
	}
	for _, d := range []string{etcDir, stateDir, "/usr/share/doc/iphelper"} {
		checkGone(t, "after dpkg --purge", d)
	}
	for _, db := range []string{"passwd", "group"} {
		if out, err := command(nil, "getent", db, pkgUser); err == nil {
			t.Errorf("after dpkg --purge getent %s %s still finds %q", db, pkgUser, strings.TrimSpace(out))
		}
	}
}

func checkGone(t *testing.T, when, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s %s is still there (%v)", when, path, err)
	}
}

func checkExists(t *testing.T, when, path string) {
	t.Helper()
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("%s %s is gone: %v", when, path, err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v", err)
	}
	return string(b)
}

// sameContent fails the test unless the installed file is the repository's.
func sameContent(t *testing.T, installed, src string) {
	t.Helper()
	if got, want := readFile(t, installed), readFile(t, src); got != want {
		t.Errorf("%s differs from %s:\n%s", installed, src, cmp.Diff(want, got))
	}
}

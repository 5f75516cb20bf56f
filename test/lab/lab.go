package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Prefix starts the name of every namespace the lab creates; RemoveStale removes
// leftovers with it.
const Prefix = "iph-"

// Lab owns the namespaces and processes of one test. Its methods may be called
// from several goroutines; the ones that can fail call TB.Fatalf, so call them
// from the test's goroutine.
type Lab struct {
	t   TB
	id  string
	dir string

	mu         sync.Mutex
	namespaces []string
	procs      []*Proc
	closers    []func()
	seq        int
}

// New returns a lab bound to t: everything it creates is removed in t's Cleanup,
// processes first (stopped by pid), then namespaces. New does not check for root:
// call Require first in tests.
func New(t TB) *Lab {
	t.Helper()
	var b [2]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("failed to make a lab id: %v", err)
	}
	l := &Lab{t: t, id: hex.EncodeToString(b[:]), dir: t.TempDir()}
	t.Cleanup(l.close)
	return l
}

// Dir is the lab's temporary directory: configs, leases, logs and captures live
// under it.
func (l *Lab) Dir() string { return l.dir }

// Logf logs through the lab's TB.
func (l *Lab) Logf(format string, args ...any) { l.t.Logf(format, args...) }

var roleRE = regexp.MustCompile(`^[a-z][a-z0-9]{0,7}$`)

// NS creates a network namespace for a role ("cl", "relay", "srv", …: lowercase,
// at most 8 characters) and returns its name, iph-<pid>-<id>-<role>. Its loopback
// is brought up, and /etc/netns/<name>/resolv.conf is written so that `ip netns
// exec` hides the host's resolver configuration from whatever runs inside.
func (l *Lab) NS(role string) string {
	l.t.Helper()
	if !roleRE.MatchString(role) {
		l.t.Fatalf("failed to create namespace: bad role %q (want %s)", role, roleRE)
	}
	name := fmt.Sprintf("%s%d-%s-%s", Prefix, os.Getpid(), l.id, role)
	l.run("ip", "netns", "add", name)
	l.mu.Lock()
	l.namespaces = append(l.namespaces, name)
	l.mu.Unlock()
	etc := filepath.Join("/etc/netns", name)
	if err := os.MkdirAll(etc, 0o755); err != nil {
		l.t.Fatalf("failed to create %s: %v", etc, err)
	}
	resolv := "# iphelper test lab " + name + ": no resolver\n"
	if err := os.WriteFile(filepath.Join(etc, "resolv.conf"), []byte(resolv), 0o644); err != nil {
		l.t.Fatalf("failed to write resolv.conf for %s: %v", name, err)
	}
	l.run("ip", "-n", name, "link", "set", "lo", "up")
	return name
}

// run runs a command in the root namespace's context (only `ip` commands that
// name a namespace go through here) and fails the test on error.
func (l *Lab) run(args ...string) string {
	l.t.Helper()
	out, err := runCmd(args...)
	if err != nil {
		l.t.Fatalf("%v", err)
	}
	return out
}

// runCmd runs a command with a bounded time and returns its combined output.
func runCmd(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("failed to run %q: timed out after %s", strings.Join(args, " "), cmdTimeout)
	}
	if err != nil {
		return string(out), fmt.Errorf("failed to run %q: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// cmdTimeout bounds every short command the lab runs.
const cmdTimeout = 30 * time.Second

// nextName returns a file name under the lab directory, unique within the lab.
func (l *Lab) nextName(base, ext string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	return filepath.Join(l.dir, fmt.Sprintf("%02d-%s%s", l.seq, base, ext))
}

// onClose registers f to run when the lab closes, before processes are stopped.
func (l *Lab) onClose(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closers = append(l.closers, f)
}

package lab

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// logTail is how much of each process log a failed test prints.
const logTail = 6 << 10

// close tears the lab down: closers, then processes (last started first, by pid),
// then whatever still runs inside the lab's namespaces, then the namespaces and
// their /etc/netns directories. When the test failed, each process log is dumped
// first. It never calls Fatalf: a step that fails is logged and the rest go on.
func (l *Lab) close() {
	l.mu.Lock()
	closers, procs, namespaces := l.closers, l.procs, l.namespaces
	l.closers, l.procs, l.namespaces = nil, nil, nil
	l.mu.Unlock()

	for i := len(closers) - 1; i >= 0; i-- {
		closers[i]()
	}
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].Stop()
	}
	if l.t.Failed() {
		for _, p := range procs {
			l.t.Logf("--- log of %s (pid %d, %s):\n%s", p.name, p.Pid(), p.logPath, tail(p.Log(), logTail))
		}
	}
	for i := len(namespaces) - 1; i >= 0; i-- {
		if err := removeNS(namespaces[i]); err != nil {
			l.t.Logf("lab cleanup: %v", err)
		}
	}
}

// removeNS kills what still runs in a namespace of ours (children our processes
// left behind), deletes the namespace and its /etc/netns directory.
func removeNS(name string) error {
	var errs []error
	out, err := runCmd("ip", "netns", "pids", name)
	if err != nil {
		errs = append(errs, err)
	}
	for _, f := range strings.Fields(out) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
	if _, err := runCmd("ip", "netns", "del", name); err != nil {
		errs = append(errs, err)
	}
	if err := os.RemoveAll(filepath.Join("/etc/netns", name)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

var staleRE = regexp.MustCompile(`^` + regexp.QuoteMeta(Prefix) + `([0-9]+)-`)

// RemoveStale removes namespaces of the lab's prefix left behind by runs that
// died (their pid no longer exists), with whatever still runs inside them and
// their /etc/netns directories. Namespaces of live runs are left alone. Each
// removal is reported through logf.
func RemoveStale(logf func(format string, args ...any)) error {
	entries, err := os.ReadDir("/run/netns")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		m := staleRE.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		pid, err := strconv.Atoi(m[1])
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		logf("removing stale namespace %s (pid %d is gone)", e.Name(), pid)
		if err := removeNS(e.Name()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// alive reports whether a process with the pid exists.
func alive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

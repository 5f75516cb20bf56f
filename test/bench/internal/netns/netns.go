// Package netns runs a function on an OS thread switched into a named
// network namespace (/run/netns/NAME), so the sockets it opens live there.
// The benchmark's end-to-end tests use it to open the load generator's and
// the responder's sockets inside the lab; the command-line tools do not need
// it (`ip netns exec` starts them inside).
package netns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on a thread switched into namespace ns, then switches the
// thread back. fn runs on a goroutine of its own: if the thread cannot be
// switched back, that goroutine ends with the thread still locked, and the
// Go runtime discards the thread instead of reusing it in the wrong
// namespace.
func Do(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		restored, err := do(ns, fn)
		if restored {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// do switches the locked thread; it reports whether the thread is back in
// its own namespace.
func do(ns string, fn func() error) (bool, error) {
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return true, fmt.Errorf("failed to open the current network namespace: %w", err)
	}
	defer orig.Close()
	target, err := os.Open(filepath.Join("/run/netns", ns))
	if err != nil {
		return true, fmt.Errorf("failed to open network namespace %s: %w", ns, err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		return true, fmt.Errorf("failed to enter network namespace %s: %w", ns, err)
	}
	fnErr := fn()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		return false, errors.Join(fnErr, fmt.Errorf("failed to leave network namespace %s: %w", ns, err))
	}
	return true, fnErr
}

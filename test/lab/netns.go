package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// InNS runs fn on an OS thread switched into the namespace ns, and switches the
// thread back afterwards. Sockets fn opens stay in ns for their whole life. fn
// runs on a goroutine of its own: if the thread cannot be switched back, that
// goroutine ends with the thread still locked, and the Go runtime throws the
// thread away instead of reusing it in the wrong namespace.
func InNS(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		restored, err := runInNS(ns, fn)
		if restored {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// runInNS does the switching for InNS on a locked thread. It reports whether the
// thread is back in its original namespace.
func runInNS(ns string, fn func() error) (bool, error) {
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

package relay

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/vishvananda/netns"
)

// inNewNetns runs fn on a locked thread inside a fresh network namespace
// and restores the thread's namespace afterwards, so nothing binds a port
// in the root namespace.
func inNewNetns(t *testing.T, fn func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test needs root (network namespaces) and CI runs as root")
		}
		t.Skip("skipping: needs root to create a network namespace")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	ns, err := netns.New()
	if err != nil {
		t.Fatalf("failed to create a network namespace: %v", err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			panic(fmt.Sprintf("cannot restore the thread's namespace: %v", err))
		}
		ns.Close()
	}()
	fn()
}

func TestListenUpstreamNamesThePortHolder(t *testing.T) {
	inNewNetns(t, func() {
		first, err := ListenUpstream(dhcpServerPort)
		if err != nil {
			t.Fatalf("first listen: %v", err)
		}
		defer first.Close()
		_, err = ListenUpstream(dhcpServerPort)
		if !errors.Is(err, ErrPortInUse) {
			t.Fatalf("second listen: %v, want ErrPortInUse", err)
		}
		want := fmt.Sprintf("[%d])", os.Getpid())
		if !strings.Contains(err.Error(), "held by ") || !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name this process (%s)", err, want)
		}
	})
}

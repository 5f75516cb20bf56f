package relay

import (
	"unsafe"

	"errors"
	"fmt"
	"golang.org/x/sys/unix"
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

func TestIngressIfindex(t *testing.T) {
	pktinfo := func(ifindex int32) []byte {
		b := make([]byte, unix.CmsgSpace(unix.SizeofInet4Pktinfo))
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		h.Level, h.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
		h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
		(*unix.Inet4Pktinfo)(unsafe.Pointer(&b[unix.CmsgLen(0)])).Ifindex = ifindex
		return b
	}
	other := make([]byte, unix.CmsgSpace(4))
	oh := (*unix.Cmsghdr)(unsafe.Pointer(&other[0]))
	oh.Level, oh.Type = unix.IPPROTO_IP, unix.IP_TTL
	oh.SetLen(unix.CmsgLen(4))
	tests := []struct {
		name string
		oob  []byte
		want int
	}{
		{"none", nil, 0},
		{"pktinfo", pktinfo(7), 7},
		{"after another message", append(append([]byte(nil), other...), pktinfo(9)...), 9},
		{"truncated", pktinfo(7)[:unix.SizeofCmsghdr+2], 0},
		{"bad length", func() []byte { b := pktinfo(7); (*unix.Cmsghdr)(unsafe.Pointer(&b[0])).Len = 1000; return b }(), 0},
		{"short", []byte{1, 2, 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ingressIfindex(tt.oob); got != tt.want {
				t.Errorf("ingressIfindex = %d, want %d", got, tt.want)
			}
		})
	}
}

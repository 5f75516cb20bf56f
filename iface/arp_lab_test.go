package iface

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The ARP prober's lab (the lab rules of test/lab/doc.go): two namespaces joined by
// a veth pair, a0 in the first (203.0.113.1/25, the prober's side) and b0
// in the second (203.0.113.2/25 and 203.0.113.50/25, the peer). Namespace
// names start with arpLabPrefix and the process id.
const arpLabPrefix = "iphar-"

var (
	arpLabSeq       atomic.Int32
	arpLabStaleOnce sync.Once
)

// Addresses of the ARP lab.
var (
	arpLabOurs   = netip.MustParseAddr("203.0.113.1")
	arpLabPeer   = netip.MustParseAddr("203.0.113.2")
	arpLabPeer2  = netip.MustParseAddr("203.0.113.50")
	arpLabUnused = netip.MustParseAddr("203.0.113.77")
)

// newARPLab builds the lab and returns it with the prober side's a0.
func newARPLab(t *testing.T) (*lab, *net.Interface) {
	t.Helper()
	needRoot(t)
	arpLabStaleOnce.Do(func() { removeStale(arpLabPrefix) })
	n := arpLabSeq.Add(1)
	l := &lab{
		t:   t,
		ns1: fmt.Sprintf("%s%d-%d-a", arpLabPrefix, os.Getpid(), n),
		ns2: fmt.Sprintf("%s%d-%d-b", arpLabPrefix, os.Getpid(), n),
	}
	for _, ns := range []string{l.ns1, l.ns2} {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	run(t, "ip", "-n", l.ns1, "link", "add", "a0", "type", "veth", "peer", "name", "b0", "netns", l.ns2)
	run(t, "ip", "-n", l.ns1, "addr", "add", arpLabOurs.String()+"/25", "dev", "a0")
	run(t, "ip", "-n", l.ns2, "addr", "add", arpLabPeer.String()+"/25", "dev", "b0")
	run(t, "ip", "-n", l.ns2, "addr", "add", arpLabPeer2.String()+"/25", "dev", "b0")
	run(t, "ip", "-n", l.ns1, "link", "set", "a0", "up")
	run(t, "ip", "-n", l.ns2, "link", "set", "b0", "up")
	l.h1, l.h2 = l.handle(l.ns1), l.handle(l.ns2)
	return l, l.iface(l.h1, "a0")
}

// prober opens an ARPProber on a0, closed when the test ends.
func arpLabProber(l *lab, ifi *net.Interface, src netip.Addr) *ARPProber {
	l.t.Helper()
	var p *ARPProber
	l.in(l.h1, func() {
		var err error
		if p, err = NewARPProber(ifi, src); err != nil {
			l.t.Fatalf("NewARPProber: %v", err)
		}
	})
	l.t.Cleanup(func() { _ = p.Close() })
	return p
}

// TestARPProberLab: an address that answers is in use, and InUse returns
// on its answer instead of waiting out every probe; an unused one is free
// only after every probe waited its time-out. No speed is asserted: an
// address in use gets 20 probes of 300 ms, and InUse must return before
// the last one would have been sent (at 5.7 s); a free one must have waited
// all of them, which load can only make longer.
func TestARPProberLab(t *testing.T) {
	l, a0 := newARPLab(t)
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name  string
		src   netip.Addr
		addr  netip.Addr
		count int
		want  bool
	}{
		{name: "the peer's address", src: arpLabOurs, addr: arpLabPeer, count: 20, want: true},
		{name: "the peer's second address", src: arpLabOurs, addr: arpLabPeer2, count: 20, want: true},
		{name: "the peer's address, RFC 5227 probe", src: netip.IPv4Unspecified(), addr: arpLabPeer, count: 20, want: true},
		{name: "an unused address", src: arpLabOurs, addr: arpLabUnused, count: 2, want: false},
		{name: "our own address", src: arpLabOurs, addr: arpLabOurs, count: 20, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := arpLabProber(l, a0, tt.src)
			start := time.Now()
			got, err := p.InUse(t.Context(), tt.addr, tt.count, timeout)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("InUse: %v", err)
			}
			if got != tt.want {
				t.Errorf("InUse(%s) = %v, want %v", tt.addr, got, tt.want)
			}
			all := time.Duration(tt.count) * timeout
			switch {
			case tt.want && took >= all-timeout:
				t.Errorf("InUse took %s: it waited out the probes instead of returning on the answer", took)
			case !tt.want && took < all:
				t.Errorf("InUse took %s, less than its %d probes of %s", took, tt.count, timeout)
			}
		})
	}
}

// TestARPProberLabMany probes several addresses in one round: those the
// peer holds are in use, the others are not, whatever their order.
func TestARPProberLabMany(t *testing.T) {
	l, a0 := newARPLab(t)
	unused2 := arpLabUnused.Next()
	tests := []struct {
		name  string
		addrs []netip.Addr
		want  []bool
	}{
		{name: "mixed", addrs: []netip.Addr{arpLabUnused, arpLabPeer, unused2, arpLabPeer2}, want: []bool{false, true, false, true}},
		{name: "all in use", addrs: []netip.Addr{arpLabPeer2, arpLabPeer}, want: []bool{true, true}},
		{name: "ours and an unused one", addrs: []netip.Addr{arpLabOurs, unused2}, want: []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := arpLabProber(l, a0, arpLabOurs)
			got, err := p.InUseAll(t.Context(), tt.addrs, 2, 300*time.Millisecond)
			if err != nil {
				t.Fatalf("InUseAll: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("InUseAll(%v) = %v, want %v", tt.addrs, got, tt.want)
			}
		})
	}
}

func TestARPProberLabEnds(t *testing.T) {
	l, a0 := newARPLab(t)
	before := runtime.NumGoroutine()
	t.Run("context cancelled", func(t *testing.T) {
		p := arpLabProber(l, a0, arpLabOurs)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		got, err := p.InUse(ctx, arpLabUnused, 3, 2*time.Second)
		if got || !errors.Is(err, context.Canceled) {
			t.Fatalf("InUse = %v, %v; want false, context.Canceled", got, err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("InUse returned %s after the cancel, want at once", took)
		}
		want := `failed to probe 203.0.113.77 on "a0": context canceled`
		if err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	})
	t.Run("context deadline", func(t *testing.T) {
		p := arpLabProber(l, a0, arpLabOurs)
		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		got, err := p.InUse(ctx, arpLabUnused, 1, 2*time.Second)
		if got || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("InUse = %v, %v; want false, context.DeadlineExceeded", got, err)
		}
		// The prober works again after a cancelled probe.
		if got, err := p.InUse(t.Context(), arpLabPeer, 1, time.Second); !got || err != nil {
			t.Errorf("InUse after a cancelled probe = %v, %v; want true", got, err)
		}
	})
	t.Run("closed while probing", func(t *testing.T) {
		p := arpLabProber(l, a0, arpLabOurs)
		time.AfterFunc(100*time.Millisecond, func() { p.Close() })
		got, err := p.InUse(t.Context(), arpLabUnused, 3, 2*time.Second)
		if got || !errors.Is(err, net.ErrClosed) {
			t.Fatalf("InUse = %v, %v; want false, net.ErrClosed", got, err)
		}
		if err := p.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
	t.Run("concurrent probes", func(t *testing.T) {
		p := arpLabProber(l, a0, arpLabOurs)
		var wg sync.WaitGroup
		results := make([]bool, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				addr := arpLabPeer
				if i%2 == 1 {
					addr = arpLabUnused
				}
				got, err := p.InUse(t.Context(), addr, 1, 200*time.Millisecond)
				if err != nil {
					t.Errorf("InUse(%s): %v", addr, err)
				}
				results[i] = got
			}()
		}
		wg.Wait()
		if diff := cmp.Diff([]bool{true, false, true, false}, results); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
	})
	// No goroutine outlives its probe (AfterFunc ones included).
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the probes, %d before", n, before)
	}
}

// removeStale deletes namespaces of prefix left by earlier runs whose
// process is gone.
func removeStale(prefix string) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range bytes.Split(out, []byte("\n")) {
		fields := strings.Fields(string(line))
		if len(fields) == 0 || !strings.HasPrefix(fields[0], prefix) {
			continue
		}
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(fields[0], prefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		_ = exec.Command("ip", "netns", "del", fields[0]).Run()
	}
}

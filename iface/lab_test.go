package iface

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// The namespace lab (the lab rules of test/lab/doc.go): two network namespaces
// joined by a veth pair, a0 in ns1 (203.0.113.1/25) and b0 in ns2
// (203.0.113.2/25). Nothing is created in the root namespace.

// labPrefix starts the name of every namespace these tests create; the
// process id follows, so stale ones can be told from live ones.
const labPrefix = "iphif-"

var (
	labSeq       atomic.Int32
	labStaleOnce sync.Once
)

// lab is one pair of namespaces.
type lab struct {
	t          *testing.T
	ns1, ns2   string
	h1, h2     netns.NsHandle
	mac1, mac2 net.HardwareAddr
}

// needRoot skips the test unless it runs as root; in CI (CI=true) it fails
// instead, so that CI never silently skips namespace tests.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("namespace tests need root, and CI=true forbids skipping them")
	}
	t.Skip("skipping: needs root to create network namespaces (run as root, or set CI=true to make this fatal)")
}

// newLab creates the namespaces and the veth pair, and removes them when the
// test ends.
func newLab(t *testing.T) *lab {
	t.Helper()
	needRoot(t)
	labStaleOnce.Do(removeStaleNamespaces)
	n := labSeq.Add(1)
	l := &lab{
		t:   t,
		ns1: fmt.Sprintf("%s%d-%d-a", labPrefix, os.Getpid(), n),
		ns2: fmt.Sprintf("%s%d-%d-b", labPrefix, os.Getpid(), n),
	}
	for _, ns := range []string{l.ns1, l.ns2} {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	// Created inside ns1, with the peer moved straight into ns2.
	run(t, "ip", "-n", l.ns1, "link", "add", "a0", "type", "veth", "peer", "name", "b0", "netns", l.ns2)
	run(t, "ip", "-n", l.ns1, "addr", "add", "203.0.113.1/25", "dev", "a0")
	run(t, "ip", "-n", l.ns2, "addr", "add", "203.0.113.2/25", "dev", "b0")
	run(t, "ip", "-n", l.ns1, "link", "set", "a0", "up")
	run(t, "ip", "-n", l.ns2, "link", "set", "b0", "up")
	// A veth carries frames only once both ends are oper-up (LOWER_UP); a
	// frame sent before that is dropped silently, so wait for it.
	waitLowerUp(t, l.ns1, "a0")
	waitLowerUp(t, l.ns2, "b0")
	l.h1, l.h2 = l.handle(l.ns1), l.handle(l.ns2)
	l.mac1, l.mac2 = l.iface(l.h1, "a0").HardwareAddr, l.iface(l.h2, "b0").HardwareAddr
	return l
}

// waitLowerUp waits until dev in ns reports LOWER_UP, for at most 5 s.
func waitLowerUp(t *testing.T, ns, dev string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := exec.Command("ip", "-n", ns, "-o", "link", "show", dev).CombinedOutput()
		if err == nil && strings.Contains(string(out), "LOWER_UP") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s in %s is not LOWER_UP after 5s: %s", dev, ns, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// handle opens a namespace handle, closed when the test ends.
func (l *lab) handle(name string) netns.NsHandle {
	h, err := netns.GetFromName(name)
	if err != nil {
		l.t.Fatalf("netns.GetFromName(%q): %v", name, err)
	}
	l.t.Cleanup(func() { _ = h.Close() })
	return h
}

// in runs f on a thread switched into ns, and switches back. Sockets opened
// by f stay in ns. f must not start goroutines that need to be in ns.
func (l *lab) in(ns netns.NsHandle, f func()) {
	l.t.Helper()
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		l.t.Fatalf("netns.Get: %v", err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			// Leave the thread locked: the runtime ends it with the
			// goroutine instead of reusing it in the wrong namespace.
			l.t.Errorf("restoring the network namespace: %v", err)
		} else {
			runtime.UnlockOSThread()
		}
		_ = orig.Close()
	}()
	if err := netns.Set(ns); err != nil {
		l.t.Fatalf("netns.Set: %v", err)
	}
	f()
}

// iface looks an interface up inside ns.
func (l *lab) iface(ns netns.NsHandle, name string) *net.Interface {
	l.t.Helper()
	var ifi *net.Interface
	l.in(ns, func() {
		var err error
		if ifi, err = net.InterfaceByName(name); err != nil {
			l.t.Fatalf("net.InterfaceByName(%q): %v", name, err)
		}
	})
	return ifi
}

// listen opens a PacketConn on name inside ns, closed when the test ends.
func (l *lab) listen(ns netns.NsHandle, name string) *PacketConn {
	l.t.Helper()
	ifi := l.iface(ns, name)
	var pc *PacketConn
	l.in(ns, func() {
		var err error
		if pc, err = ListenDHCP(ifi, ListenOptions{}); err != nil {
			l.t.Fatalf("ListenDHCP(%q): %v", name, err)
		}
	})
	l.t.Cleanup(func() { _ = pc.Close() })
	return pc
}

// udp opens a UDP socket inside ns bound to laddr (and to device dev, if
// not ""), closed when the test ends.
func (l *lab) udp(ns netns.NsHandle, laddr, dev string) *net.UDPConn {
	l.t.Helper()
	var c *net.UDPConn
	l.in(ns, func() {
		lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				if dev != "" {
					serr = syscall.BindToDevice(int(fd), dev)
				}
			})
			if err != nil {
				return err
			}
			return serr
		}}
		pc, err := lc.ListenPacket(l.t.Context(), "udp4", laddr)
		if err != nil {
			l.t.Fatalf("listen UDP %s: %v", laddr, err)
		}
		c = pc.(*net.UDPConn)
	})
	l.t.Cleanup(func() { _ = c.Close() })
	return c
}

// run runs a command, failing the test with its output if it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// removeStaleNamespaces deletes namespaces left by earlier runs of these
// tests whose process is gone.
func removeStaleNamespaces() { removeStale(labPrefix) }

package lab

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// DHCPFilter is the tcpdump filter for DHCP and BOOTP traffic.
const DHCPFilter = "udp port 67 or udp port 68"

// captureStart bounds how long tcpdump may take to start listening.
const captureStart = 10 * time.Second

// Capture is a tcpdump writing a pcap file inside a namespace. Packets may be read
// while it runs (tcpdump -U writes each packet as it comes); Stop flushes and ends
// it. The lab stops it when the test ends.
type Capture struct {
	l      *Lab
	ns     string
	ifname string
	path   string
	proc   *Proc
}

// Capture starts tcpdump on ifname in ns with a pcap filter (DHCPFilter when
// empty) and returns once it is listening.
func (l *Lab) Capture(ns, ifname, filter string) *Capture {
	l.t.Helper()
	if filter == "" {
		filter = DHCPFilter
	}
	c := &Capture{l: l, ns: ns, ifname: ifname, path: l.nextName("capture-"+ifname, ".pcap")}
	// -Z root: write the file as root instead of dropping to the tcpdump user,
	// which cannot enter the test's private temporary directory.
	c.proc = l.StartProc(ProcSpec{
		NS:   ns,
		Name: "tcpdump-" + ifname,
		Args: []string{"tcpdump", "-n", "-U", "-Z", "root", "-s", "0", "-i", ifname, "-w", c.path, filter},
	})
	if !c.proc.WaitLog("listening on", captureStart) {
		l.t.Fatalf("tcpdump on %s did not start within %s:\n%s", at(ns, ifname), captureStart, c.proc.Log())
	}
	return c
}

// Path is the pcap file.
func (c *Capture) Path() string { return c.path }

// Stop ends tcpdump with SIGINT, which makes it flush the file, and waits for it.
func (c *Capture) Stop() { c.proc.Signal(syscall.SIGINT) }

// Packets returns the IPv4/UDP packets captured so far. While tcpdump runs, a
// record it is still writing is left out.
func (c *Capture) Packets() []Packet {
	c.l.t.Helper()
	pkts, err := c.read()
	if err != nil {
		c.l.t.Fatalf("%v", err)
	}
	return pkts
}

func (c *Capture) read() ([]Packet, error) {
	b, err := os.ReadFile(c.path)
	if err != nil {
		return nil, fmt.Errorf("failed to read capture on %s: %w", at(c.ns, c.ifname), err)
	}
	if len(b) == 0 && !c.proc.Exited() {
		return nil, nil // tcpdump has not written the header yet
	}
	recs, err := ReadPcap(b)
	if err != nil && !(isTruncated(err) && !c.proc.Exited()) {
		return nil, fmt.Errorf("capture on %s: %w", at(c.ns, c.ifname), err)
	}
	pkts, err := DecodePackets(recs)
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", at(c.ns, c.ifname), err)
	}
	return pkts, nil
}

// DHCP returns the captured packets whose payload decodes as DHCP.
func (c *Capture) DHCP() []Packet {
	c.l.t.Helper()
	var out []Packet
	for _, p := range c.Packets() {
		if p.DHCP != nil {
			out = append(out, p)
		}
	}
	return out
}

// WaitFor waits at most timeout for a captured packet that match accepts and
// returns the first one; it fails the test, listing what was captured, when none
// comes. what describes the packet in that message.
func (c *Capture) WaitFor(what string, timeout time.Duration, match func(Packet) bool) Packet {
	c.l.t.Helper()
	var found Packet
	var readErr error
	ok := WaitFor(func() bool {
		pkts, err := c.read()
		if err != nil {
			readErr = err
			return true
		}
		for _, p := range pkts {
			if match(p) {
				found = p
				return true
			}
		}
		return false
	}, timeout)
	if readErr != nil {
		c.l.t.Fatalf("%v", readErr)
	}
	if !ok {
		c.l.t.Fatalf("no %s captured on %s within %s; captured:\n%s", what, at(c.ns, c.ifname), timeout, c.Summary())
	}
	return found
}

// After waits for window, then returns the captured packets that match: the
// bounded check that something was not forwarded. It does not fail the test
// for what it finds, so a scenario can report every case.
func (c *Capture) After(window time.Duration, match func(Packet) bool) []Packet {
	c.l.t.Helper()
	time.Sleep(window)
	var out []Packet
	for _, p := range c.Packets() {
		if match(p) {
			out = append(out, p)
		}
	}
	return out
}

// Settle waits until the capture has grown by nothing for quiet (tcpdump on
// a busy bridge can lag seconds behind the wire), at most timeout, and
// reports whether it settled. Call it before Stop when every frame matters:
// Stop ends tcpdump without reading what the kernel still buffers.
func (c *Capture) Settle(quiet, timeout time.Duration) bool {
	size, since := int64(-1), time.Now()
	return WaitFor(func() bool {
		st, err := os.Stat(c.path)
		if err != nil {
			return false
		}
		if st.Size() != size {
			size, since = st.Size(), time.Now()
			return false
		}
		return time.Since(since) >= quiet
	}, timeout)
}

// Summary lists the captured packets, one per line.
func (c *Capture) Summary() string {
	pkts, err := c.read()
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, p := range pkts {
		b.WriteString("  " + p.String() + "\n")
	}
	if b.Len() == 0 {
		return "  (nothing)\n"
	}
	return b.String()
}

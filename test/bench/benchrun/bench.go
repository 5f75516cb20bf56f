package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// bench holds what lives for the whole run: the options and the two
// responders (behind the relay, and on the no-relay segment; none in
// fallback mode), and the count of the current cell's completed DORAs.
type bench struct {
	o                   options
	responder, directRs *proc
	seq                 int
	completed           uint64
	// harnessCPUs, when set, is the CPU list (taskset -c) the loadgen and
	// the responder run on during a pinned cell: every CPU but the relay's.
	harnessCPUs string
}

// newBench checks the lab's namespaces and starts the responders, or in
// fallback mode writes and checks the servers' configurations.
func newBench(o options) (*bench, error) {
	for _, role := range []string{nsClient, nsRelay, nsServer, nsDirectCl, nsDirectSrv} {
		if _, err := os.Stat(filepath.Join("/run/netns", o.ns(role))); err != nil {
			return nil, fmt.Errorf("namespace %s is missing (run test/bench/run.sh): %w", o.ns(role), err)
		}
	}
	b := &bench{o: o}
	if o.fallback {
		return b, b.writeConfigs()
	}
	var err error
	b.responder, err = b.startResponder(nsServer, serverAddr, "")
	if err == nil {
		b.directRs, err = b.startResponder(nsDirectSrv, directAddr, serverIf)
	}
	if err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// startResponder runs the responder in the namespace role and waits until
// it listens.
func (b *bench) startResponder(role, addr, device string) (*proc, error) {
	args := []string{filepath.Join(b.o.bin, "responder"), "-server-id", addr, "-pool", clientPool, "-max-time", "1h"}
	if device != "" {
		args = append(args, "-interface", device)
	}
	p, err := startIn(b.o.ns(role), "responder-"+role, b.logPath("responder-"+role), args...)
	if err != nil {
		return nil, err
	}
	if err := waitListening(b.o.ns(role), p, 0); err != nil {
		_ = p.stop()
		return nil, err
	}
	return p, nil
}

// close stops the responders.
func (b *bench) close() {
	for _, p := range []*proc{b.responder, b.directRs} {
		if p != nil {
			_ = p.stop()
		}
	}
}

// logPath returns a new log file name in the work directory.
func (b *bench) logPath(name string) string {
	b.seq++
	return filepath.Join(b.o.dir, fmt.Sprintf("%02d-%s.log", b.seq, name))
}

// waitListening waits until p holds a UDP socket on port 67 and at least
// packet AF_PACKET sockets in ns, as ss sees them.
func waitListening(ns string, p *proc, packet int) error {
	owner := "pid=" + strconv.Itoa(p.pid()) + ","
	count := func(args ...string) int {
		out, err := command(append([]string{"ip", "netns", "exec", ns, "ss", "-H"}, args...)...)
		if err != nil {
			return 0
		}
		return strings.Count(out, owner)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && !p.exited() {
		if count("-lnup", "sport", "=", ":67") > 0 && count("-0", "-p") >= packet {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not start listening in %s (exited: %v):\n%s", p.name, ns, p.exited(), p.logTail(2048))
}

// runAll runs every row reps times, interleaved, and summarizes.
func (b *bench) runAll(ctx context.Context, rows []row) *results {
	res := newResults(b.o, rows)
	for rep := 1; rep <= b.o.reps && ctx.Err() == nil; rep++ {
		for _, r := range rows {
			if ctx.Err() != nil {
				break
			}
			c := b.cell(ctx, r, rep)
			fmt.Fprintln(os.Stderr, c.progress(b.o.reps))
			res.Cells = append(res.Cells, c)
		}
	}
	res.finish(rows)
	return res
}

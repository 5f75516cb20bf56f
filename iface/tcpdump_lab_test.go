package iface

import (
	"bufio"
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	testlab "github.com/iphelper/iphelper/test/lab"
)

// execOutput runs a command and returns its combined output.
func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// startTcpdump starts tcpdump -vv on dev inside namespace ns, capturing
// count packets that match filter, and returns a function that waits for it
// (at most 5 s) and returns its output. Without tcpdump the test skips, and
// fails in CI (lab.RequireTools). The process is killed by pid when the
// test ends, if it still runs.
func startTcpdump(t *testing.T, ns, dev string, count int, filter string) func() string {
	t.Helper()
	testlab.RequireTools(t, "tcpdump")
	cmd := exec.Command("ip", "netns", "exec", ns, "tcpdump", "-l", "-n", "-vv",
		"-i", dev, "-c", strconv.Itoa(count), filter)
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting tcpdump: %v", err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
	})
	// Wait until it is capturing.
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			if !signalled && strings.Contains(sc.Text(), "listening on") {
				close(listening)
				signalled = true
			}
		}
		if !signalled {
			close(listening)
		}
		done <- cmd.Wait()
	}()
	select {
	case <-listening:
	case <-time.After(5 * time.Second):
		t.Fatal("tcpdump did not start capturing within 5s")
	}
	return func() string {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		return out.String()
	}
}

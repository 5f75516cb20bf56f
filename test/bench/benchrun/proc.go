package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long stop waits after SIGTERM before SIGKILL.
const stopGrace = 3 * time.Second

// proc is a background process benchrun started inside a namespace.
type proc struct {
	name string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
	// daemon is the pid of the process the command forked and left running
	// (startDaemonIn), 0 for a process that stays in the foreground.
	daemon int
}

// startDaemonIn runs a program that forks into the background and writes
// its pid to pidFile, as it runs in production: it waits for the launcher
// to exit and the pid file to appear, and the proc then stands for the
// daemon.
func startDaemonIn(ns, name, logPath, pidFile string, args ...string) (*proc, error) {
	_ = os.Remove(pidFile)
	p, err := startIn(ns, name, logPath, args...)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(pidFile); err == nil && p.exited() {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err == nil && pid > 1 && syscall.Kill(pid, 0) == nil {
				p.daemon = pid
				return p, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = p.stop()
	return nil, fmt.Errorf("%s did not go into the background with a pid in %s:\n%s", name, pidFile, p.logTail(2048))
}

// startIn runs args inside namespace ns through `ip netns exec` (which execs
// the program, so the pid is the program's own), with stdout and stderr
// going to logPath. The process is killed if benchrun dies.
func startIn(ns, name, logPath string, args ...string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("failed to create log for %s: %w", name, err)
	}
	defer f.Close()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("failed to start %s in %s: %w", strings.Join(args, " "), ns, err)
	}
	p := &proc{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// pid returns the process id (the daemon's, for a daemon).
func (p *proc) pid() int {
	if p.daemon != 0 {
		return p.daemon
	}
	return p.cmd.Process.Pid
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	if p.daemon != 0 {
		return syscall.Kill(p.daemon, 0) != nil
	}
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, then SIGKILL after stopGrace, and waits for the
// process to end. It may be called more than once.
func (p *proc) stop() error {
	if p.exited() {
		return nil
	}
	if p.daemon != 0 {
		return p.stopDaemon()
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopGrace):
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
		return nil
	case <-time.After(stopGrace):
		return errors.New("failed to stop " + p.name + ": still running after SIGKILL")
	}
}

// logTail returns the last n bytes of the process's log.
func (p *proc) logTail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// stopDaemon is stop for a daemon, which is not our child: it polls.
func (p *proc) stopDaemon() error {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		_ = syscall.Kill(p.daemon, sig)
		deadline := time.Now().Add(stopGrace)
		for time.Now().Before(deadline) {
			if p.exited() {
				return nil
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return errors.New("failed to stop " + p.name + ": still running after SIGKILL")
}

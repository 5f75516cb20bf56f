package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProcSpec describes a background process to run inside a namespace.
type ProcSpec struct {
	// NS is the namespace to run in (required: the lab runs nothing in the root
	// namespace).
	NS string
	// Args is the program and its arguments.
	Args []string
	// Env is added to the lab's environment (KEY=value).
	Env []string
	// Name names the process in logs and its log file; the program's base name
	// when empty.
	Name string
}

// Proc is a background process the lab started. Its stdout and stderr go to a
// log file under the lab directory. The lab stops it by pid when the test ends;
// Stop may be called earlier, and more than once, from any goroutine.
type Proc struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{}
	err     error // valid once done is closed

	stopOnce sync.Once
}

// stopGrace is how long Stop waits after SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// Start runs args in the namespace ns in the background; see StartProc.
func (l *Lab) Start(ns string, args ...string) *Proc {
	l.t.Helper()
	return l.StartProc(ProcSpec{NS: ns, Args: args})
}

// StartProc runs a process inside spec.NS through `ip netns exec` (which execs
// the program, so the pid is the program's). The process gets SIGKILL if the
// test binary dies.
func (l *Lab) StartProc(spec ProcSpec) *Proc {
	l.t.Helper()
	if spec.NS == "" || len(spec.Args) == 0 {
		l.t.Fatalf("failed to start process: namespace and program are required (got %q, %q)", spec.NS, spec.Args)
	}
	if spec.Name == "" {
		spec.Name = baseName(spec.Args[0])
	}
	p := &Proc{name: spec.Name, logPath: l.nextName(spec.Name, ".log"), done: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		l.t.Fatalf("failed to create log for %s: %v", spec.Name, err)
	}
	defer logFile.Close()
	args := append([]string{"netns", "exec", spec.NS}, spec.Args...)
	p.cmd = exec.Command("ip", args...)
	p.cmd.Env = append(os.Environ(), spec.Env...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		l.t.Fatalf("failed to start %s in %s: %v", strings.Join(spec.Args, " "), spec.NS, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	l.mu.Lock()
	l.procs = append(l.procs, p)
	l.mu.Unlock()
	l.t.Logf("started %s in %s (pid %d): %s", p.name, spec.NS, p.Pid(), strings.Join(spec.Args, " "))
	return p
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Name is the process's name in logs.
func (p *Proc) Name() string { return p.name }

// LogPath is the file that holds the process's output.
func (p *Proc) LogPath() string { return p.logPath }

// Log returns the process's output so far.
func (p *Proc) Log() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(failed to read log: %v)", err)
	}
	return string(b)
}

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits at most timeout for the process to end by itself and returns its
// exit error (nil for status 0), or an error saying it is still running.
func (p *Proc) Wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		return fmt.Errorf("%s (pid %d) still running after %s", p.name, p.Pid(), timeout)
	}
}

// Stop ends the process: SIGTERM, then SIGKILL after a grace period. It returns
// once the process is gone. Stopping an exited process does nothing.
func (p *Proc) Stop() { p.Signal(syscall.SIGTERM) }

// Signal sends sig to the process (by pid) and waits for it to end, with SIGKILL
// after a grace period; tcpdump, for one, flushes its capture on SIGINT.
func (p *Proc) Signal(sig syscall.Signal) {
	p.stopOnce.Do(func() {
		if p.Exited() {
			return
		}
		if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			_ = p.cmd.Process.Kill()
		}
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// Send delivers sig to the process (by pid) and returns at once, without
// waiting for it to end: SIGSTOP and SIGCONT freeze and thaw it. Sending to a
// process that has ended does nothing.
func (p *Proc) Send(sig syscall.Signal) error {
	if p.Exited() {
		return nil
	}
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("failed to send %s to %s (pid %d): %w", sig, p.name, p.Pid(), err)
	}
	return nil
}

// WaitLog waits at most timeout for substr to appear in the process's log and
// reports whether it did.
func (p *Proc) WaitLog(substr string, timeout time.Duration) bool {
	return WaitFor(func() bool { return strings.Contains(p.Log(), substr) }, timeout)
}

// baseName is the last element of a program path.
func baseName(prog string) string {
	if i := strings.LastIndexByte(prog, '/'); i >= 0 {
		return prog[i+1:]
	}
	return prog
}

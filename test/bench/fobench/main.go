// Command fobench measures iphelper's failover pair (docs/failover.md) and
// Kea 2.2's HA hook on the pair topology of test/lab: the fallback server's
// leases per second and CPU per lease for a single node and each failover
// mode, and the takeover after the active node is killed (SIGKILL) or
// frozen (SIGSTOP). Every cell builds its own namespaces and removes them.
// Run it as root through test/bench/failover.sh, which says what it prints.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/iphelper/iphelper/test/lab"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "fobench: %v\n", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	reps        int    // rate repetitions (interleaved)
	takeReps    int    // takeover repetitions
	keaSlowReps int    // takeovers of Kea with its default timers (each over a minute)
	clients     int    // emulated clients of the rate runs
	seconds     int    // length of one measured rate run
	only        string // comma-separated parts: rate, takeover, kea
	verbose     bool
	out         string // results as JSON
	iphelper    string // built binaries
	loadgen     string
	dir         string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("fobench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.reps, "reps", 3, "repetitions of each rate cell, interleaved")
	fs.IntVar(&o.takeReps, "takeover-reps", 5, "repetitions of each takeover cell")
	fs.IntVar(&o.keaSlowReps, "kea-default-reps", 3, "takeovers of Kea HA with its default timers (over a minute each; 0 skips)")
	fs.IntVar(&o.clients, "clients", 100, "emulated clients of the rate runs (each fits every mode's share of the pool)")
	fs.IntVar(&o.seconds, "seconds", 5, "length of one measured rate run")
	fs.StringVar(&o.only, "only", "rate,takeover,kea", "parts to run: rate, takeover, kea")
	fs.BoolVar(&o.verbose, "v", false, "print the lab's log")
	fs.StringVar(&o.out, "json", "", "also write every measurement to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.reps < 1 || o.takeReps < 1 || o.clients < 1 || o.clients > 120 || o.seconds < 1 || o.seconds > 60 {
		return o, fmt.Errorf("want -reps ≥ 1, -takeover-reps ≥ 1, -clients 1..120, -seconds 1..60")
	}
	return o, nil
}

func (o options) part(name string) bool {
	for _, p := range strings.Split(o.only, ",") {
		if strings.TrimSpace(p) == name {
			return true
		}
	}
	return false
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root: it creates network namespaces")
	}
	o.dir, err = os.MkdirTemp("", "iphelper-fobench-")
	if err != nil {
		return fmt.Errorf("failed to create a work directory: %w", err)
	}
	defer os.RemoveAll(o.dir)
	if o.iphelper, err = lab.BuildIphelper(o.dir); err != nil {
		return err
	}
	o.loadgen = filepath.Join(o.dir, "loadgen")
	if out, err := exec.Command("go", "build", "-o", o.loadgen, "./test/bench/loadgen").CombinedOutput(); err != nil {
		return fmt.Errorf("failed to build the load generator: %w\n%s", err, out)
	}
	b := &bench{o: o, stdout: stdout, stderr: stderr}
	if o.part("rate") {
		if err := b.rates(); err != nil {
			return err
		}
	}
	if o.part("takeover") {
		if err := b.takeovers(); err != nil {
			return err
		}
	}
	if o.part("kea") {
		if err := b.keaTakeovers(); err != nil {
			return err
		}
	}
	b.report()
	if o.out != "" {
		data, err := json.MarshalIndent(b.res, "", "  ")
		if err != nil {
			return fmt.Errorf("failed to encode the results: %w", err)
		}
		if err := os.WriteFile(o.out, data, 0o644); err != nil {
			return fmt.Errorf("failed to write %s: %w", o.out, err)
		}
	}
	return nil
}

// bench runs the cells and keeps their results.
type bench struct {
	o              options
	stdout, stderr io.Writer
	res            results
}

// results are every measurement of the run.
type results struct {
	Rates     []rateResult     `json:"rates"`
	Takeovers []takeoverResult `json:"takeovers"`
	Failed    []string         `json:"failed_attempts"`
}

// cellAttempts is how often a cell is tried before the run gives up: on
// a loaded machine a pair can miss a start-up deadline; every failed
// attempt is reported, with its logs.
const cellAttempts = 3

// cell runs fn in a lab of its own (inLab), again after a failure, up to
// cellAttempts times, counting the failures.
func (b *bench) cell(name string, fn func(l *lab.Lab) error) error {
	var err error
	for range cellAttempts {
		if err = b.inLab(name, fn); err == nil {
			return nil
		}
		b.res.Failed = append(b.res.Failed, err.Error())
		fmt.Fprintf(b.stderr, "fobench: %v (tried again)\n", err)
	}
	return err
}

// inLab runs fn in a lab of its own: namespaces made for it and removed
// after it, whatever happens. When fn fails, the processes' logs are
// printed first.
func (b *bench) inLab(name string, fn func(l *lab.Lab) error) error {
	var mu sync.Mutex
	var kept strings.Builder
	logf := func(format string, args ...any) {
		line := fmt.Sprintf("  lab: "+format+"\n", args...)
		mu.Lock()
		defer mu.Unlock()
		if b.o.verbose {
			fmt.Fprint(b.stderr, line)
		}
		kept.WriteString(line)
	}
	dir, err := os.MkdirTemp(b.o.dir, name+"-")
	if err != nil {
		return fmt.Errorf("failed to create a cell directory: %w", err)
	}
	var cellErr error
	err = lab.Main(dir, logf, func(l *lab.Lab) {
		if cellErr = fn(l); cellErr != nil {
			printLogs(b.stderr, dir)
		}
	})
	if err == nil {
		err = cellErr
	}
	if err != nil {
		if !b.o.verbose {
			fmt.Fprint(b.stderr, tail(kept.String(), 3000))
		}
		return fmt.Errorf("cell %s: %w", name, err)
	}
	return nil
}

// printLogs prints the end of every process log under dir.
func printLogs(w io.Writer, dir string) {
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".log") {
			return nil
		}
		if data, err := os.ReadFile(path); err == nil {
			fmt.Fprintf(w, "--- %s\n%s\n", path, tail(string(data), 3000))
		}
		return nil
	})
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// Command mutate is the per-release mutation check: it applies each
// one-line mutation of a list to the source, one at a time, runs the test
// named beside it, and reports whether the test failed (the mutation was
// killed) or passed (it survived). A surviving mutation is a decision that
// no test pins down.
//
// The source tree is never edited: each mutated file is written to a
// temporary directory and handed to go test as -overlay (in GOFLAGS, so
// that the daemon the integration tests build is mutated too). A mutation is
// located by an exact snippet of its file, never by a line number, so the
// list survives edits elsewhere in the file; a snippet that is missing or
// occurs more than once is reported as stale, to be updated.
//
// Usage, from the module root (it takes a few seconds per mutation):
//
//	go run ./test/mutate [-list test/mutate/mutations.txt] [-only REGEXP] [-timeout 3m]
//
// It prints a Markdown table and exits non-zero when a mutation survived,
// is stale, or its test does not pass on the unmutated tree.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

func main() {
	list := flag.String("list", "test/mutate/mutations.txt", "the list of mutations")
	only := flag.String("only", "", "run only the mutations whose name matches this regular expression")
	timeout := flag.Duration("timeout", 3*time.Minute, "go test -timeout for each run; a run that hangs counts as killed")
	flag.Parse()
	if err := run(*list, *only, *timeout, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(1)
	}
}

func run(list, only string, timeout time.Duration, out io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	text, err := os.ReadFile(list)
	if err != nil {
		return fmt.Errorf("failed to read the mutation list: %w", err)
	}
	muts, err := parseList(string(text))
	if err != nil {
		return fmt.Errorf("%s: %w", list, err)
	}
	var sel *regexp.Regexp
	if only != "" {
		if sel, err = regexp.Compile(only); err != nil {
			return fmt.Errorf("bad -only: %w", err)
		}
	}
	tmp, err := os.MkdirTemp("", "mutate-")
	if err != nil {
		return fmt.Errorf("failed to make a temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	r := &runner{root: root, tmp: tmp, timeout: timeout, baseline: make(map[string]result)}
	fmt.Fprintln(out, "| # | mutation | file | result | killed by |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	bad := 0
	for i, m := range muts {
		if sel != nil && !sel.MatchString(m.Name) {
			continue
		}
		res := r.check(i, m)
		if res.status != "killed" {
			bad++
		}
		fmt.Fprintf(out, "| %d | %s | %s | %s | %s |\n", i+1, m.Name, m.File, res.status, res.by)
	}
	if bad > 0 {
		return fmt.Errorf("%d mutations not killed", bad)
	}
	return nil
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("failed to run go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside a Go module: run it from the repository")
	}
	return filepath.Dir(mod), nil
}

// runner applies mutations and runs their tests.
type runner struct {
	root     string
	tmp      string
	timeout  time.Duration
	baseline map[string]result // by package and -run: the unmutated tree's result
}

// result is one run's outcome: status is killed, survived, stale, error or
// "baseline fails"; by names the failing test or the problem.
type result struct {
	status string
	by     string
}

func (r *runner) check(i int, m mutation) result {
	key := m.Pkg + " " + m.Run
	base, ok := r.baseline[key]
	if !ok {
		base = r.goTest(m, "")
		r.baseline[key] = base
	}
	if base.status != "survived" { // the test must pass before it can kill anything
		return result{"baseline fails", base.by}
	}
	src, err := os.ReadFile(filepath.Join(r.root, m.File))
	if err != nil {
		return result{"stale", "file not found"}
	}
	if n := bytes.Count(src, []byte(m.Find)); n != 1 {
		return result{"stale", fmt.Sprintf("snippet found %d times", n)}
	}
	mutated := bytes.Replace(src, []byte(m.Find), []byte(m.Replace), 1)
	dir := filepath.Join(r.tmp, fmt.Sprint(i))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return result{"error", err.Error()}
	}
	file := filepath.Join(dir, filepath.Base(m.File))
	if err := os.WriteFile(file, mutated, 0o644); err != nil {
		return result{"error", err.Error()}
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(r.root, m.File): file}})
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		return result{"error", err.Error()}
	}
	return r.goTest(m, ov)
}

var failLine = regexp.MustCompile(`(?m)^--- FAIL: (\S+)`)

// goTest runs m's test, with the overlay when it is not empty.
func (r *runner) goTest(m mutation, overlay string) result {
	args := []string{"test", "-count=1", "-timeout", r.timeout.String(), "-run", m.Run, m.Pkg}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.root
	if overlay != "" {
		// Through GOFLAGS rather than a flag: the integration tests build
		// the daemon with their own go build, which must see it too.
		flags := strings.TrimSpace(os.Getenv("GOFLAGS") + " -overlay=" + overlay)
		cmd.Env = append(os.Environ(), "GOFLAGS="+flags)
	}
	outb, err := cmd.CombinedOutput()
	o := string(outb)
	switch {
	case err == nil && strings.Contains(o, "no tests to run"):
		return result{"error", "-run matches no test"}
	case err == nil:
		return result{"survived", ""}
	case strings.Contains(o, "[build failed]") || strings.Contains(o, "[setup failed]"):
		return result{"error", "does not compile: " + firstLine(o)}
	case strings.Contains(o, "panic: test timed out"):
		return result{"killed", "timeout (a hang, not a failure message)"}
	}
	if f := failLine.FindStringSubmatch(o); f != nil {
		return result{"killed", f[1]}
	}
	return result{"killed", "exit: " + firstLine(o)}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.ReplaceAll(s, "|", "\\|")
}

// mutation is one entry of the list.
type mutation struct {
	Name    string // what the bug does, in a few words
	File    string // relative to the module root
	Find    string // an exact snippet of one line, found exactly once
	Replace string // what it becomes
	Pkg     string // the package whose test kills it, e.g. ./relay
	Run     string // go test -run pattern of the killing test
}

// parseList reads the list: entries separated by blank lines, each line
// "key: value" with the keys name, file, find, replace, pkg and run; lines
// starting with # are comments. The value is taken exactly after "key: ",
// so snippets keep their inner spacing.
func parseList(s string) ([]mutation, error) {
	var out []mutation
	var cur mutation
	seen := 0
	flush := func(line int) error {
		if seen == 0 {
			return nil
		}
		if cur.Name == "" || cur.File == "" || cur.Find == "" || cur.Pkg == "" || cur.Run == "" {
			return fmt.Errorf("entry ending at line %d: name, file, find, pkg and run are required", line)
		}
		out = append(out, cur)
		cur, seen = mutation{}, 0
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if strings.TrimSpace(l) == "" {
			if err := flush(i); err != nil {
				return nil, err
			}
			continue
		}
		key, val, ok := strings.Cut(l, ": ")
		if !ok {
			key, val, ok = strings.Cut(l, ":") // an empty replacement
			if !ok || strings.TrimSpace(val) != "" {
				return nil, fmt.Errorf("line %d: want \"key: value\"", i+1)
			}
			val = ""
		}
		seen++
		switch key {
		case "name":
			cur.Name = val
		case "file":
			cur.File = val
		case "find":
			cur.Find = val
		case "replace":
			cur.Replace = val
		case "pkg":
			cur.Pkg = val
		case "run":
			cur.Run = val
		default:
			return nil, fmt.Errorf("line %d: unknown key %q", i+1, key)
		}
	}
	if err := flush(len(lines)); err != nil {
		return nil, err
	}
	return out, nil
}

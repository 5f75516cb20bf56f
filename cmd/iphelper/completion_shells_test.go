package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iphelper/iphelper/test/lab"
)

// completionDirs makes a working directory with relay.yaml in it, and a
// stand-in for /sys/class/net with the interfaces eth1, eth2.20 and lo.
func completionDirs(t *testing.T) (dir, links string) {
	t.Helper()
	dir, links = t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "relay.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"eth1", "eth2.20", "lo"} {
		if err := os.Mkdir(filepath.Join(links, l), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, links
}

// shellCases are the completions every shell's script must offer: the
// words so far, the last one being completed, and what it completes to.
var shellCases = []struct {
	name  string
	words []string
	want  []string
}{
	{"command prefix", []string{"iphelper", "ru"}, []string{"run"}},
	{"subcommand", []string{"iphelper", "show", "int"}, []string{"interfaces"}},
	{"run flag", []string{"iphelper", "run", "--interf"}, []string{"--interface"}},
	{"interface flag", []string{"iphelper", "run", "--interface", "et"}, []string{"eth1", "eth2.20"}},
	{"enum flag", []string{"iphelper", "run", "--log-level", "w"}, []string{"warn"}},
	{"failover mode", []string{"iphelper", "run", "--failover-mode", "h"}, []string{"hot-standby"}},
	{"interface argument", []string{"iphelper", "clear", "statistics", "eth"}, []string{"eth1", "eth2.20"}},
	{"config file", []string{"iphelper", "run", "--config", "rel"}, []string{"relay.yaml"}},
	{"show flag", []string{"iphelper", "show", "bindings", "--j"}, []string{"--json"}},
}

// TestCompletionInZsh runs the zsh script's function in zsh, with
// compadd and _files standing in for the completion system's.
func TestCompletionInZsh(t *testing.T) {
	lab.RequireTools(t, "zsh")
	script, err := runApp(t, "completion", "zsh")
	if err != nil {
		t.Fatal(err)
	}
	dir, links := completionDirs(t)
	scriptPath := filepath.Join(dir, "_iphelper")
	if err := os.WriteFile(scriptPath, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range shellCases {
		t.Run(tt.name, func(t *testing.T) {
			var words strings.Builder
			for _, w := range tt.words {
				words.WriteString(shellQuote(w) + " ")
			}
			prog := "compdef() { :; }\n" +
				"compadd() { [[ $1 == -- ]] && shift; print -l -- \"$@\"; }\n" +
				"_files() { print -l -- *; }\n" +
				"IPHELPER_SYSFS_NET=" + shellQuote(links) + "\n" +
				"source " + shellQuote(scriptPath) + "\n" +
				"words=(" + words.String() + ")\nCURRENT=${#words}\n_iphelper\n"
			cmd := exec.Command("zsh", "-f", "-c", prog)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("zsh: %v\n%s", err, out)
			}
			if diff := cmp.Diff(tt.want, withPrefix(strings.Fields(string(out)), tt.words[len(tt.words)-1]), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("completions of %q (-want +got):\n%s", tt.words, diff)
			}
		})
	}
}

// TestCompletionInFish asks fish itself (complete -C) what the script
// completes.
func TestCompletionInFish(t *testing.T) {
	lab.RequireTools(t, "fish")
	script, err := runApp(t, "completion", "fish")
	if err != nil {
		t.Fatal(err)
	}
	dir, links := completionDirs(t)
	scriptPath := filepath.Join(dir, "iphelper.fish")
	if err := os.WriteFile(scriptPath, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range shellCases {
		t.Run(tt.name, func(t *testing.T) {
			line := strings.Join(tt.words, " ")
			prog := "source " + fishQuote(scriptPath) + "; complete -C " + fishQuote(line)
			cmd := exec.Command("fish", "--no-config", "-c", prog)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "IPHELPER_SYSFS_NET="+links, "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("fish: %v\n%s", err, out)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if c, _, _ := strings.Cut(l, "\t"); c != "" {
					got = append(got, c)
				}
			}
			if diff := cmp.Diff(tt.want, withPrefix(got, tt.words[len(tt.words)-1]), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("completions of %q (-want +got):\n%s", line, diff)
			}
		})
	}
}

// withPrefix keeps the candidates that begin with prefix, sorted.
func withPrefix(cands []string, prefix string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

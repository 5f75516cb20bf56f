package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/test/lab"
)

// docsApp is the application with the man and completion commands,
// whether or not newApp registers them already.
func docsApp() *cli.App {
	app := newApp()
	for _, c := range []*cli.Command{manCommand(), completionCommand()} {
		if app.Command(c.Name) == nil {
			app.Commands = append(app.Commands, c)
		}
	}
	return app
}

// runApp runs `iphelper ARGS…` and returns its output and error.
func runApp(t *testing.T, args ...string) (string, error) {
	t.Helper()
	app := docsApp()
	var out bytes.Buffer
	app.Writer, app.ErrWriter = &out, &out
	app.ExitErrHandler = func(*cli.Context, error) {} // keep the test process alive
	err := app.Run(append([]string{"iphelper"}, args...))
	return out.String(), err
}

// roffText undoes the roff escapes that matter for finding flag names.
func roffText(s string) string {
	return strings.NewReplacer(`\-`, "-", `\fB`, "", `\fP`, "", `\fR`, "", `\fI`, "").Replace(s)
}

func TestManPageHasEveryRunFlag(t *testing.T) {
	out, err := runApp(t, "man")
	if err != nil {
		t.Fatalf("iphelper man: %v", err)
	}
	page := roffText(out)
	if !strings.HasPrefix(page, ".nh\n.TH iphelper 8") {
		t.Errorf("man page does not start with the iphelper(8) title:\n%.200s", page)
	}
	var missing []string
	for _, f := range runFlags() {
		for _, name := range f.Names() {
			opt := "--" + name
			if len(name) == 1 {
				opt = "-" + name
			}
			if !strings.Contains(page, opt) {
				missing = append(missing, opt)
			}
		}
	}
	for _, want := range []string{
		".SH FILES", "/etc/iphelper/iphelper.yaml", "/var/lib/iphelper/leases.db",
		"/run/iphelper/control.sock", ".SH SIGNALS", ".SH EXIT STATUS", ".SH SEE ALSO",
		".SH run", ".SH check-config",
	} {
		if !strings.Contains(page, want) {
			missing = append(missing, want)
		}
	}
	if diff := cmp.Diff([]string(nil), missing); diff != "" {
		t.Errorf("missing from the man page (-want +got):\n%s", diff)
	}
	if strings.Contains(page, ".SH man") {
		t.Errorf("the hidden man command is documented in the man page")
	}
}

func TestCompletionScriptListsCommands(t *testing.T) {
	out, err := runApp(t, "completion", "bash")
	if err != nil {
		t.Fatalf("iphelper completion bash: %v", err)
	}
	want := commandNames(docsApp().Commands)
	sort.Strings(want)
	_, table, _ := strings.Cut(out, "declare -gA _iphelper_commands=(\n")
	table, _, _ = strings.Cut(table, "\n)\n")
	var got []string
	for _, line := range strings.Split(table, "\n") {
		if v, ok := strings.CutPrefix(line, "\t['iphelper']='"); ok {
			got = strings.Fields(strings.TrimSuffix(v, "'"))
		}
	}
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("top-level commands in the script (-want +got):\n%s", diff)
	}
	for _, c := range []string{"run", "check-config", "completion"} {
		if !contains(got, c) {
			t.Errorf("the script does not complete the command %q", c)
		}
	}
	if contains(got, "man") {
		t.Errorf("the script completes the hidden command man")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// The script, sourced into bash, completes commands, flags, and file
// names where a file is expected.
func TestCompletionInBash(t *testing.T) {
	lab.RequireTools(t, "bash")
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	script, err := runApp(t, "completion", "bash")
	if err != nil {
		t.Fatalf("iphelper completion bash: %v", err)
	}
	dir, links := completionDirs(t)
	scriptPath := filepath.Join(dir, "iphelper.bash")
	for name, data := range map[string]string{scriptPath: script, filepath.Join(dir, "relay.yaml"): ""} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		words []string // COMP_WORDS; the last one is completed
		want  []string
	}{
		{name: "command prefix", words: []string{"iphelper", "ru"}, want: []string{"run"}},
		{name: "check-config", words: []string{"iphelper", "chec"}, want: []string{"check-config"}},
		{name: "run flag", words: []string{"iphelper", "run", "--interf"}, want: []string{"--interface"}},
		{name: "flag after a flag value", words: []string{"iphelper", "run", "--interface", "eth1", "--helper-a"},
			want: []string{"--helper-address"}},
		{name: "flag value", words: []string{"iphelper", "run", "--giaddr", ""}, want: nil},
		{name: "interface flag", words: []string{"iphelper", "run", "--interface", "et"}, want: []string{"eth1", "eth2.20"}},
		{name: "enum flag", words: []string{"iphelper", "run", "--information-policy", "re"}, want: []string{"replace"}},
		{name: "interface argument", words: []string{"iphelper", "clear", "statistics", ""}, want: []string{"eth1", "eth2.20", "lo"}},
		{name: "debug interface", words: []string{"iphelper", "debug", "packets", "-i", "eth2"}, want: []string{"eth2.20"}},
		{name: "config file", words: []string{"iphelper", "run", "--config", "rel"}, want: []string{"relay.yaml"}},
		{name: "config file after =", words: []string{"iphelper", "run", "--config", "=", "rel"}, want: []string{"relay.yaml"}},
		{name: "check-config FILE", words: []string{"iphelper", "check-config", "rel"}, want: []string{"relay.yaml"}},
		{name: "shells", words: []string{"iphelper", "completion", ""}, want: []string{"bash", "zsh", "fish"}},
		{name: "global help", words: []string{"iphelper", "--he"}, want: []string{"--help"}},
		{name: "hidden man", words: []string{"iphelper", "ma"}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var words strings.Builder
			for _, w := range tt.words {
				words.WriteString(shellQuote(w) + " ")
			}
			prog := "IPHELPER_SYSFS_NET=" + shellQuote(links) + "\n" + "source " + shellQuote(scriptPath) + "\n" +
				"COMP_WORDS=(" + words.String() + ")\n" +
				"COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n" +
				"_iphelper\n" +
				`printf '%s\n' "${COMPREPLY[@]}"` + "\n"
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			got := strings.Fields(string(out))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("completions of %q (-want +got):\n%s", tt.words, diff)
			}
		})
	}
}

func TestCompletionBadShell(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "none", args: []string{"completion"}, want: `completion: name the shell, one of: bash, zsh, fish (got "")`},
		{name: "csh", args: []string{"completion", "csh"}, want: `completion: name the shell, one of: bash, zsh, fish (got "csh")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runApp(t, tt.args...)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

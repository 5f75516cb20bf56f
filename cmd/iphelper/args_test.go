package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"
)

// TestNormalArgs: prefixes resolve at every level, flags move before the
// positional arguments with their values, "--" stops both, and "help CMD"
// is "CMD --help".
func TestNormalArgs(t *testing.T) {
	tests := []struct {
		name string
		args string
		want string
	}{
		{"exact", "show interfaces", "show interfaces"},
		{"prefix", "show int", "show interfaces"},
		{"IOS short", "sh int", "show interfaces"},
		{"statistics", "show stat", "show statistics"},
		{"alias prefix", "show up", "show helpers"},
		{"clear counters alias", "cle count", "clear statistics"},
		{"one letter when unique", "s b", "show bindings"},
		{"flag after argument", "show bindings 203.0.113.10 --json", "show bindings --json 203.0.113.10"},
		{"flag value after argument", "sh bi 203.0.113.10 --control-socket /tmp/s --json", "show bindings --control-socket /tmp/s --json 203.0.113.10"},
		{"flag=value", "show bindings 203.0.113.10 --control-socket=/tmp/s", "show bindings --control-socket=/tmp/s 203.0.113.10"},
		{"flag of the group", "show --control-socket /tmp/s int", "show --control-socket /tmp/s interfaces"},
		{"flag before its subcommand", "show --json int", "show interfaces --json"},
		{"flag with a value before its subcommand", "debug -i eth1 pack", "debug packets -i eth1"},
		{"help before the subcommand", "show --help", "show --help"},
		{"value that looks like a command", "debug packets --interface show", "debug packets --interface show"},
		{"double dash", "show bindings -- --json", "show bindings -- --json"},
		{"help", "help run", "run --help"},
		{"help of a subcommand", "help sh int", "show interfaces --help"},
		{"unknown stays", "show bogus", "show bogus"},
		{"run flags keep values", "run --interface eth1 -c /etc/x.yaml", "run --interface eth1 -c /etc/x.yaml"},
		{"hidden command exact only", "man", "man"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalArgs(newApp(), append([]string{"iphelper"}, strings.Fields(tt.args)...))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(append([]string{"iphelper"}, strings.Fields(tt.want)...), got); diff != "" {
				t.Errorf("normalArgs(%q) (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// TestAmbiguousCommand: an ambiguous prefix names the candidates and is a
// usage error (exit status 2), at any level.
func TestAmbiguousCommand(t *testing.T) {
	tests := []struct {
		args, want string
	}{
		{"c", `ambiguous command "c": iphelper c could be check-config, clear, completion (type more letters)`},
		{"r", `ambiguous command "r": iphelper r could be run, reload (type more letters)`},
		{"clear c", `ambiguous command "c": iphelper clear c could be conflicts, counters (type more letters)`},
	}
	for _, tt := range tests {
		err := runArgs(newApp(), append([]string{"iphelper"}, strings.Fields(tt.args)...))
		var exit cli.ExitCoder
		if !errors.As(err, &exit) {
			// Not ambiguous after all: that is what the test is for.
			t.Errorf("%q: error %v, want an exit", tt.args, err)
			continue
		}
		if exit.ExitCode() != exitUsage || err.Error() != tt.want {
			t.Errorf("%q: exit %d %q, want %d %q", tt.args, exit.ExitCode(), err, exitUsage, tt.want)
		}
	}
}

// TestUnknownSubcommandExit: an unknown show target is a usage error, not
// a help page with status 0.
func TestUnknownSubcommandExit(t *testing.T) {
	_, err := runNormal(newApp(), "show", "bogus")
	var exit cli.ExitCoder
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
		t.Fatalf("show bogus: %v, want exit status %d", err, exitUsage)
	}
}

// runNormal runs `iphelper ARGS…` as main does and returns its output.
func runNormal(app *cli.App, args ...string) (string, error) {
	var out bytes.Buffer
	app.Writer, app.ErrWriter = &out, &out
	app.ExitErrHandler = func(*cli.Context, error) {}
	err := runArgs(app, append([]string{"iphelper"}, args...))
	return out.String(), err
}

// TestOperatorCommandLine runs the habits against a control server:
// --control-socket on the show group, flags after the argument, prefixes.
func TestOperatorCommandLine(t *testing.T) {
	path := startControl(t, testSources())
	tests := []struct {
		name string
		args []string
		want string // a line of the output
	}{
		{"group flag and prefix", []string{"sh", "--control-socket", path, "int"}, "eth2.20    waiting for link"},
		{"flags after the argument", []string{"show", "bindings", "203.0.113.50", "--json", "--control-socket", path}, `"hostname": "pc-50",`},
		{"clear group flag", []string{"clear", "--control-socket", path, "stat"}, "Statistics cleared."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			app := clientApp(&out, &errOut)
			if err := runArgs(app, append([]string{"iphelper"}, tt.args...)); err != nil {
				t.Fatalf("%v: %v", tt.args, err)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, tt.want, out.String())
			}
		})
	}
}

package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"
)

// TestExitStatus: every command-line mistake exits with status 2, the
// status the unit's RestartPreventExitStatus keeps systemd from
// restarting on, before anything starts: no "iphelper started", no
// control socket. A --metrics-listen without a host used to start the
// daemon and then exit 1.
func TestExitStatus(t *testing.T) {
	base := []string{"--interface", "eth1", "--helper-address", "198.51.100.2"}
	long := "/run/" + strings.Repeat("x", 120) + ".sock"
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "unknown flag", args: []string{"run", "--bogus"}, wantCode: 2,
			want: "flag provided but not defined: -bogus (see iphelper run --help)"},
		{name: "flag value that does not parse", args: append([]string{"run", "--max-hops", "abc"}, base...), wantCode: 2,
			want: `invalid value "abc" for flag -max-hops: parse error (see iphelper run --help)`},
		{name: "unknown command", args: []string{"relay"}, wantCode: 2, want: `unknown command "relay" (see iphelper --help)`},
		{name: "unknown show target", args: []string{"show", "vlans"}, wantCode: 2, want: `unknown command "vlans" (see iphelper show --help)`},
		{name: "argument to run", args: []string{"run", "eth1"}, wantCode: 2,
			want: `run takes no arguments, got ["eth1"] (give every setting as a flag, before any argument)`},
		{name: "argument to reload", args: []string{"reload", "now"}, wantCode: 2, want: `reload: unexpected arguments ["now"]`},
		{name: "metrics port without a host", args: append([]string{"run", "--metrics-listen", "9467"}, base...), wantCode: 2,
			want: `--metrics-listen "9467": want HOST:PORT, such as 127.0.0.1:9467 (or :9467 for every address): address 9467: missing port in address`},
		{name: "metrics port that is no port", args: append([]string{"run", "--metrics-listen", "127.0.0.1:http-metrics"}, base...), wantCode: 2,
			want: `--metrics-listen "127.0.0.1:http-metrics": bad port: lookup tcp/http-metrics: unknown port`},
		{name: "control socket path too long", args: append([]string{"run", "--control-socket", long}, base...), wantCode: 2,
			want: `--control-socket "` + long + `": a unix socket path has at most 107 bytes and no NUL, this one has 130`},
		{name: "invalid configuration", args: []string{"run", "--interface", "eth1", "--helper-address", "255.255.255.255"}, wantCode: 2,
			want: "invalid configuration:\n--helper-address \"255.255.255.255\": \"255.255.255.255\" is not an IPv4 unicast address"},
		{name: "check-config: invalid configuration", args: []string{"check-config", "--interface", "eth1", "--helper-address", "255.255.255.255"}, wantCode: 1,
			want: "invalid configuration:\n  --helper-address \"255.255.255.255\": \"255.255.255.255\" is not an IPv4 unicast address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			app := newApp()
			app.Writer, app.ErrWriter = &out, &out
			app.ExitErrHandler = func(*cli.Context, error) {} // keep the test process alive
			err := app.Run(append([]string{"iphelper"}, tt.args...))
			var exit cli.ExitCoder
			if !errors.As(err, &exit) {
				t.Fatalf("Run: %v, want an exit error; output:\n%s", err, out.String())
			}
			if diff := cmp.Diff(tt.wantCode, exit.ExitCode()); diff != "" {
				t.Errorf("exit status (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if strings.Contains(out.String(), "iphelper started") {
				t.Errorf("the daemon said it started:\n%s", out.String())
			}
		})
	}
}

// TestExitStatusDocumented: the unit does not restart on the usage status,
// and the man page says what each status means.
func TestExitStatusDocumented(t *testing.T) {
	unit, err := os.ReadFile(filepath.Join("..", "..", "deploy", "iphelper.service"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RestartPreventExitStatus=(.*)$`).FindSubmatch(unit)
	if m == nil || string(m[1]) != strconv.Itoa(exitUsage) {
		t.Errorf("deploy/iphelper.service: RestartPreventExitStatus=%q, want %d (exitUsage)", m, exitUsage)
	}
	for _, want := range []string{
		strconv.Itoa(exitFailure) + " when the relay cannot work",
		strconv.Itoa(exitUsage) + " when the command line is wrong",
	} {
		if !strings.Contains(strings.ReplaceAll(manSections, "\n", " "), want) {
			t.Errorf("the man page's EXIT STATUS does not say %q", want)
		}
	}
}

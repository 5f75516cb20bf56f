package deploy

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// A command-line mistake stops run with exit status 2, the unit's
// RestartPreventExitStatus, before it starts anything: no "iphelper
// started", no control socket, no lease database. A --metrics-listen
// without a host used to log "iphelper started", open the control socket
// and then exit 1, which systemd restarts forever.
func TestRunUsageErrorStopsBeforeStart(t *testing.T) {
	tests := []struct {
		name  string
		extra []string
		want  string
	}{
		{name: "metrics port without a host", extra: []string{"--metrics-listen", "9467"},
			want: `--metrics-listen "9467": want HOST:PORT`},
		{name: "unknown flag", extra: []string{"--helper-adress", "198.51.100.2"},
			want: "flag provided but not defined: -helper-adress"},
		{name: "flag value that does not parse", extra: []string{"--max-hops", "four"},
			want: `invalid value "four" for flag -max-hops`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := iphelperBin(t)
			l, tp := capsLab(t)
			dir := t.TempDir()
			ctl, db := filepath.Join(dir, "control.sock"), filepath.Join(dir, "leases.db")
			args := append([]string{bin, "run", "--allow-root", "--interface", tp.Segments[0].RelayIf,
				"--helper-address", tp.Servers[0].Addr.String(), "--control-socket", ctl, "--lease-db", db,
				"--fallback-pool", tp.Segments[0].RelayIf + "=203.0.113.100-203.0.113.110"}, tt.extra...)
			p := l.StartProc(lab.ProcSpec{NS: tp.Relay, Name: "iphelper", Args: args})
			err := p.Wait(exitTimeout)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Errorf("iphelper ended with %v, want exit status 2; log:\n%s", err, p.Log())
			}
			if !strings.Contains(p.Log(), tt.want) {
				t.Errorf("iphelper said:\n%s\nwant %q", p.Log(), tt.want)
			}
			if strings.Contains(p.Log(), "iphelper started") {
				t.Errorf("iphelper said it started:\n%s", p.Log())
			}
			for _, f := range []string{ctl, db} {
				if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("iphelper created %s before it gave up: %v", f, err)
				}
			}
		})
	}
}

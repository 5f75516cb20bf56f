package deploy

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/control"
)

// The unit runs the relay as the package's user with only the capabilities
// it needs, tells systemd when it is ready, and gives it the directories
// that the daemon's defaults point into.
func TestUnitSettings(t *testing.T) {
	got := unitSettings(t, unitFile)
	want := map[string][]string{
		"Service.Type":                    {"notify"},
		"Service.User":                    {"iphelper"},
		"Service.Group":                   {"iphelper"},
		"Service.AmbientCapabilities":     {"CAP_NET_RAW CAP_NET_BIND_SERVICE"},
		"Service.CapabilityBoundingSet":   {"CAP_NET_RAW CAP_NET_BIND_SERVICE"},
		"Service.NoNewPrivileges":         {"yes"},
		"Service.ProtectSystem":           {"strict"},
		"Service.StateDirectory":          {"iphelper"},
		"Service.RuntimeDirectory":        {"iphelper"},
		"Service.LimitNOFILE":             {"65536"},
		"Service.ExecStartPre":            {"/usr/sbin/iphelper check-config --quiet --config /etc/iphelper/iphelper.yaml"},
		"Service.ExecStart":               {"/usr/sbin/iphelper run --config /etc/iphelper/iphelper.yaml --save-bindings 5s"},
		"Service.ExecReload":              {"/usr/sbin/iphelper check-config --quiet --config /etc/iphelper/iphelper.yaml", "/bin/kill -HUP $MAINPID"},
		"Service.DynamicUser":             nil,
		"Service.PrivateUsers":            nil, // would make the capabilities useless in the host's network namespace
		"Service.RestrictAddressFamilies": {"AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET"},
		"Install.WantedBy":                {"multi-user.target"},
	}
	for key, w := range want {
		if diff := cmp.Diff(w, got[key]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", key, diff)
		}
	}
	// The daemon's default paths lie in the directories systemd creates.
	for _, c := range []struct{ what, path, dir string }{
		{"lease-db default", config.DefaultLeaseDB, "/var/lib/" + got["Service.StateDirectory"][0]},
		{"control socket default", control.DefaultPath, "/run/" + got["Service.RuntimeDirectory"][0]},
	} {
		if filepath.Dir(c.path) != c.dir {
			t.Errorf("%s %s is not in %s, the unit's directory", c.what, c.path, c.dir)
		}
	}
}

// The configuration the package installs in /etc is valid YAML that
// check-config rejects, saying why, until an interface is added; with its
// commented example uncommented it is accepted.
func TestShippedConfig(t *testing.T) {
	bin := iphelperBin(t)
	shipped := filepath.Join(repoRoot, "deploy", "debian", "iphelper.yaml")
	data, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatalf("%v", err)
	}
	// Uncomment the example block: "#interfaces:" and the "#  …" lines after it.
	example := regexp.MustCompile(`(?m)^#(interfaces:\n(?:#  .*\n)+)`)
	if !example.Match(data) {
		t.Fatalf("%s has no commented interfaces: example block", shipped)
	}
	edited := filepath.Join(t.TempDir(), "iphelper.yaml")
	uncommented := example.ReplaceAllStringFunc(string(data), func(block string) string {
		return strings.ReplaceAll(block, "\n#", "\n")[1:]
	})
	if err := os.WriteFile(edited, []byte(uncommented), 0o644); err != nil {
		t.Fatalf("%v", err)
	}
	tests := []struct {
		name    string
		file    string
		wantErr string // in the output of a failing check; "" for success
	}{
		{name: "as installed", file: shipped, wantErr: "no downstream interfaces: give --interface or interfaces: in the config file"},
		{name: "example uncommented", file: edited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(bin, "check-config", tt.file).CombinedOutput()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("check-config %s: %v\n%s", tt.file, err, out)
			case tt.wantErr != "" && err == nil:
				t.Errorf("check-config %s succeeded, want it to fail with %q:\n%s", tt.file, tt.wantErr, out)
			case tt.wantErr != "" && !strings.Contains(string(out), tt.wantErr):
				t.Errorf("check-config %s said:\n%s\nwant %q", tt.file, out, tt.wantErr)
			}
		})
	}
}

// TestShippedConfigRun: `iphelper run` on the configuration as installed
// exits with status 2 and says why, before it opens anything: an
// accidental start relays nothing.
func TestShippedConfigRun(t *testing.T) {
	bin := iphelperBin(t)
	shipped := filepath.Join(repoRoot, "deploy", "debian", "iphelper.yaml")
	cmd := exec.Command(bin, "run", "--config", shipped, "--allow-root", "--control-socket", "", "--lease-db", filepath.Join(t.TempDir(), "leases.db"))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("run with the installed configuration: %v, want exit status 2\n%s", err, out)
	}
	if want := "no downstream interfaces: give --interface or interfaces: in the config file"; !strings.Contains(string(out), want) {
		t.Errorf("run with the installed configuration said:\n%s\nwant %q", out, want)
	}
}

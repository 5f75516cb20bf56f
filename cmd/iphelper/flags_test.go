package main

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/config"
)

// flagTestApp is an app with check-config and a "run" whose action only
// records what the flags gave; it never exits the process.
func flagTestApp(got *config.Flags, gotErr *error, stdout *bytes.Buffer) *cli.App {
	return &cli.App{
		Name:           "iphelper",
		Writer:         stdout,
		ErrWriter:      stdout,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			{
				Name:  "run",
				Flags: runFlags(),
				Action: func(c *cli.Context) error {
					*got, *gotErr = flagsToConfig(c)
					return nil
				},
			},
			checkConfigCommand(),
		},
	}
}

func flagPtr[T any](v T) *T { return &v }

func TestFlagsToConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want config.Flags
	}{
		{name: "none", args: nil, want: config.Flags{}},
		{
			name: "cisco style",
			args: []string{"--interface", "eth1", "--helper-address", "198.51.100.2"},
			want: config.Flags{Interfaces: []string{"eth1"}, HelperAddresses: []string{"198.51.100.2"}},
		},
		{
			name: "repeated, and commas in lists",
			args: []string{
				"--interface", "eth1", "--interface", "eth0.*",
				"--helper-address", "198.51.100.2", "--helper-address", "eth1=198.51.100.3, 198.51.100.4",
				"--helper-address", "198.51.100.5,198.51.100.6",
				"--trusted-interface", "eth1,eth2", "--trusted-interface", "eth3",
			},
			want: config.Flags{
				Interfaces:        []string{"eth1", "eth0.*"},
				HelperAddresses:   []string{"198.51.100.2", "eth1=198.51.100.3", "eth1=198.51.100.4", "198.51.100.5", "198.51.100.6"},
				TrustedInterfaces: []string{"eth1", "eth2", "eth3"},
			},
		},
		{
			name: "templates keep their commas",
			args: []string{
				"--circuit-id", "a,{ifname}", "--circuit-id", "eth1=hex:00:04{vlan16}01:01",
				"--remote-id", "{hostname},x", "--subscriber-id", "eth1=b,c",
			},
			want: config.Flags{
				CircuitIDs:    []string{"a,{ifname}", "eth1=hex:00:04{vlan16}01:01"},
				RemoteID:      flagPtr("{hostname},x"),
				SubscriberIDs: []string{"eth1=b,c"},
			},
		},
		{
			name: "option 82 switches on",
			args: []string{
				"--information-option", "--information-check", "--information-policy", "keep",
				"--trust-all", "--link-selection", "--server-id-override",
			},
			want: config.Flags{
				InformationOption: flagPtr(true), InformationCheck: flagPtr(true), InformationPolicy: flagPtr("keep"),
				TrustAll: true, LinkSelection: flagPtr(true), ServerIDOverride: flagPtr(true),
			},
		},
		{
			name: "option 82 switches off",
			args: []string{"--no-information-option", "--no-information-check", "--link-selection=false"},
			want: config.Flags{
				InformationOption: flagPtr(false), InformationCheck: flagPtr(false), LinkSelection: flagPtr(false),
			},
		},
		{
			name: "addressing and globals",
			args: []string{
				"--source-interface", "lo", "--giaddr", "", "--max-hops", "8", "--max-packet-size", "1400",
				"--log-level", "debug", "--log-format", "json",
			},
			want: config.Flags{
				SourceInterface: flagPtr("lo"), GIAddr: flagPtr(""), MaxHops: flagPtr(8), MaxPacketSize: flagPtr(1400),
				LogLevel: flagPtr("debug"), LogFormat: flagPtr("json"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				got    config.Flags
				gotErr error
				out    bytes.Buffer
			)
			args := append([]string{"iphelper", "run"}, tt.args...)
			if err := flagTestApp(&got, &gotErr, &out).Run(args); err != nil {
				t.Fatalf("Run: %v\n%s", err, out.String())
			}
			if gotErr != nil {
				t.Fatalf("flagsToConfig: %v", gotErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFlagsToConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			name: "option and no-option",
			args: []string{"--information-option", "--no-information-option"},
			want: "--information-option and --no-information-option are mutually exclusive",
		},
		{
			name: "check and no-check",
			args: []string{"--no-information-check", "--information-check"},
			want: "--information-check and --no-information-check are mutually exclusive",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				got    config.Flags
				gotErr error
				out    bytes.Buffer
			)
			args := append([]string{"iphelper", "run"}, tt.args...)
			if err := flagTestApp(&got, &gotErr, &out).Run(args); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if gotErr == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, gotErr.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunExample checks the command line of the README end to end, down to
// the validated config.
func TestRunExample(t *testing.T) {
	var (
		got    config.Flags
		gotErr error
		out    bytes.Buffer
	)
	args := []string{"iphelper", "run", "--interface", "eth1", "--helper-address", "198.51.100.2"}
	if err := flagTestApp(&got, &gotErr, &out).Run(args); err != nil || gotErr != nil {
		t.Fatalf("Run: %v, %v", err, gotErr)
	}
	cfg, err := config.LoadWithFlags("", got)
	if err != nil {
		t.Fatal(err)
	}
	in, ok := cfg.Match("eth1")
	if !ok {
		t.Fatal("eth1 not configured")
	}
	if diff := cmp.Diff([]netip.Addr{netip.MustParseAddr("198.51.100.2")}, in.Helpers,
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("helpers (-want +got):\n%s", diff)
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "iphelper.yaml")
	err := os.WriteFile(file, []byte("hostname: relay1\ninterfaces: [{name: eth1, helper-addresses: [198.51.100.2]}]\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	const effective = `# iphelper effective configuration
max-hops: 4
max-packet-size: 1472
hostname: relay1
log:
  level: info
  format: text
interfaces:
  - name: eth1
    helper-addresses: [198.51.100.2]
    trusted: false
    information-option:
      insert: true
      policy: replace
      check: true
      circuit-id: '{ifname}'
      remote-id: '{hostname}'
      subscriber-id: ""
      link-selection: false
      server-id-override: false
  - name: eth2
    helper-addresses: [198.51.100.3]
    trusted: true
    information-option:
      insert: true
      policy: replace
      check: true
      circuit-id: '{ifname}'
      remote-id: '{hostname}'
      subscriber-id: ""
      link-selection: false
      server-id-override: false
`
	tests := []struct {
		name     string
		args     []string
		want     string
		wantCode int
	}{
		{
			name: "file argument and flags",
			args: []string{"--interface", "eth2", "--helper-address", "eth2=198.51.100.3", "--trusted-interface", "eth2", file},
			want: effective,
		},
		{
			name: "--config",
			args: []string{"-c", file, "--interface", "eth2", "--helper-address", "eth2=198.51.100.3", "--trusted-interface", "eth2"},
			want: effective,
		},
		{
			name:     "invalid",
			args:     []string{"--interface", "eth1", "--helper-address", "255.255.255.255", "--max-hops", "20"},
			want:     "invalid configuration:\n  --max-hops: 20 is out of range 1..16\n  --helper-address \"255.255.255.255\": \"255.255.255.255\" is not an IPv4 unicast address",
			wantCode: 1,
		},
		{
			name:     "missing file",
			args:     []string{filepath.Join(dir, "missing.yaml")},
			want:     "invalid configuration:\n  failed to read config file: open " + filepath.Join(dir, "missing.yaml") + ": no such file or directory",
			wantCode: 1,
		},
		{
			name:     "two files",
			args:     []string{"--config", file, filepath.Join(dir, "other.yaml")},
			want:     "two config files: " + filepath.Join(dir, "other.yaml") + " and --config " + file,
			wantCode: 1,
		},
		{
			name:     "flags after the file",
			args:     []string{file, "--interface", "eth2"},
			want:     "check-config takes at most one FILE, got 3 arguments (give flags before FILE)",
			wantCode: 1,
		},
		{
			name:     "bad flag pair",
			args:     []string{"--information-check", "--no-information-check", file},
			want:     "--information-check and --no-information-check are mutually exclusive",
			wantCode: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				flags  config.Flags
				ferr   error
				stdout bytes.Buffer
			)
			args := append([]string{"iphelper", "check-config"}, tt.args...)
			err := flagTestApp(&flags, &ferr, &stdout).Run(args)
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				if diff := cmp.Diff(tt.want, stdout.String()); diff != "" {
					t.Errorf("output (-want +got):\n%s", diff)
				}
				return
			}
			var exit cli.ExitCoder
			if !errors.As(err, &exit) {
				t.Fatalf("Run: %v, want an exit error", err)
			}
			if diff := cmp.Diff(tt.wantCode, exit.ExitCode()); diff != "" {
				t.Errorf("exit code (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

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
		{
			name: "failover",
			args: []string{
				"--failover-role", "secondary", "--failover-listen", "198.51.100.11", "--failover-peer", "198.51.100.10:7647",
				"--failover-key-file", "/etc/iphelper/failover.key", "--failover-mode", "split",
				"--failover-partner-pool", "eth1=203.0.113.151-203.0.113.200,203.0.113.90", "--failover-partner-pool", "203.0.113.91",
			},
			want: config.Flags{
				FailoverRole: flagPtr("secondary"), FailoverListen: flagPtr("198.51.100.11"), FailoverPeer: flagPtr("198.51.100.10:7647"),
				FailoverKeyFile: flagPtr("/etc/iphelper/failover.key"), FailoverMode: flagPtr("split"),
				FailoverPartnerPools: []string{"eth1=203.0.113.151-203.0.113.200", "eth1=203.0.113.90", "203.0.113.91"},
			},
		},
		{
			name: "fallback",
			args: []string{
				"--fallback-pool", "eth1=203.0.113.100-203.0.113.150,203.0.113.160", "--fallback-pool", "203.0.113.200-203.0.113.210",
				"--fallback-router", "203.0.113.1", "--fallback-dns", "198.51.100.53,198.51.100.54", "--fallback-dns", "198.51.100.55",
				"--fallback-domain", "example.net", "--fallback-lease-time", "1h", "--offer-delay", "500ms",
				"--lease-db", "/srv/leases.db", "--failback", "keep",
			},
			want: config.Flags{
				FallbackPools:     []string{"eth1=203.0.113.100-203.0.113.150", "eth1=203.0.113.160", "203.0.113.200-203.0.113.210"},
				FallbackDNS:       []string{"198.51.100.53", "198.51.100.54", "198.51.100.55"},
				FallbackRouter:    flagPtr("203.0.113.1"),
				FallbackDomain:    flagPtr("example.net"),
				FallbackLeaseTime: flagPtr("1h"),
				OfferDelay:        flagPtr("500ms"),
				LeaseDB:           flagPtr("/srv/leases.db"),
				Failback:          flagPtr("keep"),
			},
		},
		{
			name: "rate limits and chaddr check",
			args: []string{
				"--rate-limit-interface", "1000/s", "--rate-limit-client", "off", "--helper-rate-limit", "300/m",
				"--no-verify-chaddr",
			},
			want: config.Flags{
				InterfaceRate: flagPtr("1000/s"), ClientRate: flagPtr("off"), HelperRate: flagPtr("300/m"),
				VerifyCHAddr: flagPtr(false),
			},
		},
		{
			name: "chaddr check on",
			args: []string{"--verify-chaddr"},
			want: config.Flags{VerifyCHAddr: flagPtr(true)},
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
		{
			name: "verify and no-verify",
			args: []string{"--verify-chaddr", "--no-verify-chaddr"},
			want: "--verify-chaddr and --no-verify-chaddr are mutually exclusive",
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

// TestRunExample checks the command lines of the README end to end, down
// to the validated config.
func TestRunExample(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		wantFallback *config.Fallback
	}{
		{name: "relay", args: []string{"--interface", "eth1", "--helper-address", "198.51.100.2"}},
		{
			name: "relay with a fallback pool",
			args: []string{"--interface", "eth1", "--helper-address", "198.51.100.2", "--fallback-pool", "eth1=203.0.113.100-203.0.113.150"},
			wantFallback: &config.Fallback{
				Enabled: true,
				Pools: []config.Range{{
					Start: netip.MustParseAddr("203.0.113.100"), End: netip.MustParseAddr("203.0.113.150"),
				}},
				LeaseTime:          config.DefaultFallbackLeaseTime,
				OfferDelay:         config.DefaultOfferDelay,
				DownAfter:          config.DefaultDownAfter,
				TransactionTimeout: config.DefaultTransactionTimeout,
				ProbeCount:         config.DefaultProbeCount,
				ProbeTimeout:       config.DefaultProbeTimeout,
				DeclineQuarantine:  config.DefaultDeclineQuarantine,
				OfferHold:          config.DefaultOfferHold,
				Failback:           config.DefaultFailback,
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
			addrCmp := cmp.Comparer(func(a, b netip.Addr) bool { return a == b })
			if diff := cmp.Diff([]netip.Addr{netip.MustParseAddr("198.51.100.2")}, in.Helpers, addrCmp); diff != "" {
				t.Errorf("helpers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFallback, in.Fallback, addrCmp); diff != "" {
				t.Errorf("fallback (-want +got):\n%s", diff)
			}
		})
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
lease-db: /var/lib/iphelper/leases.db
lease-store: bolt
helper-rate-limit: "off"
poll-above: 8000/s
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
    rate-limit:
      interface: 2000/s
      interface-burst: 4000
      client: 10/s
      client-burst: 20
      max-clients: 65536
    verify-chaddr: true
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
    rate-limit:
      interface: 2000/s
      interface-burst: 4000
      client: 10/s
      client-burst: 20
      max-clients: 65536
    verify-chaddr: true
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
			wantCode: 2,
		},
		{
			name:     "flags after the file",
			args:     []string{file, "--interface", "eth2"},
			want:     "check-config takes at most one FILE, got 3 arguments (give flags before FILE)",
			wantCode: 2,
		},
		{
			name: "fallback outside the subnet of an interface that exists",
			args: []string{"--interface", "lo", "--helper-address", "198.51.100.2", "--fallback-pool", "lo=203.0.113.100-203.0.113.150", file},
			want: "invalid configuration:\n" +
				`  interface "lo": address 127.0.0.1/8: fallback.pools[0]: 203.0.113.100-203.0.113.150 is not inside 127.0.0.0/8`,
			wantCode: 1,
		},
		{
			name:     "bad fallback flag",
			args:     []string{"--interface", "eth1", "--helper-address", "198.51.100.2", "--fallback-pool", "eth1=203.0.113.150-203.0.113.100", "--offer-delay", "4s"},
			want:     "invalid configuration:\n  --fallback-pool \"eth1=203.0.113.150-203.0.113.100\": start 203.0.113.150 is after end 203.0.113.100\n  --offer-delay: 4s is out of range [0s, 4s)",
			wantCode: 1,
		},
		{
			name:     "bad flag pair",
			args:     []string{"--information-check", "--no-information-check", file},
			want:     "--information-check and --no-information-check are mutually exclusive",
			wantCode: 2,
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

// TestRunRateLimitFlags checks the rate-limit flags end to end, down to the
// validated config.
func TestRunRateLimitFlags(t *testing.T) {
	base := []string{"--interface", "eth1", "--helper-address", "198.51.100.2"}
	type result struct {
		RateLimit   config.RateLimit
		Verify      bool
		HelperRate  float64
		HelperBurst int
	}
	tests := []struct {
		name string
		args []string
		want result
	}{
		{
			name: "defaults",
			want: result{
				RateLimit: config.RateLimit{InterfaceRate: config.DefaultInterfaceRate, InterfaceBurst: 4000,
					ClientRate: config.DefaultClientRate, ClientBurst: 20, MaxClients: config.DefaultMaxClients},
				Verify: config.DefaultVerifyCHAddr,
			},
		},
		{
			name: "all set",
			args: []string{"--rate-limit-interface", "off", "--rate-limit-client", "60/m", "--helper-rate-limit", "5000/s", "--no-verify-chaddr"},
			want: result{
				RateLimit:  config.RateLimit{ClientRate: 1, ClientBurst: 2, MaxClients: config.DefaultMaxClients},
				HelperRate: 5000, HelperBurst: 10000,
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
			args := append(append([]string{"iphelper", "run"}, base...), tt.args...)
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
			res := result{RateLimit: in.RateLimit, Verify: in.VerifyCHAddr, HelperRate: cfg.HelperRate, HelperBurst: cfg.HelperBurst}
			if diff := cmp.Diff(tt.want, res); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// failoverIfs is an interface entry without a fallback, for files whose
// failover: block is under test.
const failoverIfs = "interfaces: [{name: eth1, helper-addresses: [198.51.100.2]}]\n"

// defaultFailover is the failover: block with role, listen, peer and key
// file given and every other key at its default.
func defaultFailover() Failover {
	return Failover{
		Role:              FailoverPrimary,
		Listen:            netip.MustParseAddrPort("198.51.100.10:647"),
		Peer:              netip.MustParseAddrPort("198.51.100.11:647"),
		KeyFile:           "/etc/iphelper/failover.key",
		MCLT:              5 * time.Minute,
		Heartbeat:         time.Second,
		MaxResponseDelay:  3 * time.Second,
		StartupDelay:      5 * time.Second,
		MaxAckDelay:       time.Second,
		UnansweredClients: 3,
		SecsThreshold:     3 * time.Second,
		MaxPendingUpdates: 4096,
		Split:             50,
		StandbyShare:      10,
		SecondaryDelay:    time.Second,
	}
}

// minimalFailoverYAML is the smallest valid failover: block.
const minimalFailoverYAML = "failover: {role: primary, listen: 198.51.100.10, peer: 198.51.100.11, key-file: /etc/iphelper/failover.key}\n"

// fullFailoverYAML is the failover: block with every key set.
const fullFailoverYAML = `
failover:
  role: secondary
  name: core-pair
  listen: 198.51.100.11:7647
  peer: "[2001:db8::10]:7647"
  tls-cert: /etc/iphelper/node.crt
  tls-key: /etc/iphelper/node.key
  tls-ca: /etc/iphelper/ca.crt
  mclt: 10m
  heartbeat: 500ms
  max-response-delay: 2s
  startup-delay: 0s
  max-ack-delay: 300ms
  auto-partner-down: 1m
  unanswered-clients: 5
  secs-threshold: 20s
  max-pending-updates: 100
  split: 70
  standby-share: 25
  secondary-delay: 1500ms
`

func TestFailoverParse(t *testing.T) {
	with := func(edit func(*Failover)) Failover {
		f := defaultFailover()
		edit(&f)
		return f
	}
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  Failover
	}{
		{name: "no block: not enabled", data: failoverIfs, want: Failover{}},
		{name: "minimal: the defaults", data: minimalFailoverYAML + failoverIfs, want: defaultFailover()},
		{
			name: "every key",
			data: fullFailoverYAML + failoverIfs,
			want: Failover{
				Role:              FailoverSecondary,
				Name:              "core-pair",
				Listen:            netip.MustParseAddrPort("198.51.100.11:7647"),
				Peer:              netip.MustParseAddrPort("[2001:db8::10]:7647"),
				TLSCert:           "/etc/iphelper/node.crt",
				TLSKey:            "/etc/iphelper/node.key",
				TLSCA:             "/etc/iphelper/ca.crt",
				MCLT:              10 * time.Minute,
				Heartbeat:         500 * time.Millisecond,
				MaxResponseDelay:  2 * time.Second,
				MaxAckDelay:       300 * time.Millisecond,
				AutoPartnerDown:   time.Minute,
				UnansweredClients: 5,
				SecsThreshold:     20 * time.Second,
				MaxPendingUpdates: 100,
				Split:             70,
				StandbyShare:      25,
				SecondaryDelay:    1500 * time.Millisecond,
			},
		},
		{
			name: "flags only make the block",
			data: failoverIfs,
			flags: Flags{
				FailoverRole:    ptrTo("primary"),
				FailoverListen:  ptrTo("198.51.100.10"),
				FailoverPeer:    ptrTo("198.51.100.11"),
				FailoverKeyFile: ptrTo("/etc/iphelper/failover.key"),
			},
			want: defaultFailover(),
		},
		{
			name: "flags over the file, key by key",
			data: minimalFailoverYAML + failoverIfs,
			flags: Flags{
				FailoverRole: ptrTo("secondary"),
				FailoverPeer: ptrTo("198.51.100.12:700"),
			},
			want: with(func(f *Failover) {
				f.Role = FailoverSecondary
				f.Peer = netip.MustParseAddrPort("198.51.100.12:700")
			}),
		},
		{
			name:  "--failover-key-file over the file's key-file",
			data:  minimalFailoverYAML + failoverIfs,
			flags: Flags{FailoverKeyFile: ptrTo("/run/k")},
			want:  with(func(f *Failover) { f.KeyFile = "/run/k" }),
		},
		{
			name: "an IPv4-mapped address is IPv4; loopback is allowed",
			data: "failover: {role: primary, listen: '[::ffff:127.0.0.1]:6470', peer: 127.0.0.1:6471, key-file: /etc/iphelper/failover.key}\n" + failoverIfs,
			want: with(func(f *Failover) {
				f.Listen = netip.MustParseAddrPort("127.0.0.1:6470")
				f.Peer = netip.MustParseAddrPort("127.0.0.1:6471")
			}),
		},
		{
			name: "the bounds",
			data: "failover: {role: primary, listen: 198.51.100.10, peer: 198.51.100.11, key-file: /etc/iphelper/failover.key," +
				" mclt: 10s, heartbeat: 100ms, max-response-delay: 5s, max-ack-delay: 10ms, auto-partner-down: 5s," +
				" unanswered-clients: 1, secs-threshold: 1s, max-pending-updates: 1, split: 0, standby-share: 1, secondary-delay: 0s}\n" + failoverIfs,
			want: with(func(f *Failover) {
				f.MCLT, f.Heartbeat, f.MaxResponseDelay, f.MaxAckDelay = 10*time.Second, 100*time.Millisecond, 5*time.Second, 10*time.Millisecond
				f.AutoPartnerDown, f.UnansweredClients, f.SecsThreshold = 5*time.Second, 1, time.Second
				f.MaxPendingUpdates, f.Split, f.StandbyShare, f.SecondaryDelay = 1, 0, 1, 0
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.data, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cfg.Failover, cmpOpts()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got, want := cfg.Failover.Enabled(), tt.want.Role != FailoverNoRole; got != want {
				t.Errorf("Enabled() = %v, want %v", got, want)
			}
		})
	}
}

func TestFailoverErrors(t *testing.T) {
	// block is a failover: block with the required keys and keys, which
	// may replace them (the last of a repeated flow key is an error, so
	// replacements go through a map).
	block := func(keys string) string {
		base := map[string]string{"role": "primary", "listen": "198.51.100.10", "peer": "198.51.100.11", "key-file": "/k"}
		var extra []string
		for _, kv := range strings.Split(keys, ", ") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, ": ")
			if _, ok := base[k]; ok {
				base[k] = v
				continue
			}
			extra = append(extra, kv)
		}
		var parts []string
		for _, k := range []string{"role", "listen", "peer", "key-file"} {
			if base[k] != "-" {
				parts = append(parts, k+": "+base[k])
			}
		}
		return "failover: {" + strings.Join(append(parts, extra...), ", ") + "}\n" + failoverIfs
	}
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  string
	}{
		{name: "unknown key", data: block("mclt-seconds: 5"), want: `1:85: failover: unknown key "mclt-seconds" (did you mean "mclt"?)`},
		{name: "role missing", data: block("role: -"), want: "failover.role: missing: give primary or secondary (or --failover-role)"},
		{name: "role unknown", data: block("role: master"), want: `failover.role: unknown failover role "master": want primary or secondary`},
		{name: "--failover-role unknown", data: block(""), flags: Flags{FailoverRole: ptrTo("backup")}, want: `--failover-role: unknown failover role "backup": want primary or secondary`},
		{name: "listen missing", data: block("listen: -"), want: "failover.listen: missing: give ADDR or ADDR:PORT (or --failover-listen)"},
		{name: "peer missing", data: block("peer: -"), want: "failover.peer: missing: give ADDR or ADDR:PORT (or --failover-peer)"},
		{name: "listen not an address", data: block("listen: node-a"), want: `failover.listen: "node-a" is not ADDR or ADDR:PORT: it is a name, not an address (give the IPv4 address a.b.c.d)`},
		{name: "peer unspecified", data: block("peer: 0.0.0.0"), want: `failover.peer: "0.0.0.0": 0.0.0.0 is unspecified: give the address the partner connects to`},
		{name: "peer multicast", data: block("peer: 224.0.0.5"), want: `failover.peer: "224.0.0.5": 224.0.0.5 is not a unicast address`},
		{name: "peer broadcast", data: block("peer: 255.255.255.255"), want: `failover.peer: "255.255.255.255": 255.255.255.255 is not a unicast address`},
		{name: "port 0", data: block("listen: 198.51.100.10:0"), want: `failover.listen: "198.51.100.10:0": port 0`},
		{name: "--failover-peer bad", data: block(""), flags: Flags{FailoverPeer: ptrTo("198.51.100.11:x")}, want: `--failover-peer: "198.51.100.11:x" is not ADDR or ADDR:PORT (a port from 1 to 65535, [ADDR]:PORT for IPv6)`},
		{name: "listen is peer", data: block("listen: 198.51.100.11:647"), want: "failover: listen and peer are both 198.51.100.11:647: the peer is the other node"},
		{name: "name too long", data: block("name: " + strings.Repeat("n", 65)), want: "failover.name: 65 bytes, more than 64"},
		{name: "name control character", data: block(`name: "a\tb"`), want: `failover.name: "a\tb" holds a control character`},
		{name: "no authentication", data: block("key-file: -"), want: "failover: authentication missing: give key-file (or --failover-key-file), or tls-cert, tls-key and tls-ca"},
		{name: "both key and certificates", data: block("tls-cert: /c, tls-key: /k, tls-ca: /a"), want: "failover: key-file and tls-cert, tls-key, tls-ca are mutually exclusive: authenticate by one of them"},
		{name: "--failover-key-file and certificates", data: block("key-file: -, tls-cert: /c, tls-key: /k, tls-ca: /a"), flags: Flags{FailoverKeyFile: ptrTo("/k")}, want: "failover: key-file and tls-cert, tls-key, tls-ca are mutually exclusive: authenticate by one of them"},
		{name: "tls-ca missing", data: block("key-file: -, tls-cert: /c, tls-key: /k"), want: "failover.tls-ca: missing: certificates need tls-cert, tls-key and tls-ca"},
		{name: "tls-cert and tls-key missing", data: block("key-file: -, tls-ca: /a"), want: "failover.tls-cert: missing: certificates need tls-cert, tls-key and tls-ca\nfailover.tls-key: missing: certificates need tls-cert, tls-key and tls-ca"},
		{name: "key-file relative", data: block("key-file: failover.key"), want: `failover.key-file: "failover.key" is not an absolute path`},
		{name: "key-file empty", data: block(`key-file: ""`), want: "failover.key-file: must not be empty"},
		{name: "--failover-key-file relative", data: block(""), flags: Flags{FailoverKeyFile: ptrTo("k")}, want: `--failover-key-file: "k" is not an absolute path`},
		{name: "tls-key relative", data: block("key-file: -, tls-cert: /c, tls-key: k, tls-ca: /a"), want: `failover.tls-key: "k" is not an absolute path`},
		{name: "mclt short", data: block("mclt: 9s"), want: "failover.mclt: 9s is out of range [10s, 24h0m0s]"},
		{name: "mclt long", data: block("mclt: 25h"), want: "failover.mclt: 25h0m0s is out of range [10s, 24h0m0s]"},
		{name: "mclt not a duration", data: block("mclt: 300"), want: `failover.mclt: "300" is not a duration: write a number and a unit, e.g. 90s, 5m or 1h30m`},
		{name: "mclt under twice max-response-delay", data: block("mclt: 10s, max-response-delay: 6s"), want: "failover.mclt: 10s must be at least 2 × max-response-delay (12s)"},
		{name: "heartbeat short", data: block("heartbeat: 50ms"), want: "failover.heartbeat: 50ms is out of range [100ms, 30s]"},
		{name: "heartbeat long", data: block("heartbeat: 31s, max-response-delay: 40s"), want: "failover.heartbeat: 31s is out of range [100ms, 30s]"},
		{name: "max-response-delay not above heartbeat", data: block("heartbeat: 3s"), want: "failover.max-response-delay: 3s must be more than heartbeat (3s)"},
		{name: "max-response-delay long", data: block("max-response-delay: 6m"), want: "failover.max-response-delay: 6m0s is out of range [100ms, 5m0s]"},
		{name: "startup-delay long", data: block("startup-delay: 6m"), want: "failover.startup-delay: 6m0s is out of range [0s, 5m0s]"},
		{name: "max-ack-delay at the retransmission", data: block("max-ack-delay: 4s"), want: "failover.max-ack-delay: 4s is out of range [10ms, 4s)"},
		{name: "max-ack-delay short", data: block("max-ack-delay: 1ms"), want: "failover.max-ack-delay: 1ms is out of range [10ms, 4s)"},
		{name: "auto-partner-down under max-response-delay", data: block("auto-partner-down: 2s"), want: "failover.auto-partner-down: 2s must be 0 (off) or at least max-response-delay (3s)"},
		{name: "auto-partner-down long", data: block("auto-partner-down: 25h"), want: "failover.auto-partner-down: 25h0m0s is out of range [0s, 24h0m0s]"},
		{name: "unanswered-clients 0", data: block("unanswered-clients: 0"), want: "failover.unanswered-clients: 0 is out of range 1..1000"},
		{name: "secs-threshold 0", data: block("secs-threshold: 0s"), want: "failover.secs-threshold: 0s is out of range [1s, 18h12m15s]"},
		{name: "secs-threshold fraction", data: block("secs-threshold: 1500ms"), want: "failover.secs-threshold: 1.5s is not a whole number of seconds"},
		{name: "max-pending-updates 0", data: block("max-pending-updates: 0"), want: "failover.max-pending-updates: 0 is out of range 1..1048576"},
		{name: "split over 100", data: block("split: 101"), want: "failover.split: 101 is out of range 0..100"},
		{name: "standby-share 0", data: block("standby-share: 0"), want: "failover.standby-share: 0 is out of range 1..50"},
		{name: "standby-share over half", data: block("standby-share: 51"), want: "failover.standby-share: 51 is out of range 1..50"},
		{name: "secondary-delay at the retransmission", data: block("secondary-delay: 4s"), want: "failover.secondary-delay: 4s is out of range [0s, 4s)"},
		{name: "--failover-listen alone makes a block", data: failoverIfs, flags: Flags{FailoverListen: ptrTo("198.51.100.10")},
			want: "failover.role: missing: give primary or secondary (or --failover-role)\n" +
				"failover.peer: missing: give ADDR or ADDR:PORT (or --failover-peer)\n" +
				"failover: authentication missing: give key-file (or --failover-key-file), or tls-cert, tls-key and tls-ca"},
		{name: "an empty block", data: "failover: {}\n" + failoverIfs,
			want: "failover.role: missing: give primary or secondary (or --failover-role)\n" +
				"failover.listen: missing: give ADDR or ADDR:PORT (or --failover-listen)\n" +
				"failover.peer: missing: give ADDR or ADDR:PORT (or --failover-peer)\n" +
				"failover: authentication missing: give key-file (or --failover-key-file), or tls-cert, tls-key and tls-ca"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTest(tt.data, tt.flags)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

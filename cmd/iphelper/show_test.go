package main

import (
	"bytes"
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
	"github.com/iphelper/iphelper/relay/trace"
)

// clientT0 is the client tests' "now".
var clientT0 = time.Date(2026, 3, 1, 14, 2, 11, 0, time.UTC)

// fakeRelay is a control.StatusSource with a fixed status.
type fakeRelay struct {
	st status.Status
}

func (f *fakeRelay) Status() status.Status { return f.st }

type fakeLeaseSource []leasestore.Lease

func (f fakeLeaseSource) FallbackLeases() []leasestore.Lease { return f }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// clientTestStatus is a relay with one interface up and one waiting.
func clientTestStatus() status.Status {
	return status.Status{
		Interfaces: []status.InterfaceStatus{
			{
				Name: "eth1", State: "up", Index: 3, Address: netip.MustParsePrefix("203.0.113.1/25"), GIAddr: mustAddr("203.0.113.1"),
				Helpers: []netip.Addr{mustAddr("198.51.100.2"), mustAddr("198.51.100.3")}, Option82: true, Policy: "replace",
				CircuitID: "eth1", RemoteID: "relay1", Polling: true, Ring: true,
				Counters: status.InterfaceStats{
					Name: "eth1", RequestsIn: 12, RequestsRelayed: 10, Opt82Inserted: 10, RepliesOut: 9, RepliesBcast: 4, FallbackReplies: 1,
					Drops: map[string]uint64{"untrusted_option82": 1, "max_hops": 1},
					In:    map[string]uint64{"discover": 6, "request": 6}, Out: map[string]uint64{"offer": 5, "ack": 4, "bootp": 0},
				},
			},
			{
				Name: "eth2.20", State: "waiting for link", VLAN: 20, Helpers: []netip.Addr{mustAddr("198.51.100.2")},
				Trusted: true, Policy: "keep", Counters: status.InterfaceStats{Name: "eth2.20", Drops: map[string]uint64{},
					UDPForwarded: 3, UDPPorts: []status.PortStats{{Port: 69, Received: 4, Forwarded: 3, Dropped: 1}}},
			},
		},
		Helpers: []status.HelperStats{
			{
				Addr: mustAddr("198.51.100.2"), Sent: 10, Replies: 9, LastReply: time.Date(2026, 11, 30, 12, 1, 2, 0, time.UTC),
				Health: "up", Since: time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC), Reason: "upstream replied",
				Forwarded: 10, Answered: 9, TimedOut: 1, LatencyP50: 1500 * time.Microsecond, LatencyP99: 12 * time.Millisecond,
				Latency: status.LatencyHistogram{Count: 9},
				Sets:    []string{"198.51.100.2", "198.51.100.2,198.51.100.3"},
			},
			{
				Addr: mustAddr("198.51.100.3"), Sent: 10, SendErrors: 1,
				Health: "down", Since: time.Date(2026, 11, 30, 11, 30, 0, 0, time.UTC),
				Reason: "3 transactions in a row got no reply within 2s", Forwarded: 10, TimedOut: 10,
				Sets: []string{"198.51.100.2,198.51.100.3"},
			},
		},
		HelperSets: []status.HelperSetStats{
			{
				Helpers: []netip.Addr{mustAddr("198.51.100.2")}, Interfaces: []string{"eth2.20"}, Health: "up",
				Since: time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC), Reason: "no transaction has failed yet",
			},
			{
				Helpers: []netip.Addr{mustAddr("198.51.100.2"), mustAddr("198.51.100.3")}, Interfaces: []string{"eth1"}, Health: "up",
				Since: time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC), Reason: "upstream replied",
				Forwarded: 10, Answered: 9, TimedOut: 1, LatencyP50: 1500 * time.Microsecond, LatencyP99: 12 * time.Millisecond,
				Latency: status.LatencyHistogram{Count: 9},
			},
		},
		Global: status.InterfaceStats{Drops: map[string]uint64{"unknown_giaddr": 3}},
	}
}

// startControl runs a control server with fake sources in a temporary
// directory for the test, and returns its socket path.
func startControl(t *testing.T, src control.Sources) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "control.sock")
	s := control.NewServer(path, src, control.Options{Now: func() time.Time { return clientT0 }})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("control server: %v", err)
		}
	})
	return path
}

func testSources() control.Sources {
	tb := bindings.New(0)
	tb.Learn(bindings.Binding{Addr: mustAddr("203.0.113.50"), MAC: []byte{2, 0, 0, 0, 0, 0x50}, Interface: "eth1",
		Hostname: "pc-50", Expiry: clientT0.Add(time.Hour)})
	tb.Learn(bindings.Binding{Addr: mustAddr("203.0.113.140"), MAC: []byte{2, 0, 0, 0, 0, 0x51}, Interface: "eth2.20", VLAN: 20,
		Expiry: clientT0.Add(90 * time.Second)})
	tb.Learn(bindings.Binding{Addr: mustAddr("203.0.113.141"), MAC: []byte{2, 0, 0, 0, 0, 0x52}, Interface: "eth2.20", VLAN: 20})
	return control.Sources{
		Status:   &fakeRelay{st: clientTestStatus()},
		Bindings: tb,
		Leases: fakeLeaseSource{
			{Addr: mustAddr("203.0.113.201"), MAC: []byte{2, 0, 0, 0, 0, 0x78}, Interface: "eth1",
				Expiry: clientT0.Add(-time.Minute), State: leasestore.StateReleased},
			{Addr: mustAddr("203.0.113.200"), MAC: []byte{2, 0, 0, 0, 0, 0x77}, ClientID: []byte{1, 2, 0, 0, 0, 0, 0x77},
				Hostname: "printer\x1b[2J", Interface: "eth1", Expiry: clientT0.Add(30 * time.Minute), State: leasestore.StateBound},
		},
		Trace: trace.New(0, nil),
	}
}

// clientApp is an app with the client commands that never exits the
// process.
func clientApp(stdout, stderr *bytes.Buffer) *cli.App {
	return &cli.App{
		Name: "iphelper", Writer: stdout, ErrWriter: stderr, ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			showCommandWith(clientEnv{now: func() time.Time { return clientT0 }}),
			clearCommand(),
			debugCommand(),
			failoverCommandWith(clientEnv{now: func() time.Time { return clientT0 }}),
		},
	}
}

// runClient runs the app with args, --control-socket path inserted after
// the subcommand, and returns its output and error text.
func runClient(t *testing.T, path string, args ...string) (stdout, errText string) {
	t.Helper()
	var out, errOut bytes.Buffer
	full := append([]string{"iphelper", args[0], args[1], "--control-socket", path}, args[2:]...)
	if err := runArgs(clientApp(&out, &errOut), full); err != nil {
		errText = err.Error()
	}
	return out.String(), errText
}

func TestShowTables(t *testing.T) {
	path := startControl(t, testSources())
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{
		{
			name: "interfaces",
			args: []string{"show", "interfaces"},
			want: `
Interface  State               VLAN  Address         Giaddr       Helpers                    Option 82  Trusted  Policy   Circuit-ID  In  Relayed  Out  Drops
eth1       up (polling, ring)  -     203.0.113.1/25  203.0.113.1  198.51.100.2,198.51.100.3  insert     no       replace  eth1        12  10       9    2
eth2.20    waiting for link    20    -               -            198.51.100.2               off        yes      keep     -           0   0        0    0
`,
		},
		{
			name: "helpers",
			args: []string{"show", "helpers"},
			want: `
Helper        Health  Since                 Last reply            Sent  Replies  Timed out  p50 ms  p99 ms  Send errors
198.51.100.2  up      2026-11-30T11:00:00Z  2026-11-30T12:01:02Z  10    9        1          1.5     12.0    0
198.51.100.3  down    2026-11-30T11:30:00Z  -                     10    0        10         -       -       1
198.51.100.3 is down: 3 transactions in a row got no reply within 2s

Helper sets (a set is down when none of its helpers answers: its interfaces' fallback then answers at once)
Helpers                    Interfaces  Health  Since                 Forwarded  Answered  Timed out  p50 ms  p99 ms
198.51.100.2               eth2.20     up      2026-11-30T11:00:00Z  0          0         0          -       -
198.51.100.2,198.51.100.3  eth1        up      2026-11-30T11:00:00Z  10         9         1          1.5     12.0
`,
		},
		{
			name: "upstreams is helpers",
			args: []string{"show", "upstreams"},
			want: `
Helper        Health  Since                 Last reply            Sent  Replies  Timed out  p50 ms  p99 ms  Send errors
198.51.100.2  up      2026-11-30T11:00:00Z  2026-11-30T12:01:02Z  10    9        1          1.5     12.0    0
198.51.100.3  down    2026-11-30T11:30:00Z  -                     10    0        10         -       -       1
198.51.100.3 is down: 3 transactions in a row got no reply within 2s

Helper sets (a set is down when none of its helpers answers: its interfaces' fallback then answers at once)
Helpers                    Interfaces  Health  Since                 Forwarded  Answered  Timed out  p50 ms  p99 ms
198.51.100.2               eth2.20     up      2026-11-30T11:00:00Z  0          0         0          -       -
198.51.100.2,198.51.100.3  eth1        up      2026-11-30T11:00:00Z  10         9         1          1.5     12.0
`,
		},
		{
			name: "statistics",
			args: []string{"show", "statistics"},
			want: `
Interface eth1 (up)
  Requests received            12
  Requests relayed             10
  Option 82 inserted           10
  Option 82 omitted (too big)  0
  Replies delivered            9
    of which by broadcast      4
  Fallback server replies      1
  Dropped                      2
    max_hops                   1
    untrusted_option82         1
  Message   Received  Delivered
  DISCOVER  6         0
  OFFER     0         5
  REQUEST   6         0
  ACK       0         4
  NAK       0         0
  RELEASE   0         0
  DECLINE   0         0
  INFORM    0         0

Interface eth2.20 (waiting for link)
  Requests received            0
  Requests relayed             0
  Option 82 inserted           0
  Option 82 omitted (too big)  0
  Replies delivered            0
    of which by broadcast      0
  Fallback server replies      0
  UDP broadcasts forwarded     3
    udp:69                     received 4, forwarded 3, dropped 1
  Dropped                      0

Not charged to an interface
  Dropped           3
    unknown_giaddr  3

Helper        Health  Since                 Last reply            Sent  Replies  Timed out  p50 ms  p99 ms  Send errors
198.51.100.2  up      2026-11-30T11:00:00Z  2026-11-30T12:01:02Z  10    9        1          1.5     12.0    0
198.51.100.3  down    2026-11-30T11:30:00Z  -                     10    0        10         -       -       1
198.51.100.3 is down: 3 transactions in a row got no reply within 2s

Helper sets (a set is down when none of its helpers answers: its interfaces' fallback then answers at once)
Helpers                    Interfaces  Health  Since                 Forwarded  Answered  Timed out  p50 ms  p99 ms
198.51.100.2               eth2.20     up      2026-11-30T11:00:00Z  0          0         0          -       -
198.51.100.2,198.51.100.3  eth1        up      2026-11-30T11:00:00Z  10         9         1          1.5     12.0
`,
		},
		{
			name: "bindings",
			args: []string{"show", "bindings"},
			want: `
Address        MAC                Interface  VLAN  Hostname  Expires
203.0.113.50   02:00:00:00:00:50  eth1       -     pc-50     2026-03-01T15:02:11Z (in 1h)
203.0.113.140  02:00:00:00:00:51  eth2.20    20    -         2026-03-01T14:03:41Z (in 1m30s)
203.0.113.141  02:00:00:00:00:52  eth2.20    20    -         never
`,
		},
		{
			name: "binding by MAC",
			args: []string{"show", "bindings", "02:00:00:00:00:51"},
			want: `
Address        MAC                Interface  VLAN  Hostname  Expires
203.0.113.140  02:00:00:00:00:51  eth2.20    20    -         2026-03-01T14:03:41Z (in 1m30s)
`,
		},
		{
			name:    "no binding for an address",
			args:    []string{"show", "bindings", "203.0.113.99"},
			wantErr: "no binding for 203.0.113.99",
		},
		{
			name:    "bad binding query",
			args:    []string{"show", "bindings", "pc-50"},
			wantErr: `bad binding query "pc-50": neither an IPv4 address nor a MAC address (bad_argument)`,
		},
		{
			name: "leases",
			args: []string{"show", "leases"},
			want: `
Address        MAC                Client-ID             Hostname     Interface  Expires                         State
203.0.113.200  02:00:00:00:00:77  01:02:00:00:00:00:77  printer?[2J  eth1       2026-03-01T14:32:11Z (in 30m)   bound
203.0.113.201  02:00:00:00:00:78  -                     -            eth1       2026-03-01T14:01:11Z (expired)  released
`,
		},
		{
			name:    "extra arguments",
			args:    []string{"show", "interfaces", "eth1"},
			wantErr: `show interfaces: unexpected arguments ["eth1"]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errText := runClient(t, path, tt.args...)
			if diff := cmp.Diff(tt.wantErr, errText); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(strings.TrimPrefix(tt.want, "\n"), got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShowJSON(t *testing.T) {
	path := startControl(t, testSources())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			name: "helpers",
			args: []string{"show", "helpers", "--json"},
			want: `[
  {
    "address": "198.51.100.2",
    "requests_sent": 10,
    "send_errors": 0,
    "replies_received": 9,
    "last_reply": "2026-11-30T12:01:02Z",
    "health": "up",
    "since": "2026-11-30T11:00:00Z",
    "reason": "upstream replied",
    "transactions_forwarded": 10,
    "transactions_answered": 9,
    "transactions_timed_out": 1,
    "latency_p50_ms": 1.5,
    "latency_p99_ms": 12,
    "latency_samples": 9,
    "sets": [
      {
        "helpers": [
          "198.51.100.2"
        ],
        "interfaces": [
          "eth2.20"
        ],
        "health": "up",
        "since": "2026-11-30T11:00:00Z",
        "reason": "no transaction has failed yet",
        "transactions_forwarded": 0,
        "transactions_answered": 0,
        "transactions_timed_out": 0,
        "latency_p50_ms": 0,
        "latency_p99_ms": 0,
        "latency_samples": 0
      },
      {
        "helpers": [
          "198.51.100.2",
          "198.51.100.3"
        ],
        "interfaces": [
          "eth1"
        ],
        "health": "up",
        "since": "2026-11-30T11:00:00Z",
        "reason": "upstream replied",
        "transactions_forwarded": 10,
        "transactions_answered": 9,
        "transactions_timed_out": 1,
        "latency_p50_ms": 1.5,
        "latency_p99_ms": 12,
        "latency_samples": 9
      }
    ]
  },
  {
    "address": "198.51.100.3",
    "requests_sent": 10,
    "send_errors": 1,
    "replies_received": 0,
    "health": "down",
    "since": "2026-11-30T11:30:00Z",
    "reason": "3 transactions in a row got no reply within 2s",
    "transactions_forwarded": 10,
    "transactions_answered": 0,
    "transactions_timed_out": 10,
    "latency_p50_ms": 0,
    "latency_p99_ms": 0,
    "latency_samples": 0,
    "sets": [
      {
        "helpers": [
          "198.51.100.2",
          "198.51.100.3"
        ],
        "interfaces": [
          "eth1"
        ],
        "health": "up",
        "since": "2026-11-30T11:00:00Z",
        "reason": "upstream replied",
        "transactions_forwarded": 10,
        "transactions_answered": 9,
        "transactions_timed_out": 1,
        "latency_p50_ms": 1.5,
        "latency_p99_ms": 12,
        "latency_samples": 9
      }
    ]
  }
]
`,
		},
		{
			name: "binding by address",
			args: []string{"show", "bindings", "--json", "203.0.113.50"},
			want: `[
  {
    "address": "203.0.113.50",
    "mac": "02:00:00:00:00:50",
    "interface": "eth1",
    "vlan": 0,
    "hostname": "pc-50",
    "expiry": "2026-03-01T15:02:11Z"
  }
]
`,
		},
		{name: "no binding is an empty list", args: []string{"show", "bindings", "--json", "203.0.113.99"}, want: "[]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errText := runClient(t, path, tt.args...)
			if errText != "" {
				t.Fatal(errText)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShowWithoutDaemon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	_, errText := runClient(t, path, "show", "interfaces")
	want := "failed to connect to the control socket " + path + ": dial unix " + path + ": connect: no such file or directory\n" +
		"(is iphelper running, and may you open " + path + "? the daemon's socket is owner-only)"
	if diff := cmp.Diff(want, errText); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestShowUnavailable(t *testing.T) {
	path := startControl(t, control.Sources{Status: &fakeRelay{st: clientTestStatus()}})
	_, errText := runClient(t, path, "show", "leases")
	if want := "the fallback server is not running in this daemon (unavailable)"; errText != want {
		t.Errorf("error %q, want %q", errText, want)
	}
}

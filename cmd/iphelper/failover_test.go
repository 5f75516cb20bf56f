package main

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/status"
)

// fakePair is a control.FailoverSource: st is the pair (nil: none), err
// what partner-down answers; a partner-down that succeeds moves st to
// PARTNER-DOWN at clientT0.
type fakePair struct {
	mu    sync.Mutex
	st    *status.Failover
	err   error
	calls int
}

func (f *fakePair) FailoverStatus() *status.Failover {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.st == nil {
		return nil
	}
	c := *f.st
	return &c
}

func (f *fakePair) FailoverPartnerDown(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return f.err
	}
	f.st.State, f.st.Since, f.st.PartnerDownSince = "PARTNER-DOWN", clientT0, clientT0
	return nil
}

func (f *fakePair) called() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// clientTestFailover is a primary out of contact for a minute, with one
// scope served and one whose partner differs.
func clientTestFailover() *status.Failover {
	return &status.Failover{
		Name: "pair1", Role: "primary", State: "COMMUNICATIONS-INTERRUPTED", Since: clientT0.Add(-time.Minute),
		PartnerState: "NORMAL", LastContact: clientT0.Add(-63 * time.Second),
		Listen: netip.MustParseAddrPort("198.51.100.10:647"), Peer: netip.MustParseAddrPort("198.51.100.11:647"),
		MCLT: 5 * time.Minute, PendingUpdates: 2,
		Scopes: []status.FailoverScope{
			{Interface: "eth1", Subnet: netip.MustParsePrefix("203.0.113.0/25"), Mode: "hot-standby", Owned: 46, PartnerOwned: 5},
			{Interface: "eth2.20", Subnet: netip.MustParsePrefix("203.0.113.128/25"), Mode: "split", Mismatch: true},
			{Interface: "eth3", Subnet: netip.MustParsePrefix("198.51.100.0/26"), Mode: "hot-standby", PartnerMissing: true, Owned: 100, PartnerOwned: 11},
		},
		Transitions: []status.FailoverTransition{
			{At: clientT0.Add(-time.Hour), From: "STARTUP", To: "NORMAL", Reason: "connected and resynchronised"},
			{At: clientT0.Add(-time.Minute), From: "NORMAL", To: "COMMUNICATIONS-INTERRUPTED", Reason: "no message for 3s"},
		},
		Counters: map[string]uint64{"updates_sent": 12, "updates_acked": 10, "auth_failed": 0, "transitions": 2},
	}
}

func TestShowFailover(t *testing.T) {
	fresh := &status.Failover{Role: "secondary", State: "STARTUP", Since: clientT0, MCLT: time.Hour, Counters: map[string]uint64{}}
	tests := []struct {
		name    string
		pair    *status.Failover
		args    []string
		want    string
		wantErr string
	}{
		{
			name: "table",
			pair: clientTestFailover(),
			args: []string{"show", "failover"},
			want: `
Failover pair pair1
  Role                primary
  State               COMMUNICATIONS-INTERRUPTED since 2026-03-01T14:01:11Z
  Partner state       NORMAL
  Connected           no
  Last contact        2026-03-01T14:01:08Z (1m3s ago)
  Listen              198.51.100.10:647
  Peer                198.51.100.11:647
  MCLT                5m
  Partner down since  -
  Pending updates     2

Interface  Subnet            Mode         Owned  Partner owns  Mismatch
eth1       203.0.113.0/25    hot-standby  46     5             no
eth2.20    203.0.113.128/25  split        0      0             yes
eth3       198.51.100.0/26   hot-standby  100    11            no
203.0.113.128/25: configured differently on the partner: not served in failover
198.51.100.0/26: the partner does not serve it (yet): it refuses this scope's lease updates

State changes (oldest first)
At                    From     To                          Reason
2026-03-01T13:02:11Z  STARTUP  NORMAL                      connected and resynchronised
2026-03-01T14:01:11Z  NORMAL   COMMUNICATIONS-INTERRUPTED  no message for 3s

Counters
  auth_failed    0
  transitions    2
  updates_acked  10
  updates_sent   12
`,
		},
		{
			name: "a new node without contact",
			pair: fresh,
			args: []string{"show", "failover"},
			want: `
Failover pair
  Role                secondary
  State               STARTUP since 2026-03-01T14:02:11Z
  Partner state       unknown (no contact since start)
  Connected           no
  Last contact        -
  Listen              -
  Peer                -
  MCLT                1h
  Partner down since  -
  Pending updates     0

Interface  Subnet  Mode  Owned  Partner owns  Mismatch

No state change since start.

Counters
`,
		},
		{
			name: "json",
			pair: fresh,
			args: []string{"show", "failover", "--json"},
			want: `
{
  "role": "secondary",
  "state": "STARTUP",
  "since": "2026-03-01T14:02:11Z",
  "connected": false,
  "mclt_seconds": 3600,
  "pending_updates": 0,
  "scopes": [],
  "transitions": [],
  "counters": {}
}
`,
		},
		{name: "no pair", args: []string{"show", "failover"}, wantErr: "no failover pair configured (unavailable)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := startControl(t, control.Sources{Failover: &fakePair{st: tt.pair}})
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

// TestFailoverPartnerDown: without --yes nothing reaches the daemon and
// the command says what it would do, with the usage status; with it the
// pair's new state is printed, or the pair's refusal.
func TestFailoverPartnerDown(t *testing.T) {
	tests := []struct {
		name      string
		pair      *fakePair
		args      []string
		want      string
		wantErr   string
		wantCalls int
		wantCode  int
	}{
		{
			name: "without --yes", pair: &fakePair{st: clientTestFailover()}, args: []string{"failover", "partner-down"},
			wantErr: partnerDownWarning, wantCode: exitUsage,
		},
		{
			name: "taken", pair: &fakePair{st: clientTestFailover()}, args: []string{"failover", "partner-down", "--yes"}, wantCalls: 1,
			want: `
Failover pair pair1: PARTNER-DOWN since 2026-03-01T14:02:11Z; this node serves every client of the pair,
and every free address from 2026-03-01T14:07:11Z (MCLT 5m after PARTNER-DOWN began).
`,
		},
		{
			name: "json", pair: &fakePair{st: &status.Failover{Role: "primary", State: "COMMUNICATIONS-INTERRUPTED", MCLT: 10 * time.Second}},
			args: []string{"failover", "partner-down", "--yes", "--json"}, wantCalls: 1,
			want: `
{
  "role": "primary",
  "state": "PARTNER-DOWN",
  "since": "2026-03-01T14:02:11Z",
  "connected": false,
  "mclt_seconds": 10,
  "partner_down_since": "2026-03-01T14:02:11Z",
  "pending_updates": 0,
  "scopes": [],
  "transitions": [],
  "counters": {}
}
`,
		},
		{
			name: "refused", pair: &fakePair{st: clientTestFailover(), err: errors.New("partner-down is refused in state NORMAL")},
			args: []string{"failover", "partner-down", "--yes"}, wantCalls: 1, wantCode: exitFailure,
			wantErr: "partner-down is refused in state NORMAL (refused)\nnothing changed; see iphelper show failover",
		},
		{
			name: "no pair", pair: &fakePair{}, args: []string{"failover", "partner-down", "--yes"}, wantCode: exitFailure,
			wantErr: "no failover pair configured (unavailable)",
		},
		{
			name: "arguments", pair: &fakePair{st: clientTestFailover()}, args: []string{"failover", "partner-down", "now"}, wantCode: exitUsage,
			wantErr: `failover partner-down: unexpected arguments ["now"] (give flags before arguments)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := startControl(t, control.Sources{Failover: tt.pair})
			got, errText, code := runClientStatus(t, path, tt.args...)
			if diff := cmp.Diff(tt.wantErr, errText); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d", code, tt.wantCode)
			}
			if diff := cmp.Diff(strings.TrimPrefix(tt.want, "\n"), got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if n := tt.pair.called(); n != tt.wantCalls {
				t.Errorf("partner-down reached the pair %d times, want %d", n, tt.wantCalls)
			}
		})
	}
}

// runClientStatus is runClient that also returns the exit status the
// command asked for (0 when it succeeded).
func runClientStatus(t *testing.T, path string, args ...string) (stdout, errText string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	full := append([]string{"iphelper", args[0], args[1], "--control-socket", path}, args[2:]...)
	err := runArgs(clientApp(&out, &errOut), full)
	if err == nil {
		return out.String(), "", 0
	}
	var exit cli.ExitCoder
	if !errors.As(err, &exit) {
		t.Fatalf("error %v is not an exit", err)
	}
	return out.String(), err.Error(), exit.ExitCode()
}

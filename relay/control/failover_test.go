package control

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/status"
)

// fakeFailover is a FailoverSource: st is the pair's state (nil: no
// pair), err what partner-down answers; a partner-down that succeeds
// moves st to PARTNER-DOWN.
type fakeFailover struct {
	mu    sync.Mutex
	st    *status.Failover
	err   error
	calls int
}

func (f *fakeFailover) FailoverStatus() *status.Failover {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.st == nil {
		return nil
	}
	c := *f.st
	return &c
}

func (f *fakeFailover) FailoverPartnerDown(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return f.err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	f.st.State, f.st.Since, f.st.PartnerDownSince = "PARTNER-DOWN", t0, t0
	return nil
}

func (f *fakeFailover) called() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

var _ FailoverSource = (*fakeFailover)(nil)

// testFailover is a primary out of contact with its partner for a minute.
func testFailover() *status.Failover {
	return &status.Failover{
		Name: "pair1", Role: "primary", State: "COMMUNICATIONS-INTERRUPTED", Since: t0.Add(-time.Minute),
		PartnerState: "NORMAL", LastContact: t0.Add(-63 * time.Second),
		Listen: netip.MustParseAddrPort("198.51.100.10:647"), Peer: netip.MustParseAddrPort("198.51.100.11:647"),
		MCLT: 5 * time.Minute, PendingUpdates: 2,
		Scopes: []status.FailoverScope{
			{Interface: "eth1", Subnet: netip.MustParsePrefix("203.0.113.0/25"), Mode: "hot-standby", Owned: 46, PartnerOwned: 5},
			{Subnet: netip.MustParsePrefix("203.0.113.128/25"), Mode: "split", Mismatch: true},
		},
		Transitions: []status.FailoverTransition{
			{At: t0.Add(-time.Hour), From: "STARTUP", To: "NORMAL", Reason: "connected and resynchronised"},
			{At: t0.Add(-time.Minute), From: "NORMAL", To: "COMMUNICATIONS-INTERRUPTED", Reason: "no message for 3s"},
		},
		Counters: map[string]uint64{"updates_sent": 12, "updates_acked": 10, "auth_failed": 0, "transitions": 2},
	}
}

// wantTestFailover is testFailover as the control socket sends it.
func wantTestFailover() Failover {
	return Failover{
		Name: "pair1", Role: "primary", State: "COMMUNICATIONS-INTERRUPTED", Since: t0.Add(-time.Minute),
		PartnerState: "NORMAL", LastContact: t0.Add(-63 * time.Second),
		Listen: netip.MustParseAddrPort("198.51.100.10:647"), Peer: netip.MustParseAddrPort("198.51.100.11:647"),
		MCLTSeconds: 300, PendingUpdates: 2,
		Scopes: []FailoverScope{
			{Interface: "eth1", Subnet: netip.MustParsePrefix("203.0.113.0/25"), Mode: "hot-standby", Owned: 46, PartnerOwned: 5},
			{Subnet: netip.MustParsePrefix("203.0.113.128/25"), Mode: "split", Mismatch: true},
		},
		Transitions: []FailoverTransition{
			{At: t0.Add(-time.Hour), From: "STARTUP", To: "NORMAL", Reason: "connected and resynchronised"},
			{At: t0.Add(-time.Minute), From: "NORMAL", To: "COMMUNICATIONS-INTERRUPTED", Reason: "no message for 3s"},
		},
		Counters: map[string]uint64{"updates_sent": 12, "updates_acked": 10, "auth_failed": 0, "transitions": 2},
	}
}

// TestFailoverOf: every field of the pair's status reaches the view; an
// empty status gives empty lists, not null.
func TestFailoverOf(t *testing.T) {
	if diff := cmp.Diff(wantTestFailover(), failoverOf(testFailover()), cmpOpts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got := failoverOf(&status.Failover{Role: "secondary", State: "STARTUP"})
	if got.Scopes == nil || got.Transitions == nil || got.Counters == nil {
		t.Errorf("empty status converts to nil lists: %+v", got)
	}
}

func TestShowFailover(t *testing.T) {
	tests := []struct {
		name    string
		src     Sources
		want    Failover
		wantErr string
	}{
		{name: "pair", src: Sources{Failover: &fakeFailover{st: testFailover()}}, want: wantTestFailover()},
		{name: "relay without a pair", src: Sources{Failover: &fakeFailover{}}, wantErr: "no failover pair configured (unavailable)"},
		{name: "no failover source", src: Sources{}, wantErr: "no failover pair configured (unavailable)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, _ := startServer(t, tt.src, Options{})
			got, err := dial(t, path).Failover(context.Background())
			if tt.wantErr != "" {
				var ce *Error
				if !errors.As(err, &ce) || ce.Code != CodeUnavailable || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestPartnerDown: the command reaches the pair once and answers with the
// state after it; the pair's refusal comes back with its reason and
// CodeRefused; a daemon without a pair says so.
func TestPartnerDown(t *testing.T) {
	tests := []struct {
		name      string
		src       *fakeFailover
		noSource  bool
		wantState string
		wantCalls int
		wantCode  Code
		wantErr   string
	}{
		{name: "taken", src: &fakeFailover{st: testFailover()}, wantState: "PARTNER-DOWN", wantCalls: 1},
		{
			name: "refused", src: &fakeFailover{st: testFailover(), err: errors.New("partner-down is refused in state NORMAL")}, wantCalls: 1,
			wantCode: CodeRefused, wantErr: "partner-down is refused in state NORMAL (refused)",
		},
		{name: "no pair", src: &fakeFailover{}, wantCode: CodeUnavailable, wantErr: "no failover pair configured (unavailable)"},
		{name: "no failover source", noSource: true, wantCode: CodeUnavailable, wantErr: "no failover pair configured (unavailable)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := Sources{Failover: tt.src}
			if tt.noSource {
				src = Sources{}
			}
			path, _ := startServer(t, src, Options{})
			got, err := dial(t, path).PartnerDown(context.Background())
			if tt.src != nil && tt.src.called() != tt.wantCalls {
				t.Errorf("FailoverPartnerDown called %d times, want %d", tt.src.called(), tt.wantCalls)
			}
			if tt.wantErr != "" {
				var ce *Error
				if !errors.As(err, &ce) || ce.Code != tt.wantCode || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q with code %s", err, tt.wantErr, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tt.wantState || !got.PartnerDownSince.Equal(t0) {
				t.Errorf("state after partner-down %q since %v, want %q since %v", got.State, got.PartnerDownSince, tt.wantState, t0)
			}
		})
	}
}

func TestFailoverUnknownCommand(t *testing.T) {
	path, _ := startServer(t, Sources{Failover: &fakeFailover{st: testFailover()}}, Options{})
	got := rawRequest(t, path, `{"v":1,"cmd":"failover","what":"takeover"}`+"\n")
	want := `{"v":1,"ok":false,"code":"unknown_command","error":"unknown failover command \"takeover\", want partner-down"}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

package failover

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testTimers = Timers{MCLT: time.Hour, MaxResponseDelay: 3 * time.Second, Heartbeat: time.Second,
	StartupDelay: 5 * time.Second, AutoPartnerDown: time.Minute, UnansweredClients: 3, SecsThreshold: 10}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// ev is one event at an offset from t0; it returns the machine's answer.
type ev struct {
	at time.Duration
	do func(m *Machine, now time.Time) (Transition, bool)
}

func at(d time.Duration, do func(m *Machine, now time.Time) (Transition, bool)) ev {
	return ev{at: d, do: do}
}

func connected(p State, fresh bool) func(*Machine, time.Time) (Transition, bool) {
	return func(m *Machine, now time.Time) (Transition, bool) { return m.Connected(now, p, fresh) }
}
func disconnected(m *Machine, now time.Time) (Transition, bool) { return m.Disconnected(now, "reset") }
func resync(m *Machine, now time.Time) (Transition, bool)       { return m.ResyncDone(now) }
func tick(m *Machine, now time.Time) (Transition, bool)         { return m.Tick(now) }
func heard(m *Machine, now time.Time) (Transition, bool)        { m.Heard(now); return Transition{}, false }
func operator(m *Machine, now time.Time) (Transition, bool)     { return m.OperatorPartnerDown(now) }
func received(m *Machine, now time.Time) (Transition, bool)     { return m.RecoveryReceived(now) }
func shutdown(m *Machine, now time.Time) (Transition, bool)     { return m.Shutdown(now) }
func partner(s State) func(*Machine, time.Time) (Transition, bool) {
	return func(m *Machine, now time.Time) (Transition, bool) { return m.PartnerState(now, s) }
}
func unanswered(client string) func(*Machine, time.Time) (Transition, bool) {
	return func(m *Machine, now time.Time) (Transition, bool) {
		m.Unanswered(now, client, 30)
		return Transition{}, false
	}
}

// toCI brings a stored-NORMAL machine to COMMUNICATIONS-INTERRUPTED through
// NORMAL at 1s (connected, resynchronised) and a reset at 2s.
var toCI = []ev{at(time.Second, connected(CommInterrupted, false)), at(time.Second, resync), at(2*time.Second, disconnected)}

func seq(parts ...[]ev) []ev {
	var out []ev
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestMachineTransitions(t *testing.T) {
	s := time.Second
	stNormal := Stored{State: Normal, Since: t0.Add(-time.Hour)}
	stPD := Stored{State: PartnerDown, Since: t0.Add(-2 * time.Hour)}
	fresh := Stored{Fresh: true}
	tests := []struct {
		name   string
		stored Stored
		timers *Timers
		events []ev
		// want is the answer of the last event (zero: none).
		want      Transition
		wantState State
		renewOnly bool
	}{
		{name: "start, store new: RECOVER", stored: fresh, wantState: Recover},
		{name: "start, store has data: STARTUP", stored: stNormal, wantState: Startup, renewOnly: true},
		{name: "STARTUP to NORMAL: connected, resynchronised", stored: stNormal,
			events:    []ev{at(s, connected(CommInterrupted, false)), at(2*s, resync)},
			want:      Transition{From: Startup, To: Normal, At: t0.Add(2 * s), Reason: "connected and resynchronised both ways"},
			wantState: Normal},
		{name: "STARTUP: connected, not resynchronised: no transition", stored: stNormal,
			events: []ev{at(s, connected(CommInterrupted, false))}, wantState: Startup, renewOnly: true},
		{name: "STARTUP to COMMUNICATIONS-INTERRUPTED after startup-delay, renew-only", stored: stNormal,
			events: []ev{at(5*s, tick)},
			want: Transition{From: Startup, To: CommInterrupted, At: t0.Add(5 * s),
				Reason: "no contact with the partner for 5s after start (renewals only until contact)"},
			wantState: CommInterrupted, renewOnly: true},
		{name: "STARTUP one ns before startup-delay: none", stored: stNormal,
			events: []ev{at(5*s-1, tick)}, wantState: Startup, renewOnly: true},
		{name: "STARTUP stored PARTNER-DOWN: COMMUNICATIONS-INTERRUPTED, not PARTNER-DOWN", stored: stPD,
			events: []ev{at(6*s, tick)},
			want: Transition{From: Startup, To: CommInterrupted, At: t0.Add(6 * s),
				Reason: "no contact with the partner for 5s after start (renewals only until contact)"},
			wantState: CommInterrupted, renewOnly: true},
		{name: "STARTUP connected: startup-delay does not apply", stored: stNormal,
			events: []ev{at(s, connected(Normal, false)), at(10*s, tick)}, wantState: Startup, renewOnly: true},
		{name: "NORMAL to COMMUNICATIONS-INTERRUPTED: connection closed", stored: stNormal,
			events:    toCI,
			want:      Transition{From: Normal, To: CommInterrupted, At: t0.Add(2 * s), Reason: "connection lost: reset"},
			wantState: CommInterrupted},
		{name: "NORMAL to COMMUNICATIONS-INTERRUPTED: max-response-delay without a message", stored: stNormal,
			events: []ev{at(s, connected(CommInterrupted, false)), at(s, resync), at(2*s, heard), at(5*s, tick)},
			want: Transition{From: Normal, To: CommInterrupted, At: t0.Add(5 * s),
				Reason: "no message from the partner for 3s"},
			wantState: CommInterrupted},
		{name: "NORMAL one ns before max-response-delay: none", stored: stNormal,
			events:    []ev{at(s, connected(CommInterrupted, false)), at(s, resync), at(2*s, heard), at(5*s-1, tick)},
			wantState: Normal},
		{name: "COMMUNICATIONS-INTERRUPTED to NORMAL: connected, resynchronised", stored: stNormal,
			events:    seq(toCI, []ev{at(9*s, connected(CommInterrupted, false)), at(10*s, resync)}),
			want:      Transition{From: CommInterrupted, To: Normal, At: t0.Add(10 * s), Reason: "connected and resynchronised both ways"},
			wantState: Normal},
		{name: "COMMUNICATIONS-INTERRUPTED: resynchronised without a connection: none", stored: stNormal,
			events: seq(toCI, []ev{at(10*s, resync)}), wantState: CommInterrupted},
		{name: "COMMUNICATIONS-INTERRUPTED to PARTNER-DOWN: operator", stored: stNormal,
			events:    seq(toCI, []ev{at(10*s, operator)}),
			want:      Transition{From: CommInterrupted, To: PartnerDown, At: t0.Add(10 * s), Reason: "operator: the partner is down"},
			wantState: PartnerDown},
		{name: "STARTUP to PARTNER-DOWN: operator, still renew-only", stored: stNormal,
			events:    []ev{at(2*s, operator)},
			want:      Transition{From: Startup, To: PartnerDown, At: t0.Add(2 * s), Reason: "operator: the partner is down"},
			wantState: PartnerDown, renewOnly: true},
		{name: "RECOVER: operator refused", stored: fresh,
			events: []ev{at(2*s, operator)}, wantState: Recover},
		{name: "NORMAL: operator refused", stored: stNormal,
			events: []ev{at(s, connected(CommInterrupted, false)), at(s, resync), at(2*s, operator)}, wantState: Normal},
		{name: "COMMUNICATIONS-INTERRUPTED to PARTNER-DOWN: partner said SHUTDOWN", stored: stNormal,
			events: seq(toCI, []ev{at(3*s, partner(Shutdown))}),
			want: Transition{From: CommInterrupted, To: PartnerDown, At: t0.Add(3 * s),
				Reason: "the partner announced it is shutting down"},
			wantState: PartnerDown},
		{name: "NORMAL to PARTNER-DOWN: partner said SHUTDOWN", stored: stNormal,
			events: []ev{at(s, connected(CommInterrupted, false)), at(s, resync), at(2*s, partner(Shutdown))},
			want: Transition{From: Normal, To: PartnerDown, At: t0.Add(2 * s),
				Reason: "the partner announced it is shutting down"},
			wantState: PartnerDown},
		{name: "COMMUNICATIONS-INTERRUPTED to PARTNER-DOWN: automatic", stored: stNormal,
			events: seq(toCI, []ev{at(20*s, unanswered("a")), at(21*s, unanswered("b")), at(22*s, unanswered("c")),
				at(61*s, tick)}),
			want: Transition{From: CommInterrupted, To: PartnerDown, At: t0.Add(61 * s),
				Reason: "no contact for 1m0s and 3 clients unanswered"},
			wantState: PartnerDown},
		{name: "automatic: one ns short of the delay: none", stored: stNormal,
			events: seq(toCI, []ev{at(20*s, unanswered("a")), at(21*s, unanswered("b")), at(22*s, unanswered("c")),
				at(61*s-1, tick)}),
			wantState: CommInterrupted},
		{name: "automatic: two clients of three: none", stored: stNormal,
			events:    seq(toCI, []ev{at(20*s, unanswered("a")), at(21*s, unanswered("b")), at(22*s, unanswered("a")), at(90*s, tick)}),
			wantState: CommInterrupted},
		{name: "automatic: evidence within 2 × max-response-delay of the last contact ignored", stored: stNormal,
			events:    seq(toCI, []ev{at(6*s, unanswered("a")), at(20*s, unanswered("b")), at(21*s, unanswered("c")), at(90*s, tick)}),
			wantState: CommInterrupted},
		{name: "automatic: a message from the partner forgets the evidence", stored: stNormal,
			events: seq(toCI, []ev{at(20*s, unanswered("a")), at(21*s, unanswered("b")), at(22*s, unanswered("c")),
				at(23*s, heard), at(84*s, tick)}),
			wantState: CommInterrupted},
		{name: "automatic: off", stored: stNormal, timers: &Timers{MCLT: time.Hour, MaxResponseDelay: 3 * s,
			StartupDelay: 5 * s, UnansweredClients: 3, SecsThreshold: 10},
			events:    seq(toCI, []ev{at(20*s, unanswered("a")), at(21*s, unanswered("b")), at(22*s, unanswered("c")), at(time.Hour, tick)}),
			wantState: CommInterrupted},
		{name: "PARTNER-DOWN to NORMAL: connected, resynchronised", stored: stNormal,
			events:    seq(toCI, []ev{at(10*s, operator), at(time.Minute, connected(Startup, false)), at(time.Minute+s, resync)}),
			want:      Transition{From: PartnerDown, To: Normal, At: t0.Add(time.Minute + s), Reason: "connected and resynchronised both ways"},
			wantState: Normal},
		{name: "PARTNER-DOWN, partner recovering: resynchronised waits for its NORMAL", stored: stNormal,
			events: seq(toCI, []ev{at(10*s, operator), at(time.Minute, connected(Recover, true)), at(time.Minute, resync),
				at(2*time.Minute, partner(RecoverWait))}),
			wantState: PartnerDown},
		{name: "PARTNER-DOWN to NORMAL: the recovered partner's NORMAL", stored: stNormal,
			events: seq(toCI, []ev{at(10*s, operator), at(time.Minute, connected(Recover, true)), at(time.Minute, resync),
				at(2*time.Hour, partner(Normal))}),
			want:      Transition{From: PartnerDown, To: Normal, At: t0.Add(2 * time.Hour), Reason: "connected and resynchronised both ways"},
			wantState: Normal},
		{name: "RECOVER to RECOVER-WAIT: the partner's data received", stored: fresh,
			events:    []ev{at(s, connected(CommInterrupted, false)), at(2*s, received)},
			want:      Transition{From: Recover, To: RecoverWait, At: t0.Add(2 * s), Reason: "the partner's lease data received"},
			wantState: RecoverWait},
		{name: "RECOVER to NORMAL: both nodes new", stored: fresh,
			events:    []ev{at(s, connected(Recover, true))},
			want:      Transition{From: Recover, To: Normal, At: t0.Add(s), Reason: "both nodes are new"},
			wantState: Normal},
		{name: "RECOVER, partner not new: none", stored: fresh,
			events: []ev{at(s, connected(CommInterrupted, false))}, wantState: Recover},
		{name: "RECOVER after an interrupted recovery, partner new: none (this node is not new)",
			stored: Stored{State: RecoverWait, Since: t0.Add(-time.Minute)},
			events: []ev{at(s, connected(Recover, true))}, wantState: Recover},
		{name: "RECOVER-WAIT to NORMAL: MCLT since RECOVER began", stored: fresh,
			events: []ev{at(s, connected(CommInterrupted, false)), at(2*s, received), at(time.Hour, tick)},
			want: Transition{From: RecoverWait, To: Normal, At: t0.Add(time.Hour),
				Reason: "MCLT has passed since RECOVER began"},
			wantState: Normal},
		{name: "RECOVER-WAIT one ns before MCLT: none", stored: fresh,
			events:    []ev{at(s, connected(CommInterrupted, false)), at(2*s, received), at(time.Hour-1, tick)},
			wantState: RecoverWait},
		{name: "RECOVER-WAIT, MCLT passed, not connected: none", stored: fresh,
			events:    []ev{at(s, connected(CommInterrupted, false)), at(2*s, received), at(3*s, disconnected), at(time.Hour, tick)},
			wantState: RecoverWait},
		{name: "RECOVER-WAIT to NORMAL on connecting after MCLT", stored: fresh,
			events: []ev{at(s, connected(CommInterrupted, false)), at(2*s, received), at(3*s, disconnected),
				at(2*time.Hour, connected(CommInterrupted, false))},
			want: Transition{From: RecoverWait, To: Normal, At: t0.Add(2 * time.Hour),
				Reason: "connected, and MCLT has passed since RECOVER began"},
			wantState: Normal},
		{name: "RECOVER-WAIT waits MCLT after the partner began to recover too", stored: fresh,
			events: []ev{at(s, connected(CommInterrupted, false)), at(2*s, received), at(30*time.Minute, partner(Recover)),
				at(time.Hour, tick)},
			wantState: RecoverWait},
		{name: "SHUTDOWN", stored: stNormal,
			events:    []ev{at(s, connected(CommInterrupted, false)), at(s, resync), at(2*s, shutdown)},
			want:      Transition{From: Normal, To: Shutdown, At: t0.Add(2 * s), Reason: "shutting down"},
			wantState: Shutdown},
		{name: "SHUTDOWN while recovering: none, the store keeps RECOVER", stored: fresh,
			events: []ev{at(s, shutdown)}, wantState: Recover},
		{name: "NORMAL, partner in PARTNER-DOWN: renew-only once interrupted", stored: stNormal,
			events:    []ev{at(s, connected(PartnerDown, false)), at(s, resync), at(2*s, disconnected)},
			want:      Transition{From: Normal, To: CommInterrupted, At: t0.Add(2 * s), Reason: "connection lost: reset"},
			wantState: CommInterrupted, renewOnly: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm := testTimers
			if tc.timers != nil {
				tm = *tc.timers
			}
			m := NewMachine(Primary, tm, tc.stored, t0)
			var got Transition
			for _, e := range tc.events {
				got, _ = e.do(m, t0.Add(e.at))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("last transition (-want +got):\n%s", diff)
			}
			if m.State() != tc.wantState {
				t.Errorf("state %s, want %s", m.State(), tc.wantState)
			}
			if m.View().RenewOnly != tc.renewOnly {
				t.Errorf("renew-only %v, want %v", m.View().RenewOnly, tc.renewOnly)
			}
		})
	}
}

func TestMachineKeepsPartnerDownSince(t *testing.T) {
	m := NewMachine(Secondary, testTimers, Stored{State: Normal}, t0)
	m.Connected(t0, Normal, false)
	m.ResyncDone(t0)
	m.Disconnected(t0.Add(time.Second), "reset")
	m.OperatorPartnerDown(t0.Add(2 * time.Second))
	if got, want := m.PartnerDownSince(), t0.Add(2*time.Second); !got.Equal(want) {
		t.Errorf("PartnerDownSince %v, want %v", got, want)
	}
	v := m.View()
	if v.State != PartnerDown || !v.PartnerDownSince.Equal(t0.Add(2*time.Second)) || v.Role != Secondary {
		t.Errorf("view %+v", v)
	}
}

package failover

import (
	"testing"
	"time"
)

func view(st State) View {
	return View{Role: Primary, State: st, Since: t0, Timers: testTimers}
}

func TestMayAllocate(t *testing.T) {
	pd := view(PartnerDown)
	pd.PartnerDownSince = t0
	pdRenew := pd
	pdRenew.RenewOnly = true
	ciRenew := view(CommInterrupted)
	ciRenew.RenewOnly = true
	mclt := testTimers.MCLT
	tests := []struct {
		name  string
		v     View
		owner Role
		now   time.Time
		want  bool
	}{
		{"NORMAL, own", view(Normal), Primary, t0, true},
		{"NORMAL, partner's", view(Normal), Secondary, t0, false},
		{"COMMUNICATIONS-INTERRUPTED, own", view(CommInterrupted), Primary, t0, true},
		{"COMMUNICATIONS-INTERRUPTED, partner's", view(CommInterrupted), Secondary, t0, false},
		{"COMMUNICATIONS-INTERRUPTED renew-only, own", ciRenew, Primary, t0, false},
		{"PARTNER-DOWN, own", pd, Primary, t0, true},
		{"PARTNER-DOWN, partner's, 1ns before MCLT", pd, Secondary, t0.Add(mclt - 1), false},
		{"PARTNER-DOWN, partner's, at MCLT", pd, Secondary, t0.Add(mclt), true},
		{"PARTNER-DOWN renew-only, own, before MCLT", pdRenew, Primary, t0.Add(mclt - 1), false},
		{"PARTNER-DOWN renew-only, own, at MCLT", pdRenew, Primary, t0.Add(mclt), true},
		{"STARTUP", view(Startup), Primary, t0, false},
		{"RECOVER", view(Recover), Primary, t0, false},
		{"RECOVER-WAIT", view(RecoverWait), Primary, t0, false},
		{"SHUTDOWN", view(Shutdown), Primary, t0, false},
	}
	for _, tc := range tests {
		if got := tc.v.MayAllocate(tc.owner, tc.now); got != tc.want {
			t.Errorf("%s: MayAllocate = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReusable(t *testing.T) {
	e := t0
	mrd2, mclt := 2*testTimers.MaxResponseDelay, testTimers.MCLT
	normal := view(Normal)
	normal.LostAt = e.Add(-time.Hour)
	after, before := normal.LostAt, normal.LostAt.Add(-1) // known since
	tests := []struct {
		name  string
		v     View
		since time.Time
		now   time.Time
		want  bool
	}{
		{"NORMAL, known since the loss, at E + 2 × max-response-delay", normal, after, e.Add(mrd2), true},
		{"NORMAL, known since the loss, 1ns before", normal, after, e.Add(mrd2 - 1), false},
		{"NORMAL, known before the loss, 1ns before E + MCLT", normal, before, e.Add(mclt - 1), false},
		{"NORMAL, known before the loss, at E + MCLT", normal, before, e.Add(mclt), true},
		{"NORMAL, known since unknown, 1ns before E + MCLT", normal, time.Time{}, e.Add(mclt - 1), false},
		{"COMMUNICATIONS-INTERRUPTED, at E + MCLT", view(CommInterrupted), after, e.Add(mclt), true},
		{"COMMUNICATIONS-INTERRUPTED, 1ns before", view(CommInterrupted), after, e.Add(mclt - 1), false},
		{"PARTNER-DOWN, at E + MCLT", view(PartnerDown), after, e.Add(mclt), true},
		{"PARTNER-DOWN, 1ns before", view(PartnerDown), after, e.Add(mclt - 1), false},
	}
	for _, tc := range tests {
		if got := tc.v.ReusableSince(e, tc.since, tc.now); got != tc.want {
			t.Errorf("%s: ReusableSince = %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{{e.Add(mclt - 1), false}, {e.Add(mclt), true}} {
		if got := normal.Reusable(e, tc.now); got != tc.want {
			t.Errorf("Reusable at E + %v = %v, want %v", tc.now.Sub(e), got, tc.want)
		}
	}
}

func TestGrant(t *testing.T) {
	mclt := testTimers.MCLT
	lease := 3 * time.Hour
	now := t0.Add(10 * time.Hour)
	pd := view(PartnerDown)
	pd.PartnerDownSince = t0
	tests := []struct {
		name    string
		v       View
		owned   bool
		desired time.Time
		pe      time.Time
		want    time.Time
		wantAck bool
	}{
		{"NORMAL: full, after the ack", view(Normal), true, now.Add(lease), time.Time{}, now.Add(lease), true},
		{"COMMUNICATIONS-INTERRUPTED, owned, new: now + MCLT", view(CommInterrupted), true, now.Add(lease), time.Time{}, now.Add(mclt), false},
		{"COMMUNICATIONS-INTERRUPTED, owned, acknowledged far: PE + MCLT", view(CommInterrupted), true, now.Add(lease),
			now.Add(time.Hour), now.Add(2 * time.Hour), false},
		{"COMMUNICATIONS-INTERRUPTED, owned, desired shorter", view(CommInterrupted), true, now.Add(time.Minute), time.Time{}, now.Add(time.Minute), false},
		{"COMMUNICATIONS-INTERRUPTED, partner's: PE + MCLT", view(CommInterrupted), false, now.Add(lease),
			now.Add(-30 * time.Minute), now.Add(30 * time.Minute), false},
		{"COMMUNICATIONS-INTERRUPTED, partner's, PE + MCLT passed: no grant", view(CommInterrupted), false, now.Add(lease),
			now.Add(-mclt - 1), now, false},
		{"COMMUNICATIONS-INTERRUPTED, partner's, never acknowledged: no grant", view(CommInterrupted), false, now.Add(lease),
			time.Time{}, now, false},
		{"PARTNER-DOWN past MCLT, owned: still MCLT-bound", pd, true, now.Add(lease), time.Time{}, now.Add(mclt), false},
		{"STARTUP: no grant", view(Startup), true, now.Add(lease), time.Time{}, now, false},
		{"RECOVER-WAIT: no grant", view(RecoverWait), true, now.Add(lease), time.Time{}, now, false},
	}
	for _, tc := range tests {
		got, ack := tc.v.Grant(tc.owned, tc.desired, tc.pe, now)
		if !got.Equal(tc.want) || ack != tc.wantAck {
			t.Errorf("%s: Grant = %v, %v; want %v, %v", tc.name, got.Sub(now), ack, tc.want.Sub(now), tc.wantAck)
		}
	}
}

func TestServes(t *testing.T) {
	want := map[State]bool{Normal: true, CommInterrupted: true, PartnerDown: true}
	for s := Startup; s <= Shutdown; s++ {
		if got := view(s).Serves(); got != want[s] {
			t.Errorf("%s: Serves = %v, want %v", s, got, want[s])
		}
	}
}

func TestAcceptUpdate(t *testing.T) {
	tests := []struct {
		name          string
		holder        string
		exp           time.Time
		pending, want string
		ok            bool
	}{
		{"no record", "", time.Time{}, "", "", true},
		{"same client", "c", t0.Add(time.Hour), "", "", true},
		{"another client holds it", "d", t0.Add(1), "", "", false},
		{"another client's lease expired at now", "d", t0, "", "", true},
		{"our own grant to another client pending", "", time.Time{}, "d", "", false},
		{"our own grant to the same client pending", "", time.Time{}, "c", "", true},
	}
	for _, tc := range tests {
		if got := AcceptUpdate("c", tc.holder, tc.exp, tc.pending, t0); got != tc.ok {
			t.Errorf("%s: AcceptUpdate = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

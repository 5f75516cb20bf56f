package failover

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A node whose partner recovers (RECOVER, then RECOVER-WAIT for MCLT)
// answers the partner's clients too, at once: the partner answers nobody
// until it is NORMAL, so otherwise every client it is assigned goes
// unanswered for MCLT. A node that starts meanwhile leaves STARTUP for
// COMMUNICATIONS-INTERRUPTED (NORMAL waits for the partner's), and follows
// the partner into NORMAL. It stops once the partner says NORMAL, or the
// connection is lost (then COMMUNICATIONS-INTERRUPTED rules apply).
func TestAnswersForPartnerWhileItRecovers(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	timers := Timers{MCLT: 10 * time.Second, MaxResponseDelay: 3 * time.Second, StartupDelay: 5 * time.Second}
	type step struct {
		name string
		do   func(m *Machine, now time.Time)
	}
	connected := func(partner State) step {
		return step{"connected, partner " + partner.String(), func(m *Machine, now time.Time) { m.Connected(now, partner, partner == Recover) }}
	}
	resynced := step{"resynchronised", func(m *Machine, now time.Time) { m.ResyncDone(now) }}
	says := func(s State) step {
		return step{"partner says " + s.String(), func(m *Machine, now time.Time) { m.PartnerState(now, s) }}
	}
	lost := step{"connection lost", func(m *Machine, now time.Time) { m.Disconnected(now, "closed") }}
	type want struct {
		State             State
		PartnerRecovering bool
		AnswersForPartner bool
	}
	cases := []struct {
		name  string
		steps []step
		want  want
	}{
		{"partner came back in RECOVER", []step{connected(Recover), resynced},
			want{CommInterrupted, true, true}},
		{"partner in RECOVER-WAIT", []step{connected(Recover), resynced, says(RecoverWait)},
			want{CommInterrupted, true, true}},
		{"partner NORMAL again", []step{connected(Recover), resynced, says(RecoverWait), says(Normal)},
			want{Normal, false, false}},
		{"connection lost while the partner recovers", []step{connected(Recover), resynced, lost},
			want{CommInterrupted, false, false}},
		{"partner NORMAL from the start", []step{connected(Startup), resynced, says(Normal)},
			want{Normal, false, false}},
		{"not yet resynchronised", []step{connected(Recover)},
			want{Startup, true, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMachine(Secondary, timers, Stored{State: Normal, Since: t0}, t0)
			now := t0
			for _, s := range tc.steps {
				now = now.Add(time.Second)
				s.do(m, now)
			}
			v := m.View()
			got := want{v.State, v.PartnerRecovering, v.AnswersForPartner()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("after %d steps (-want +got):\n%s", len(tc.steps), diff)
			}
		})
	}
}

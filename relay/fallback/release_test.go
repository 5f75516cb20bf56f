package fallback

import (
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

func TestReleaseAndDecline(t *testing.T) {
	ours := ip("203.0.113.1")
	tests := []struct {
		name      string
		msg       func(t *testing.T, a string) *dhcpv4.DHCPv4
		want      Outcome
		wantState leasestore.State // of the record of .100 in the store afterwards
	}{
		{"RELEASE", func(t *testing.T, a string) *dhcpv4.DHCPv4 { return cl(1).release(t, ours, ip(a)) },
			OutcomeReleased, leasestore.StateReleased},
		{"RELEASE to another server", func(t *testing.T, a string) *dhcpv4.DHCPv4 { return cl(1).release(t, ip("203.0.113.254"), ip(a)) },
			OutcomeOtherServer, leasestore.StateBound},
		{"RELEASE without server-id", func(t *testing.T, a string) *dhcpv4.DHCPv4 {
			return cl(1).msg(t, dhcpv4.MessageTypeRelease, withCIAddr(ip(a)))
		}, OutcomeOtherServer, leasestore.StateBound},
		{"RELEASE by another client", func(t *testing.T, a string) *dhcpv4.DHCPv4 { return cl(2).release(t, ours, ip(a)) },
			OutcomeNotBound, leasestore.StateBound},
		{"DECLINE", func(t *testing.T, a string) *dhcpv4.DHCPv4 { return cl(1).decline(t, ours, ip(a)) },
			OutcomeDeclined, leasestore.StateDeclined},
		{"DECLINE by another client", func(t *testing.T, a string) *dhcpv4.DHCPv4 { return cl(2).decline(t, ours, ip(a)) },
			OutcomeNotBound, leasestore.StateBound},
		{"DECLINE to another server", func(t *testing.T, a string) *dhcpv4.DHCPv4 { return cl(1).decline(t, ip("203.0.113.254"), ip(a)) },
			OutcomeOtherServer, leasestore.StateBound},
		{"DECLINE of an address not held", func(t *testing.T, a string) *dhcpv4.DHCPv4 { return cl(1).decline(t, ours, ip("203.0.113.103")) },
			OutcomeNotBound, leasestore.StateBound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testScope())
			e.dora(t, cl(1)) // .100
			rep, o := e.handle(tt.msg(t, "203.0.113.100"))
			if rep != nil {
				t.Errorf("reply %v, want none", rep.Summary())
			}
			rec, _ := e.store.Snapshot(testIface, ip("203.0.113.100"))
			if d := diff([]any{tt.want, tt.wantState}, []any{o, rec.State}); d != "" {
				t.Errorf("outcome, stored state (-want +got):\n%s", d)
			}
		})
	}
}

func TestReleaseFreesForOthers(t *testing.T) {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.100"), ip("203.0.113.100")}}
	sc.Exclusions = nil
	e := newEnv(t, sc)
	a := e.dora(t, cl(1))
	if _, o := e.offer(t, cl(2)); o != OutcomePoolExhausted {
		t.Fatalf("pool of one, second client: %v", o)
	}
	if _, o := e.handle(cl(1).release(t, ip("203.0.113.1"), a)); o != OutcomeReleased {
		t.Fatalf("RELEASE: %v", o)
	}
	if _, o := e.handle(cl(1).release(t, ip("203.0.113.1"), a)); o != OutcomeNotBound {
		t.Errorf("second RELEASE: %v, want ignored_not_bound", o)
	}
	if got := e.dora(t, cl(2)); got != a {
		t.Errorf("after RELEASE another client got %v, want %v", got, a)
	}
	// The first client's memory is gone with the address.
	if _, o := e.handle(cl(1).initReboot(t, a)); o != OutcomeNakTaken {
		t.Errorf("INIT-REBOOT of the old holder: %v, want nak_taken", o)
	}
}

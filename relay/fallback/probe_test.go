package fallback

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestProbeBurst: the DISCOVERs of a burst of new clients wait for one
// probe round together; a conflict sends only its client to another round.
func TestProbeBurst(t *testing.T) {
	sc := testScope()
	sc.MaxOffersOutstanding = 16
	tests := []struct {
		name      string
		clients   []byte // one DISCOVER each; a repeat is a retransmission
		inUse     []string
		proberErr error
		cancel    bool
		// the probe rounds' sizes, and the outcome and client of each answer
		wantRounds   []int
		wantOutcomes []Outcome
		wantClients  []byte
	}{
		{
			name: "one round for the burst", clients: []byte{1, 2, 3, 4},
			wantRounds:   []int{4},
			wantOutcomes: []Outcome{OutcomeOffer, OutcomeOffer, OutcomeOffer, OutcomeOffer},
			wantClients:  []byte{1, 2, 3, 4},
		},
		{
			name: "a retransmission waits with the first", clients: []byte{1, 2, 1},
			wantRounds:   []int{2},
			wantOutcomes: []Outcome{OutcomeOffer, OutcomeOffer},
			wantClients:  []byte{1, 2},
		},
		{
			name: "a conflict: its client alone in a second round", clients: []byte{1, 2, 3},
			inUse:        []string{"203.0.113.101"},
			wantRounds:   []int{3, 1},
			wantOutcomes: []Outcome{OutcomeOffer, OutcomeOffer, OutcomeOffer},
			wantClients:  []byte{1, 3, 2},
		},
		{
			name: "a failing prober fails open", clients: []byte{1, 2}, proberErr: errors.New("socket gone"),
			wantRounds:   []int{2},
			wantOutcomes: []Outcome{OutcomeOffer, OutcomeOffer},
			wantClients:  []byte{1, 2},
		},
		{
			name: "cancelled", clients: []byte{1, 2}, cancel: true,
			wantRounds:   []int{2},
			wantOutcomes: []Outcome{OutcomeCanceled, OutcomeCanceled},
			wantClients:  []byte{0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sc)
			for _, a := range tt.inUse {
				e.probe.inUse[ip(a)] = true
			}
			e.probe.err = tt.proberErr
			for k, c := range tt.clients {
				rep, o := e.s.Stage(cl(c).discover(t, dhcpv4.WithTransactionID(dhcpv4.TransactionID{0, 0, byte(k), c})), false)
				if rep != nil || o != OutcomeProbing {
					t.Fatalf("Stage(DISCOVER of client %d) = %v, %v; want silence and probing", c, rep, o)
				}
			}
			if n := len(e.probe.Rounds()); n != 0 {
				t.Fatalf("Stage probed (%d rounds): the probe waits for Probe", n)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			answers := e.s.Probe(ctx)
			var rounds []int
			for _, r := range e.probe.Rounds() {
				rounds = append(rounds, len(r))
			}
			if d := cmp.Diff(tt.wantRounds, rounds); d != "" {
				t.Errorf("probe rounds (-want +got):\n%s", d)
			}
			var outcomes []Outcome
			var clients []byte
			offered := map[netip.Addr]bool{}
			for _, a := range answers {
				outcomes = append(outcomes, a.Outcome)
				var c byte
				if a.Reply != nil {
					c = a.Reply.ClientHWAddr[5]
					y := yiaddr(a.Reply)
					if offered[y] || e.probe.inUse[y] {
						t.Errorf("client %d offered %v: twice, or in use", c, y)
					}
					offered[y] = true
				}
				clients = append(clients, c)
			}
			if d := cmp.Diff(tt.wantOutcomes, outcomes); d != "" {
				t.Errorf("outcomes (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantClients, clients); d != "" {
				t.Errorf("answered clients (-want +got):\n%s", d)
			}
			// A retransmission is answered with its own xid.
			for _, a := range answers {
				if a.Reply != nil && a.Reply.ClientHWAddr[5] == 1 && tt.clients[len(tt.clients)-1] == 1 {
					if got := a.Reply.TransactionID[2]; int(got) != len(tt.clients)-1 {
						t.Errorf("client 1 answered with the xid of DISCOVER %d, want the last (%d)", got, len(tt.clients)-1)
					}
				}
			}
			if again := e.s.Probe(ctx); len(again) != 0 {
				t.Errorf("a second Probe answered %d requests, want none", len(again))
			}
		})
	}
}

// TestUpdateScopeDropsPendingProbes: DISCOVERs waiting for a probe picked
// their addresses under the old scope, so a scope change drops them.
func TestUpdateScopeDropsPendingProbes(t *testing.T) {
	sc := testScope()
	e := newEnv(t, sc)
	if _, o := e.s.Stage(cl(1).discover(t), false); o != OutcomeProbing {
		t.Fatalf("DISCOVER: %v, want probing", o)
	}
	if err := e.s.UpdateScope(sc); err != nil {
		t.Fatal(err)
	}
	if as := e.s.Probe(context.Background()); len(as) != 0 {
		t.Errorf("Probe after a scope change answered %v, want nothing", as)
	}
	if n := len(e.probe.Rounds()); n != 0 {
		t.Errorf("%d probe rounds after a scope change, want 0", n)
	}
}

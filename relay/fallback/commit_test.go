package fallback

import (
	"context"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// stageAll stages the REQUEST of each client for the address it was offered
// and returns the outcomes.
func stageAll(t *testing.T, s *Server, clients []byte, offered map[byte]netip.Addr) []Outcome {
	t.Helper()
	var out []Outcome
	for _, i := range clients {
		_, o := s.Stage(cl(i).selecting(t, ip("203.0.113.1"), offered[i]), false)
		out = append(out, o)
	}
	return out
}

// offerAll answers a DISCOVER of each client and returns what it was offered.
func offerAll(t *testing.T, s *Server, clients []byte) map[byte]netip.Addr {
	t.Helper()
	offered := make(map[byte]netip.Addr)
	for _, i := range clients {
		rep, o := s.Handle(context.Background(), cl(i).discover(t), false)
		if o != OutcomeOffer {
			t.Fatalf("client %d DISCOVER: %v, want offer", i, o)
		}
		offered[i] = yiaddr(rep)
	}
	return offered
}

func boundCount(s *Server) int {
	n := 0
	for _, l := range s.Leases() {
		if l.State == leasestore.StateBound {
			n++
		}
	}
	return n
}

func TestStageCommitGroups(t *testing.T) {
	tests := []struct {
		name    string
		clients []byte // one REQUEST staged per entry; a repeat is a retransmission
		fail    bool
		// what the store saw, the outcomes of the staged REQUESTs and how
		// many leases are bound in memory after Commit
		wantBatches []int
		wantOut     []Outcome
		wantBound   int
		wantStored  int
	}{
		{
			name: "one transaction for a burst", clients: []byte{1, 2, 3, 4},
			wantBatches: []int{4}, wantOut: []Outcome{OutcomeAck, OutcomeAck, OutcomeAck, OutcomeAck},
			wantBound: 4, wantStored: 4,
		},
		{
			name: "a retransmission in the same burst", clients: []byte{1, 1, 2},
			wantBatches: []int{3}, wantOut: []Outcome{OutcomeAck, OutcomeAck, OutcomeAck},
			wantBound: 2, wantStored: 2,
		},
		{
			name: "a failed transaction takes every lease of the burst back", clients: []byte{1, 2, 2, 3}, fail: true,
			wantBatches: []int{4}, wantOut: []Outcome{OutcomeAck, OutcomeAck, OutcomeAck, OutcomeAck},
			wantBound: 0, wantStored: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &failStore{MemStore: leasestore.NewMemStore()}
			sc := testScope()
			sc.MaxOffersOutstanding = 16 // room for one more offer than the four held
			s, err := NewServer(sc, st, nil, newFakeClock(), nil)
			if err != nil {
				t.Fatal(err)
			}
			offered := offerAll(t, s, []byte{1, 2, 3, 4})
			if got := st.applies(); len(got) != 0 {
				t.Fatalf("DISCOVERs wrote to the store: %v", got)
			}
			if boundCount(s) != 0 {
				t.Fatal("bound before any REQUEST")
			}
			st.setFail(tt.fail)
			out := stageAll(t, s, tt.clients, offered)
			if got := st.applies(); len(got) != 0 {
				t.Errorf("Stage wrote to the store: %v", got)
			}
			err = s.Commit()
			if (err != nil) != tt.fail {
				t.Errorf("Commit: %v, want failure %v", err, tt.fail)
			}
			if d := cmp.Diff(tt.wantBatches, st.applies()); d != "" {
				t.Errorf("store transactions (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantOut, out); d != "" {
				t.Errorf("outcomes (-want +got):\n%s", d)
			}
			if got := boundCount(s); got != tt.wantBound {
				t.Errorf("%d leases bound in memory, want %d", got, tt.wantBound)
			}
			stored, _ := st.MemStore.Load(testScope().Interface)
			if len(stored) != tt.wantStored {
				t.Errorf("%d records stored, want %d", len(stored), tt.wantStored)
			}
			if err := s.Commit(); err != nil || len(st.applies()) != len(tt.wantBatches) {
				t.Errorf("an empty Commit: %v, %d transactions; want nil and no transaction", err, len(st.applies()))
			}
			if !tt.fail {
				return
			}
			// The offers are held again: every client gets its address
			// once the store works, and no other client takes it meanwhile.
			st.setFail(false)
			rep, o := s.Handle(context.Background(), cl(9).discover(t), false)
			if o != OutcomeOffer {
				t.Fatalf("new client's DISCOVER: %v, want offer", o)
			}
			for _, a := range offered {
				if a == yiaddr(rep) {
					t.Errorf("new client offered %v, an address still held for another", a)
				}
			}
			for _, i := range tt.clients {
				rep, o := s.Handle(context.Background(), cl(i).selecting(t, ip("203.0.113.1"), offered[i]), false)
				if o != OutcomeAck || yiaddr(rep) != offered[i] {
					t.Errorf("client %d retransmits: %v %v, want ack of %v", i, o, rep, offered[i])
				}
			}
		})
	}
}

package relay

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/wire"
)

// TestFallbackAfterRelay is the table of what the fallback does with a
// message that is also relayed: answer at once (queued for the worker),
// after offer-delay (pending), or not at all.
func TestFallbackAfterRelay(t *testing.T) {
	serverID := dhcpv4.WithOption(dhcpv4.OptServerIdentifier(helperAddr.AsSlice()))
	secs := func(n uint16) dhcpv4.Modifier { return func(d *dhcpv4.DHCPv4) { d.NumSeconds = n } }
	typ := func(mt dhcpv4.MessageType) dhcpv4.Modifier { return dhcpv4.WithMessageType(mt) }
	tests := []struct {
		name    string
		down    bool
		useSecs bool
		full    bool // the worker's queue is full
		mods    []dhcpv4.Modifier
		want    string // "queued", "pending" or "none"
		busy    uint64 // fallback_busy drops
	}{
		{"DISCOVER, upstream up: after offer-delay", false, false, false, nil, "pending", 0},
		{"DISCOVER, upstream down: at once", true, false, false, nil, "queued", 0},
		{"DISCOVER waited long enough (use-secs)", false, true, false, []dhcpv4.Modifier{secs(10)}, "queued", 0},
		{"DISCOVER just at the secs threshold", false, true, false, []dhcpv4.Modifier{secs(4)}, "queued", 0},
		{"DISCOVER below the secs threshold", false, true, false, []dhcpv4.Modifier{secs(3)}, "pending", 0},
		{"DISCOVER's secs ignored without use-secs", false, false, false, []dhcpv4.Modifier{secs(60)}, "pending", 0},
		{"REQUEST, upstream down", true, false, false, []dhcpv4.Modifier{typ(dhcpv4.MessageTypeRequest)}, "queued", 0},
		{"REQUEST, upstream up, no server id", false, false, false, []dhcpv4.Modifier{typ(dhcpv4.MessageTypeRequest)}, "none", 0},
		{"REQUEST SELECTING another server", false, false, false, []dhcpv4.Modifier{typ(dhcpv4.MessageTypeRequest), serverID}, "queued", 0},
		{"INFORM, upstream down", true, false, false, []dhcpv4.Modifier{typ(dhcpv4.MessageTypeInform)}, "queued", 0},
		{"INFORM, upstream up", false, false, false, []dhcpv4.Modifier{typ(dhcpv4.MessageTypeInform)}, "none", 0},
		{"RELEASE, upstream down", true, false, false, []dhcpv4.Modifier{typ(dhcpv4.MessageTypeRelease)}, "none", 0},
		{"DECLINE, upstream down", true, false, false, []dhcpv4.Modifier{typ(dhcpv4.MessageTypeDecline)}, "none", 0},
		{"DISCOVER, upstream down, queue full", true, false, true, nil, "none", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			fc := &config.Fallback{OfferDelay: time.Second, UseSecs: tt.useSecs, SecsThreshold: 4 * time.Second}
			f := newFallbackWorker(&Relay{log: discardLog()}, "eth1", nil, fc)
			tr := health.NewTracker(health.Config{DownAfter: 1, Timeout: time.Second, Start: now})
			if tt.down {
				tr.Forwarded(health.Txn{XID: 99}, now)
				tr.Expire(now.Add(2 * time.Second))
			}
			st := &ifState{name: "eth1", fb: f, tracker: tr, counters: new(ifaceCounters)}
			if tt.full {
				for range fbQueueLen {
					j, _ := f.copyJob(st, []byte{1})
					f.jobs <- j
				}
			}
			before := len(f.jobs)
			msg := discover(t, tt.mods...)
			j, ok := f.copyJob(st, msg)
			if !ok {
				t.Fatal("copyJob refused the message")
			}
			m := wire.Packet(msg)
			f.r.fallbackAfterRelay(st, j, m, m.MessageType(), now, nil)
			got := "none"
			switch {
			case len(f.jobs) > before:
				got = "queued"
			case len(f.pending) == 1:
				got = "pending"
				if d := f.pending[txnOf(m)].deadline; d != now.Add(fc.OfferDelay) {
					t.Errorf("pending until %v, want now + offer-delay %v", d, now.Add(fc.OfferDelay))
				}
			}
			if got != tt.want {
				t.Errorf("%s: %s, want %s", m.MessageType(), got, tt.want)
			}
			if diff := cmp.Diff(tt.busy, st.counters.drops[ReasonFallbackBusy].Load()); diff != "" {
				t.Errorf("fallback_busy drops (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFallbackOffersNothingToAClientThatChose: a DISCOVER waiting its
// offer-delay (or a split secondary's secondary-delay) is dropped when the
// client's REQUEST for another server's offer passes first: the client has
// chosen, and an offer now would only hold an address for nobody.
func TestFallbackOffersNothingToAClientThatChose(t *testing.T) {
	for _, down := range []bool{false, true} {
		t.Run(fmt.Sprintf("upstream down %v", down), func(t *testing.T) { offersNothingToAClientThatChose(t, down) })
	}
}

func offersNothingToAClientThatChose(t *testing.T, down bool) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fc := &config.Fallback{OfferDelay: time.Second, SecondaryDelay: time.Second}
	f := newFallbackWorker(&Relay{log: discardLog()}, "eth1", nil, fc)
	tr := health.NewTracker(health.Config{DownAfter: 1, Timeout: time.Second, Start: now})
	if down {
		tr.Forwarded(health.Txn{XID: 99}, now)
		tr.Expire(now.Add(2 * time.Second))
	}
	st := &ifState{name: "eth1", fb: f, tracker: tr, counters: new(ifaceCounters)}
	hand := func(msg []byte) {
		j, ok := f.copyJob(st, msg)
		if !ok {
			t.Fatal("copyJob refused the message")
		}
		m := wire.Packet(msg)
		f.r.fallbackAfterRelay(st, j, m, m.MessageType(), now, nil)
	}
	xid := dhcpv4.WithTransactionID(dhcpv4.TransactionID{1, 2, 3, 4}) // the client's one transaction
	hand(discover(t, xid))
	if len(f.pending) != 1 {
		t.Fatalf("%d DISCOVERs pending, want 1", len(f.pending))
	}
	hand(discover(t, xid, dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(helperAddr.AsSlice()))))
	if len(f.pending) != 0 {
		t.Errorf("%d DISCOVERs still pending after the client chose another server, want 0", len(f.pending))
	}
	if due, _ := f.due(now.Add(time.Hour)); len(due) != 0 {
		t.Errorf("%d DISCOVERs answered after the client chose another server, want 0", len(due))
	}
}

// TestHandleFrameHandsToFallback: from the frame in, a directly attached
// client's DISCOVER reaches the fallback while the upstream is down; one
// relayed by an agent below us (giaddr set) or a dropped one does not.
func TestHandleFrameHandsToFallback(t *testing.T) {
	tests := []struct {
		name  string
		flags config.Flags
		msg   []byte
		want  int // jobs queued for the fallback
	}{
		{"direct DISCOVER", config.Flags{}, discover(t), 1},
		// Trusted, so that the relayed DISCOVER is relayed rather than
		// dropped as untrusted_relay: the fallback must still not see it.
		{"DISCOVER through a relay below", config.Flags{TrustAll: true}, discover(t, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9})), 0},
		{"dropped: hops over the maximum", config.Flags{}, discover(t, withHops(5)), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newLimitRig(t, testConfig(t, tt.flags))
			now := g.now
			f := newFallbackWorker(g.r, "eth1", nil, &config.Fallback{OfferDelay: time.Second})
			tr := health.NewTracker(health.Config{DownAfter: 1, Timeout: time.Second, Start: now})
			tr.Forwarded(health.Txn{XID: 99}, now)
			tr.Expire(now.Add(2 * time.Second))
			g.st.fb, g.st.tracker = f, tr
			testAgent(g.r, g.st, nil).handleFrame(clientFrame(t, tt.msg, clientMAC), iface.FrameInfo{}, g.out, now)
			g.r.flushRequests(g.out)
			if got := len(f.jobs); got != tt.want {
				t.Errorf("%d jobs for the fallback, want %d", got, tt.want)
			}
		})
	}
}

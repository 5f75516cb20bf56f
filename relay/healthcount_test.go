package relay

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/wire"
)

// healthT0 is the fake clock's start for the health tests.
var healthT0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// healthClient is the chaddr of client n of the health tests.
func healthClient(n byte) net.HardwareAddr { return net.HardwareAddr{0x02, 0, 0x5e, 0, 0x53, n} }

// healthMsg is a client message of type typ from client n, with xid
// 0x100+n, edited by mods.
func healthMsg(t *testing.T, typ dhcpv4.MessageType, n byte, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	t.Helper()
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{
		dhcpv4.WithHwAddr(healthClient(n)), dhcpv4.WithMessageType(typ),
		dhcpv4.WithTransactionID(dhcpv4.TransactionID{0, 0, 1, n}), dhcpv4.WithBroadcast(true),
	}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHealthCountsOnlyWhatMustBeAnswered: three messages of one kind,
// from three different clients, that nobody answers, take the helper set
// down (down-after 3) only when a healthy server must answer them:
// DISCOVERs, REQUESTs naming one of the helpers or a server identifier
// the helpers' replies carried, renewals and rebindings. A REQUEST naming
// another server, an INIT-REBOOT and an INFORM are left alone, and so is a
// single client's streak.
func TestHealthCountsOnlyWhatMustBeAnswered(t *testing.T) {
	bogus := netip.MustParseAddr("198.51.100.99")
	other := netip.MustParseAddr("198.51.100.7") // a second server behind the helper address
	ours := relayAddr.Addr()
	lease := netip.MustParseAddr("203.0.113.30")
	sid := func(a netip.Addr) dhcpv4.Modifier { return dhcpv4.WithOption(dhcpv4.OptServerIdentifier(a.AsSlice())) }
	selecting := func(a netip.Addr) []dhcpv4.Modifier {
		return []dhcpv4.Modifier{sid(a), dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(lease.AsSlice()))}
	}
	tests := []struct {
		name     string
		override bool         // server-id-override
		learn    []netip.Addr // server identifiers of replies from the helper, first
		typ      dhcpv4.MessageType
		mods     []dhcpv4.Modifier
		oneMAC   bool // the three messages come from one client, with three xids
		want     health.Stats
		wantUp   bool
	}{
		{name: "DISCOVERs", typ: dhcpv4.MessageTypeDiscover,
			want: health.Stats{Forwarded: 3, TimedOut: 3, Streak: 3, StreakClients: 3}},
		{name: "SELECTING naming a helper", typ: dhcpv4.MessageTypeRequest, mods: selecting(helperAddr),
			want: health.Stats{Forwarded: 3, TimedOut: 3, Streak: 3, StreakClients: 3}},
		{name: "SELECTING naming an identifier a reply carried", learn: []netip.Addr{other},
			typ: dhcpv4.MessageTypeRequest, mods: selecting(other),
			want: health.Stats{Forwarded: 3, TimedOut: 3, Streak: 3, StreakClients: 3}},
		{name: "SELECTING naming a server that does not exist", learn: []netip.Addr{helperAddr},
			typ: dhcpv4.MessageTypeRequest, mods: selecting(bogus), wantUp: true},
		{name: "SELECTING naming the relay, servers that honour server-id-override", override: true,
			learn: []netip.Addr{ours}, typ: dhcpv4.MessageTypeRequest, mods: selecting(ours),
			want: health.Stats{Forwarded: 3, TimedOut: 3, Streak: 3, StreakClients: 3}},
		{name: "SELECTING naming the relay, servers that ignore server-id-override", override: true,
			learn: []netip.Addr{helperAddr}, typ: dhcpv4.MessageTypeRequest, mods: selecting(ours), wantUp: true},
		{name: "SELECTING naming the relay, no server-id-override", learn: []netip.Addr{helperAddr},
			typ: dhcpv4.MessageTypeRequest, mods: selecting(ours), wantUp: true},
		{name: "a server identifier that is not 4 bytes", typ: dhcpv4.MessageTypeRequest,
			mods: []dhcpv4.Modifier{dhcpv4.WithGeneric(dhcpv4.OptionServerIdentifier, []byte{198, 51})}, wantUp: true},
		{name: "RENEWING or REBINDING", typ: dhcpv4.MessageTypeRequest,
			mods: []dhcpv4.Modifier{dhcpv4.WithClientIP(lease.AsSlice())},
			want: health.Stats{Forwarded: 3, TimedOut: 3, Streak: 3, StreakClients: 3}},
		{name: "INIT-REBOOT", typ: dhcpv4.MessageTypeRequest,
			mods: []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(lease.AsSlice()))}, wantUp: true},
		{name: "INFORM", typ: dhcpv4.MessageTypeInform,
			mods: []dhcpv4.Modifier{dhcpv4.WithClientIP(lease.AsSlice())}, wantUp: true},
		{name: "DISCOVERs of one client", typ: dhcpv4.MessageTypeDiscover, oneMAC: true, wantUp: true,
			want: health.Stats{Forwarded: 3, TimedOut: 3, Streak: 3, StreakClients: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, config.Flags{ServerIDOverride: &tt.override})
			st, rt := testState(t, cfg)
			st.tracker = health.NewTracker(health.Config{DownAfter: 3, Timeout: 2 * time.Second, Start: healthT0})
			up := newFakeUpstream()
			up.sent = make(chan datagramTo, 16)
			r := New(cfg, nil, discardLog(), Options{Upstream: up})
			r.routes.Store(rt)
			for _, id := range tt.learn {
				r.upstreamAnswered(healthReply(t, st, rt, id), st.helpers[0].Addr(), healthT0)
			}
			out := &requestOut{}
			for i := range byte(3) {
				m := healthMsg(t, tt.typ, 1+i, tt.mods...)
				if tt.oneMAC {
					m.ClientHWAddr = healthClient(1)
				}
				testAgent(r, st, nil).handleFrame(healthFrame(t, m), iface.FrameInfo{}, out, healthT0.Add(time.Duration(i)*time.Millisecond))
			}
			r.flushRequests(out)
			if got := len(up.sent); got != 3 {
				t.Fatalf("%d messages relayed, want 3 (drops %v)", got, st.counters.snapshot("eth1").Drops)
			}
			st.tracker.Expire(healthT0.Add(10 * time.Second))
			if diff := cmp.Diff(tt.want, st.tracker.Stats()); diff != "" {
				t.Errorf("tracker stats (-want +got):\n%s", diff)
			}
			if got := st.tracker.Up(); got != tt.wantUp {
				state, _, reason := st.tracker.State()
				t.Errorf("helpers %v (%s), want up %v", state, reason, tt.wantUp)
			}
		})
	}
}

// healthFrame is m as a broadcast frame from its client's MAC.
func healthFrame(t *testing.T, m *dhcpv4.DHCPv4) []byte {
	t.Helper()
	src := zeroAddr
	if ci, ok := netip.AddrFromSlice(m.ClientIPAddr.To4()); ok && !ci.IsUnspecified() {
		src = ci
	}
	f, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: m.ClientHWAddr, DstMAC: macBroadcast[:], Src: src, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, m.ToBytes())
	if err != nil {
		t.Fatal(err)
	}
	return append(make([]byte, 0, readBufSize), f...)
}

// healthReply is an OFFER from the helper with server identifier id, as
// the reply path accepts it for st.
func healthReply(t *testing.T, st *ifState, rt *routes, id netip.Addr) replyResult {
	t.Helper()
	msg := reply(t, dhcpv4.MessageTypeOffer,
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(id.AsSlice())),
		dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, st.opt82[0][2:]))
	res := processReply(rt, helperAddr, 0, msg)
	if res.drop || res.st != st {
		t.Fatalf("reply with server identifier %v dropped: %v", id, res.reason)
	}
	return res
}

// TestHealthCountZeroAllocs: deciding whether a request counts, and
// learning a reply's server identifier, allocate nothing.
func TestHealthCountZeroAllocs(t *testing.T) {
	st, rt := testState(t, testConfig(t, config.Flags{}))
	st.tracker = health.NewTracker(health.Config{Start: healthT0})
	other := netip.MustParseAddr("198.51.100.7") // learnt, not a helper: the longest path
	sel := healthMsg(t, dhcpv4.MessageTypeRequest, 1,
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(other.AsSlice()))).ToBytes()
	res := healthReply(t, st, rt, other)
	learnServerID(st, res.msg)
	if !mustAnswer(st, sel, wire.Request) {
		t.Fatalf("a REQUEST naming the learnt %s does not count", other)
	}
	if got := testing.AllocsPerRun(1000, func() {
		mustAnswer(st, sel, wire.Request)
		learnServerID(st, res.msg)
	}); got != 0 {
		t.Errorf("%v allocations per request and reply, want 0", got)
	}
}

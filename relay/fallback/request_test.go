package fallback

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

type reqBuilder func(t testing.TB, c client, a netip.Addr) *dhcpv4.DHCPv4

func reqStates() []struct {
	name  string
	build reqBuilder
} {
	return []struct {
		name  string
		build reqBuilder
	}{
		{"SELECTING", func(t testing.TB, c client, a netip.Addr) *dhcpv4.DHCPv4 { return c.selecting(t, ip("203.0.113.1"), a) }},
		{"INIT-REBOOT", func(t testing.TB, c client, a netip.Addr) *dhcpv4.DHCPv4 { return c.initReboot(t, a) }},
		{"RENEWING", func(t testing.TB, c client, a netip.Addr) *dhcpv4.DHCPv4 { return c.renewing(t, a) }},
		{"REBINDING", func(t testing.TB, c client, a netip.Addr) *dhcpv4.DHCPv4 { return c.rebinding(t, a) }},
	}
}

// TestRequestStateTable is the request-state table of the package doc:
// every client state against every kind of address.
func TestRequestStateTable(t *testing.T) {
	disable := func(t *testing.T, e *env) {
		sc := testScope()
		sc.Enabled = false
		if err := e.s.UpdateScope(sc); err != nil {
			t.Fatal(err)
		}
	}
	kinds := []struct {
		name   string
		client client
		addr   string
		setup  func(*testing.T, *env)
		want   map[string]Outcome // by state
	}{
		{name: "ours and this client's", client: cl(1), addr: "203.0.113.100",
			want: map[string]Outcome{"SELECTING": OutcomeAck, "INIT-REBOOT": OutcomeAck, "RENEWING": OutcomeAck, "REBINDING": OutcomeAck}},
		{name: "ours but another client's", client: cl(1), addr: "203.0.113.101",
			want: map[string]Outcome{"SELECTING": OutcomeNakTaken, "INIT-REBOOT": OutcomeNakTaken, "RENEWING": OutcomeNakTaken, "REBINDING": OutcomeNakTaken}},
		{name: "in the pool without a record", client: cl(1), addr: "203.0.113.102",
			want: map[string]Outcome{"SELECTING": OutcomeAck, "INIT-REBOOT": OutcomeSilentNoLease, "RENEWING": OutcomeSilentNoLease, "REBINDING": OutcomeSilentNoLease}},
		{name: "reserved for another client", client: cl(1), addr: "203.0.113.50",
			want: map[string]Outcome{"SELECTING": OutcomeNakTaken, "INIT-REBOOT": OutcomeNakTaken, "RENEWING": OutcomeNakTaken, "REBINDING": OutcomeNakTaken}},
		{name: "client with a reservation elsewhere", client: cl(0xa0), addr: "203.0.113.103",
			want: map[string]Outcome{"SELECTING": OutcomeNakNotOurs, "INIT-REBOOT": OutcomeNakNotOurs, "RENEWING": OutcomeNakNotOurs, "REBINDING": OutcomeNakNotOurs}},
		{name: "on the subnet, not in our pool", client: cl(1), addr: "203.0.113.20",
			want: map[string]Outcome{"SELECTING": OutcomeNakNotOurs, "INIT-REBOOT": OutcomeSilentNotOurs, "RENEWING": OutcomeSilentNotOurs, "REBINDING": OutcomeSilentNotOurs}},
		{name: "wrong subnet", client: cl(1), addr: "198.51.100.7",
			want: map[string]Outcome{"SELECTING": OutcomeNakWrongSubnet, "INIT-REBOOT": OutcomeNakWrongSubnet, "RENEWING": OutcomeSilentNotOurs, "REBINDING": OutcomeSilentNotOurs}},
		{name: "scope disabled, this client's lease", client: cl(1), addr: "203.0.113.100", setup: disable,
			want: map[string]Outcome{"SELECTING": OutcomeNakDisabled, "INIT-REBOOT": OutcomeNakDisabled, "RENEWING": OutcomeNakDisabled, "REBINDING": OutcomeNakDisabled}},
		{name: "the appliance's own, in the pool", client: cl(1), addr: "203.0.113.102", setup: func(t *testing.T, e *env) {
			sc := testScope()
			sc.Local = []netip.Addr{ip("203.0.113.102")}
			if err := e.s.UpdateScope(sc); err != nil {
				t.Fatal(err)
			}
		},
			want: map[string]Outcome{"SELECTING": OutcomeNakLocalAddress, "INIT-REBOOT": OutcomeNakLocalAddress, "RENEWING": OutcomeNakLocalAddress, "REBINDING": OutcomeNakLocalAddress}},
		{name: "scope disabled, not in our pool", client: cl(1), addr: "203.0.113.20", setup: disable,
			want: map[string]Outcome{"SELECTING": OutcomeNakDisabled, "INIT-REBOOT": OutcomeSilentNotOurs, "RENEWING": OutcomeSilentNotOurs, "REBINDING": OutcomeSilentNotOurs}},
	}
	for _, k := range kinds {
		for _, st := range reqStates() {
			t.Run(k.name+"/"+st.name, func(t *testing.T) {
				e := newEnv(t, testScope())
				e.dora(t, cl(1)) // .100
				e.dora(t, cl(2)) // .101
				if k.setup != nil {
					k.setup(t, e)
				}
				e.clock.Advance(time.Minute)
				rep, o := e.handle(st.build(t, k.client, ip(k.addr)))
				if d := diff(k.want[st.name], o); d != "" {
					t.Errorf("outcome (-want +got):\n%s", d)
				}
				checkReplyMatches(t, rep, o)
				if o == OutcomeAck {
					rec, _ := e.store.Snapshot(testIface, ip(k.addr))
					want := leasestore.Lease{Interface: testIface, Addr: ip(k.addr), MAC: k.client.mac,
						Expiry: e.clock.Now().Add(10 * time.Minute), State: leasestore.StateBound}
					if d := diff(want, rec); d != "" {
						t.Errorf("stored lease after ACK (-want +got):\n%s", d)
					}
				}
			})
		}
	}
}

// checkReplyMatches checks that the reply is what the outcome says.
func checkReplyMatches(t *testing.T, rep *dhcpv4.DHCPv4, o Outcome) {
	t.Helper()
	want := dhcpv4.MessageTypeNone
	switch {
	case o == OutcomeAck || o == OutcomeInform:
		want = dhcpv4.MessageTypeAck
	case o == OutcomeOffer:
		want = dhcpv4.MessageTypeOffer
	case strings.HasPrefix(o.String(), "nak_"):
		want = dhcpv4.MessageTypeNak
	}
	got := dhcpv4.MessageTypeNone
	if rep != nil {
		got = rep.MessageType()
	}
	if got != want {
		t.Errorf("reply type %v for outcome %v, want %v", got, o, want)
	}
}

func TestFailback(t *testing.T) {
	tests := []struct {
		failback   Failback
		upstreamUp bool
		want       Outcome
	}{
		{FailbackNAK, false, OutcomeAck},
		{FailbackNAK, true, OutcomeNakFailback},
		{FailbackKeep, false, OutcomeAck},
		{FailbackKeep, true, OutcomeAck},
	}
	for _, tt := range tests {
		for _, st := range reqStates()[1:] { // a SELECTING client answers our own offer
			name := tt.failback.String() + "/upstream down/" + st.name
			if tt.upstreamUp {
				name = tt.failback.String() + "/upstream up/" + st.name
			}
			t.Run(name, func(t *testing.T) {
				sc := testScope()
				sc.Failback = tt.failback
				e := newEnv(t, sc)
				a := e.dora(t, cl(1))
				rep, o := e.s.Handle(context.Background(), st.build(t, cl(1), a), tt.upstreamUp)
				if d := diff(tt.want, o); d != "" {
					t.Errorf("outcome (-want +got):\n%s", d)
				}
				checkReplyMatches(t, rep, o)
				_, stored := e.store.Snapshot(testIface, a)
				_, bound := e.bound()[a]
				wantKept := o == OutcomeAck
				if d := diff([]bool{wantKept, wantKept}, []bool{stored, bound}); d != "" {
					t.Errorf("lease kept in store, in memory (-want +got):\n%s", d)
				}
			})
		}
	}
}

func TestFailbackClientReturnsLater(t *testing.T) {
	e := newEnv(t, testScope())
	a := e.dora(t, cl(1))
	if _, o := e.s.Handle(context.Background(), cl(1).renewing(t, a), true); o != OutcomeNakFailback {
		t.Fatalf("renewal with upstream up: %v", o)
	}
	// Should the upstream fail again, the client gets its address back.
	if got := e.dora(t, cl(1)); got != a {
		t.Errorf("after failback, the fallback gave %v, want %v", got, a)
	}
}

func TestSelectingOtherServerWithdrawsOffer(t *testing.T) {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.100"), ip("203.0.113.100")}}
	sc.Exclusions = nil
	e := newEnv(t, sc)
	if _, o := e.offer(t, cl(1)); o != OutcomeOffer {
		t.Fatalf("offer: %v", o)
	}
	rep, o := e.handle(cl(1).selecting(t, ip("203.0.113.254"), ip("203.0.113.100")))
	if rep != nil || o != OutcomeOtherServer {
		t.Errorf("REQUEST for another server: %v %v, want silence and ignored_other_server", rep, o)
	}
	if a, o := e.offer(t, cl(2)); a != ip("203.0.113.100") {
		t.Errorf("after the withdrawal another client got %v %v, want .100", a, o)
	}
}

func TestMalformedRequests(t *testing.T) {
	tests := []struct {
		name string
		msg  func(t *testing.T) *dhcpv4.DHCPv4
		want Outcome
	}{
		{"nil", func(*testing.T) *dhcpv4.DHCPv4 { return nil }, OutcomeMalformed},
		{"bootreply", func(t *testing.T) *dhcpv4.DHCPv4 {
			m := cl(1).discover(t)
			m.OpCode = dhcpv4.OpcodeBootReply
			return m
		}, OutcomeMalformed},
		{"no message type", func(t *testing.T) *dhcpv4.DHCPv4 {
			m := cl(1).discover(t)
			m.Options.Del(dhcpv4.OptionDHCPMessageType)
			return m
		}, OutcomeMalformed},
		{"OFFER from a client", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).msg(t, dhcpv4.MessageTypeOffer) }, OutcomeMalformed},
		{"relayed", func(t *testing.T) *dhcpv4.DHCPv4 {
			return cl(1).msg(t, dhcpv4.MessageTypeDiscover, dhcpv4.WithGatewayIP(ip4(ip("198.51.100.1"))))
		}, OutcomeRelayed},
		{"REQUEST without addresses", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).msg(t, dhcpv4.MessageTypeRequest) }, OutcomeMalformed},
		{"SELECTING without address", func(t *testing.T) *dhcpv4.DHCPv4 {
			return cl(1).msg(t, dhcpv4.MessageTypeRequest, withSID(ip("203.0.113.1")))
		}, OutcomeMalformed},
		{"requested-ip of 3 bytes", func(t *testing.T) *dhcpv4.DHCPv4 {
			return cl(1).msg(t, dhcpv4.MessageTypeRequest, dhcpv4.WithGeneric(dhcpv4.OptionRequestedIPAddress, []byte{203, 0, 113}))
		}, OutcomeMalformed},
		{"no chaddr, no client-id", func(t *testing.T) *dhcpv4.DHCPv4 {
			m := cl(1).discover(t)
			m.ClientHWAddr = nil
			return m
		}, OutcomeMalformed},
		{"chaddr longer than 16", func(t *testing.T) *dhcpv4.DHCPv4 {
			m := cl(1).discover(t)
			m.ClientHWAddr = make([]byte, 17)
			return m
		}, OutcomeMalformed},
		{"client-id longer than 255", func(t *testing.T) *dhcpv4.DHCPv4 {
			return client{mac: mac(1), id: make([]byte, 300)}.discover(t)
		}, OutcomeMalformed},
		{"malformed server-id is another server's", func(t *testing.T) *dhcpv4.DHCPv4 {
			return cl(1).msg(t, dhcpv4.MessageTypeRequest, dhcpv4.WithGeneric(dhcpv4.OptionServerIdentifier, []byte{1}), withReqIP(ip("203.0.113.100")))
		}, OutcomeOtherServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testScope())
			rep, o := e.handle(tt.msg(t))
			if rep != nil {
				t.Errorf("reply %v, want silence", rep.Summary())
			}
			if d := diff(tt.want, o); d != "" {
				t.Errorf("outcome (-want +got):\n%s", d)
			}
		})
	}
}

func TestStoreFailureMeansNoAck(t *testing.T) {
	clk := newFakeClock()
	st := &failStore{MemStore: leasestore.NewMemStore()}
	s, err := NewServer(testScope(), st, nil, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := s.Handle(context.Background(), cl(1).discover(t), false)
	a := yiaddr(rep)
	st.setFail(true)
	rep, o := s.Handle(context.Background(), cl(1).selecting(t, ip("203.0.113.1"), a), false)
	if rep != nil || o != OutcomeStoreFailed {
		t.Errorf("REQUEST with a failing store: %v %v, want silence and store_failed", rep, o)
	}
	for _, l := range s.Leases() {
		if l.State == leasestore.StateBound {
			t.Errorf("lease %v bound in memory though not stored", l.Addr)
		}
	}
	st.setFail(false)
	if _, o := s.Handle(context.Background(), cl(1).selecting(t, ip("203.0.113.1"), a), false); o != OutcomeAck {
		t.Errorf("retransmitted REQUEST: %v, want ack", o)
	}
}

// TestSelectingSharedServerID: with server-id-override the upstream's
// OFFERs carry our server identifier too, so a SELECTING REQUEST naming it
// is ours only for an address we offered or leased to that client; any
// other gets no reply (a NAK would race the upstream's ACK) and withdraws
// our offer. Without sharing, the server stays authoritative for its id.
func TestSelectingSharedServerID(t *testing.T) {
	tests := []struct {
		name   string
		shared bool
		addr   string
		want   Outcome
	}{
		{"shared: our offer", true, "203.0.113.100", OutcomeAck},
		{"shared: an upstream offer", true, "203.0.113.20", OutcomeOtherServer},
		{"shared: a free pool address never offered", true, "203.0.113.104", OutcomeOtherServer},
		{"shared: another client's lease", true, "203.0.113.101", OutcomeOtherServer},
		{"own: our offer", false, "203.0.113.100", OutcomeAck},
		{"own: an address outside the pool", false, "203.0.113.20", OutcomeNakNotOurs},
		{"own: a free pool address never offered", false, "203.0.113.104", OutcomeAck},
		{"own: another client's lease", false, "203.0.113.101", OutcomeNakTaken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testScope()
			sc.SharedServerID = tt.shared
			e := newEnv(t, sc)
			if a, o := e.offer(t, cl(1)); a != ip("203.0.113.100") || o != OutcomeOffer {
				t.Fatalf("DISCOVER: %v %v, want an offer of .100", a, o)
			}
			e.dora(t, cl(2))                  // .101
			e.clock.Advance(10 * time.Second) // the offer is still held
			rep, o := e.handle(cl(1).selecting(t, ip("203.0.113.1"), ip(tt.addr)))
			if d := diff(tt.want, o); d != "" {
				t.Errorf("outcome (-want +got):\n%s", d)
			}
			checkReplyMatches(t, rep, o)
			if o != OutcomeOtherServer {
				return
			}
			for _, l := range e.s.Leases() {
				if l.State == leasestore.StateOffered {
					t.Errorf("offer of %v still held, want it withdrawn", l.Addr)
				}
			}
		})
	}
}

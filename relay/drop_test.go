package relay

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/ratelimit"
	"github.com/iphelper/iphelper/relay/trace"
)

// traceRig drives eth1's request and reply paths step by step with a
// packet trace attached, so that each packet's events can be told apart.
type traceRig struct {
	t      *testing.T
	r      *Relay
	st     *ifState
	up     *failingUpstream
	sink   *frameSink
	lim    *ratelimit.Interface
	events <-chan trace.Event
}

func newTraceRig(t *testing.T, flags config.Flags) *traceRig {
	t.Helper()
	cfg := testConfig(t, flags)
	st, rt := testState(t, cfg)
	g := &traceRig{t: t, st: st, up: &failingUpstream{fakeUpstream: newFakeUpstream(), fail: map[netip.Addr]bool{}}, sink: &frameSink{}}
	tr := trace.New(0, nil)
	events, cancel := tr.Subscribe("")
	t.Cleanup(cancel)
	g.events = events
	g.r = New(cfg, nil, discardLog(), Options{Upstream: g.up, Tracer: tr})
	g.r.routes.Store(rt)
	st.helperLims = g.r.helperLimiters(cfg, st.helpers)
	st.agent = &agent{}
	st.agent.conn.Store(&connBox{c: g.sink})
	return g
}

// request runs one frame through the request path and sends its outbox,
// and returns the events it caused.
func (g *traceRig) request(frame []byte) []trace.Event {
	out := &requestOut{}
	testAgent(g.r, g.st, g.lim).handleFrame(append(make([]byte, 0, readBufSize), frame...), iface.FrameInfo{}, out, time.Now())
	g.r.flushRequests(out)
	return g.drain()
}

// reply runs one datagram from src through the reply path and sends its
// outbox, and returns the events it caused.
func (g *traceRig) reply(src netip.Addr, ingress int, msg []byte) []trace.Event {
	out := &replyOut{}
	g.r.handleReply(src, ingress, inBuffer(msg), make([]byte, 2048), out, time.Now())
	g.r.flushReplies(out)
	return g.drain()
}

func (g *traceRig) drain() []trace.Event {
	var evs []trace.Event
	for {
		select {
		case e := <-g.events:
			evs = append(evs, e)
		default:
			return evs
		}
	}
}

// withFallback gives eth1 a fallback server whose queue is always full
// (nobody takes jobs from it).
func (g *traceRig) withFallback() {
	t := g.t
	fc := &config.Fallback{Pools: []config.Range{{Start: netip.MustParseAddr("203.0.113.100"), End: netip.MustParseAddr("203.0.113.110")}}}
	srv, err := fallback.NewServer(fallbackScope("eth1", scopeInput{addr: relayAddr, fc: fc}), leasestore.NewMemStore(), nil, fallback.SystemClock{}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	f := newFallbackWorker(g.r, "eth1", srv, fc)
	f.jobs = make(chan fallbackJob) // unbuffered, and never read: every hand-off fails
	g.st.fb = f
}

// tally is what the counters say, or what the trace says, in one shape:
// drops by reason, requests relayed, replies delivered.
type tally struct {
	Drops     map[string]uint64
	Relayed   uint64
	Delivered uint64
}

func countedTally(g *traceRig) tally {
	s := g.st.counters.snapshot("eth1")
	glob := g.r.counters.global.snapshot("")
	t := tally{Drops: s.Drops, Relayed: s.RequestsRelayed, Delivered: s.RepliesOut + s.FallbackReplies}
	for k, v := range glob.Drops {
		t.Drops[k] += v
	}
	return t
}

func tracedTally(evs []trace.Event) tally {
	t := tally{Drops: map[string]uint64{}}
	for _, e := range evs {
		switch e.Action {
		case trace.Dropped:
			t.Drops[e.Reason]++
		case trace.Relayed:
			t.Relayed++
		case trace.Delivered:
			t.Delivered++
		}
	}
	return t
}

// frameOf wraps a client message in a broadcast frame from clientMAC.
func frameOf(t *testing.T, msg []byte) []byte {
	t.Helper()
	f, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, msg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDropsAreTracedAsCounted: for every drop reason that a unit test can
// reach, the packet trace shows each counted drop once, with the counter's
// reason, and each relayed request and delivered reply once; every packet
// read leaves at least one event (none is left open).
func TestDropsAreTracedAsCounted(t *testing.T) {
	yes := true
	drop := "drop"
	helperRate := "1/m"
	second := netip.MustParseAddr("198.51.100.3")
	opt82 := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, []byte{1, 6, 'p', 'o', 'r', 't', '-', '7'})
	tests := []struct {
		name  string
		flags config.Flags
		setup func(g *traceRig)
		// feed sends the packets; each must leave at least one event.
		feed []func(g *traceRig) []trace.Event
		want string // the reason that must be counted (and traced)
	}{
		{name: "rate limit of the interface", want: "rate_limit_interface",
			setup: func(g *traceRig) {
				g.lim = ratelimit.NewInterface(ratelimit.Config{InterfaceRate: 0.001, InterfaceBurst: 1}, time.Now())
			},
			feed: repeat(2, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t))) })},
		{name: "rate limit of the client", want: "rate_limit_client",
			setup: func(g *traceRig) {
				g.lim = ratelimit.NewInterface(ratelimit.Config{ClientRate: 0.001, ClientBurst: 1}, time.Now())
			},
			feed: repeat(2, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t))) })},
		{name: "truncated frame", want: "bad_frame",
			feed: repeat(1, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t))[:20]) })},
		{name: "bad UDP checksum", want: "bad_checksum",
			feed: repeat(1, func(g *traceRig) []trace.Event {
				f := frameOf(t, discover(t))
				f[len(f)-1] ^= 0xff
				return g.request(f)
			})},
		{name: "not a DHCP message", want: "malformed",
			feed: repeat(1, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t)[:100])) })},
		{name: "a reply on a downstream interface", want: "not_bootrequest",
			feed: repeat(1, func(g *traceRig) []trace.Event { return g.request(frameOf(t, reply(t, dhcpv4.MessageTypeOffer))) })},
		{name: "hops", want: "max_hops",
			feed: repeat(1, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t, withHops(16)))) })},
		{name: "our own giaddr", want: "giaddr_is_ours",
			feed: repeat(1, func(g *traceRig) []trace.Event {
				return g.request(frameOf(t, discover(t, dhcpv4.WithGatewayIP(upLinkAddr.Addr().AsSlice()))))
			})},
		{name: "chaddr is not the source", want: "chaddr_mismatch", flags: config.Flags{VerifyCHAddr: &yes},
			feed: repeat(1, func(g *traceRig) []trace.Event {
				return g.request(frameOf(t, discover(t, dhcpv4.WithHwAddr([]byte{2, 0, 0, 0, 0, 0x42}))))
			})},
		{name: "option 82 from an untrusted client", want: "untrusted_option82",
			feed: repeat(1, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t, opt82))) })},
		{name: "option 82 under policy drop", want: "policy_drop", flags: config.Flags{TrustAll: true, InformationPolicy: &drop},
			feed: repeat(1, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t, opt82))) })},
		{name: "helper ceiling cuts every send", want: "rate_limit_helper", flags: config.Flags{HelperRate: &helperRate},
			feed: repeat(3, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t))) })},
		{name: "one send fails, the other goes", want: "send_failed", flags: config.Flags{HelperAddresses: []string{second.String()}},
			setup: func(g *traceRig) { g.up.fail[second] = true },
			feed:  repeat(1, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t))) })},
		{name: "every send fails", want: "send_failed",
			setup: func(g *traceRig) { g.up.fail[helperAddr] = true },
			feed:  repeat(1, func(g *traceRig) []trace.Event { return g.request(frameOf(t, discover(t))) })},
		{name: "fallback queue full", want: "fallback_busy",
			setup: func(g *traceRig) { g.withFallback() },
			feed: repeat(1, func(g *traceRig) []trace.Event {
				// SELECTING another server: relayed, and handed to the fallback to withdraw its offer.
				sel := discover(t, dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest), dhcpv4.WithServerIP(helperAddr.AsSlice()),
					dhcpv4.WithOption(dhcpv4.OptServerIdentifier(helperAddr.AsSlice())))
				return g.request(frameOf(t, sel))
			})},
		{name: "reply is malformed", want: "reply_malformed",
			feed: repeat(1, func(g *traceRig) []trace.Event {
				return g.reply(helperAddr, 0, reply(t, dhcpv4.MessageTypeOffer)[:100])
			})},
		{name: "reply for a giaddr not ours", want: "unknown_giaddr",
			feed: repeat(1, func(g *traceRig) []trace.Event {
				return g.reply(helperAddr, 0, reply(t, dhcpv4.MessageTypeOffer, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9})))
			})},
		{name: "reply arriving on a downstream interface", want: "reply_from_downstream",
			feed: repeat(1, func(g *traceRig) []trace.Event {
				return g.reply(helperAddr, testLink.Index, reply(t, dhcpv4.MessageTypeOffer))
			})},
		{name: "reply from a non-helper", want: "non_helper_source",
			feed: repeat(1, func(g *traceRig) []trace.Event { return g.reply(rogueAddr, 0, reply(t, dhcpv4.MessageTypeOffer)) })},
		{name: "reply with a foreign option 82", want: "foreign_option82",
			feed: repeat(1, func(g *traceRig) []trace.Event {
				return g.reply(helperAddr, 0, reply(t, dhcpv4.MessageTypeOffer, opt82))
			})},
		{name: "reply with a broken option 82", want: "bad_option82",
			feed: repeat(1, func(g *traceRig) []trace.Event {
				broken := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, []byte{1, 9, 'e', 't', 'h'})
				return g.reply(helperAddr, 0, reply(t, dhcpv4.MessageTypeOffer, broken))
			})},
		{name: "reply for an interface with no open socket", want: "interface_down",
			setup: func(g *traceRig) { g.st.agent.conn.Store(nil) },
			feed:  repeat(1, func(g *traceRig) []trace.Event { return g.reply(helperAddr, 0, reply(t, dhcpv4.MessageTypeOffer)) })},
		{name: "reply that cannot be written", want: "deliver_failed",
			setup: func(g *traceRig) { g.sink.refuse = clientMAC },
			feed:  repeat(2, func(g *traceRig) []trace.Event { return g.reply(helperAddr, 0, reply(t, dhcpv4.MessageTypeOffer)) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newTraceRig(t, tt.flags)
			if tt.setup != nil {
				tt.setup(g)
			}
			var all []trace.Event
			for i, f := range tt.feed {
				evs := f(g)
				if len(evs) == 0 {
					t.Errorf("packet %d left no event: its trace is open", i)
				}
				all = append(all, evs...)
			}
			counted := countedTally(g)
			if counted.Drops[tt.want] == 0 {
				t.Fatalf("no %s drop counted; counters %+v", tt.want, counted)
			}
			if diff := cmp.Diff(counted, tracedTally(all)); diff != "" {
				t.Errorf("counters and trace disagree (-counted +traced):\n%s", diff)
			}
		})
	}
}

// repeat returns n copies of f.
func repeat(n int, f func(g *traceRig) []trace.Event) []func(g *traceRig) []trace.Event {
	out := make([]func(g *traceRig) []trace.Event, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// TestDroppedSendsAreTracedPerHelper: a request relayed to one helper and
// refused by the other is traced as relayed to the one and dropped for
// the other, not as relayed to both.
func TestDroppedSendsAreTracedPerHelper(t *testing.T) {
	second := netip.MustParseAddr("198.51.100.3")
	g := newTraceRig(t, config.Flags{HelperAddresses: []string{second.String()}})
	g.up.fail[second] = true
	msg := discover(t)
	xid := binary.BigEndian.Uint32(msg[4:8])
	var got []string
	for _, e := range g.request(frameOf(t, msg)) {
		if e.XID != xid {
			t.Errorf("event for xid %#x, want %#x", e.XID, xid)
		}
		got = append(got, string(trace.AppendFormat(nil, e))[len(trace.TimeFormat)+1:])
	}
	chaddr := clientMAC.String()
	want := []string{
		"eth1 in  DISCOVER xid " + hex32(xid) + " chaddr " + chaddr + " giaddr 0.0.0.0 dropped: send_failed to 198.51.100.3",
		"eth1 in  DISCOVER xid " + hex32(xid) + " chaddr " + chaddr + " giaddr 0.0.0.0 relayed to 198.51.100.2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
}

func hex32(v uint32) string {
	const digits = "0123456789abcdef"
	b := []byte("0x00000000")
	for i := 9; i >= 2; i-- {
		b[i] = digits[v&0xf]
		v >>= 4
	}
	return string(b)
}

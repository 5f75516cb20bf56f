package relay

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/ratelimit"
	"github.com/iphelper/iphelper/relay/wire"
)

// capturingUpstream records what the relay sends upstream, without
// blocking.
type capturingUpstream struct {
	*fakeUpstream
	got [][]byte
}

func (u *capturingUpstream) WriteMsgUDPAddrPort(b, oob []byte, addr netip.AddrPort) (int, int, error) {
	u.got = append(u.got, append([]byte(nil), b...))
	return len(b), len(oob), nil
}

// fuzzRequestRig is a relay on eth1 with one configuration, built once per
// fuzz target: configuration parsing is too slow for every input.
type fuzzRequestRig struct {
	name string
	r    *Relay
	st   *ifState
	up   *capturingUpstream
	out  *requestOut
}

func newFuzzRequestRig(t testing.TB, name string, flags config.Flags) *fuzzRequestRig {
	cfg := testConfig(t, flags)
	st, rt := testState(t, cfg)
	up := &capturingUpstream{fakeUpstream: newFakeUpstream()}
	r := New(cfg, nil, discardLog(), Options{Upstream: up})
	r.routes.Store(rt)
	return &fuzzRequestRig{name: name, r: r, st: st, up: up, out: &requestOut{}}
}

// FuzzRequestPath feeds any bytes to the request path as a client's
// message, from the frame in: framed (Ethernet, IPv4, UDP) and handed to
// handleFrame, above the rate limiter and the frame parser, under
// configurations that cover the option-82 policy and trust (verify-chaddr
// off in most, so that random chaddrs get past it). The sender's MAC is
// the message's chaddr, so that verify-chaddr passes where it is on. It
// must never panic, and what it relays, or drops, must be what
// wantRequest, the rules written out independently, says.
func FuzzRequestPath(f *testing.F) {
	f.Add(discover(f))
	f.Add(discover(f, withHops(3)))
	f.Add(discover(f, withHops(4)))
	f.Add(discover(f, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9}))) // another relay's giaddr
	f.Add(bootp(f))
	f.Add(reply(f, dhcpv4.MessageTypeOffer))
	f.Add(discover(f, dhcpv4.WithOption(dhcpv4.OptRelayAgentInfo(dhcpv4.OptGeneric(dhcpv4.AgentCircuitIDSubOption, []byte("x"))))))
	f.Add(discover(f, dhcpv4.WithGatewayIP([]byte{203, 0, 113, 9}), dhcpv4.WithOption(dhcpv4.OptRelayAgentInfo(dhcpv4.OptGeneric(dhcpv4.AgentCircuitIDSubOption, []byte("x"))))))
	f.Add(discover(f, dhcpv4.WithGatewayIP(upLinkAddr.Addr().AsSlice())))
	f.Add([]byte{})
	yes, no := true, false
	keep, drop := "keep", "drop"
	rigs := []*fuzzRequestRig{
		newFuzzRequestRig(f, "defaults", config.Flags{}),
		newFuzzRequestRig(f, "verify-chaddr off", config.Flags{VerifyCHAddr: &no}),
		newFuzzRequestRig(f, "trusted, replace", config.Flags{VerifyCHAddr: &no, TrustAll: true}),
		newFuzzRequestRig(f, "trusted, keep", config.Flags{VerifyCHAddr: &no, TrustAll: true, InformationPolicy: &keep}),
		newFuzzRequestRig(f, "trusted, drop", config.Flags{VerifyCHAddr: &no, TrustAll: true, InformationPolicy: &drop}),
		newFuzzRequestRig(f, "server-id-override", config.Flags{VerifyCHAddr: &no, ServerIDOverride: &yes, LinkSelection: &yes}),
		newFuzzRequestRig(f, "no option 82", config.Flags{VerifyCHAddr: &no, InformationOption: &no}),
	}
	dsts := []netip.Addr{ipBroadcast, netip.MustParseAddr("203.0.113.127"), relayAddr.Addr(), helperAddr}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, msg []byte) {
		src := clientMAC
		if len(msg) >= 34 {
			src = net.HardwareAddr(msg[28:34])
		}
		for _, g := range rigs {
			for _, dst := range dsts {
				frame, err := iface.BuildUDP4(make([]byte, readBufSize), iface.UDP4Header{
					SrcMAC: src, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: dst, SrcPort: 68, DstPort: 67,
				}, msg)
				if err != nil {
					return // too large for the read buffer: the socket truncates it
				}
				frame = append(make([]byte, 0, readBufSize), frame...)
				g.up.got = g.up.got[:0]
				omitted := g.st.counters.opt82Omitted.Load()
				lim := ratelimit.NewInterface(ratelimit.Config(g.st.cfg.RateLimit), now)
				testAgent(g.r, g.st, lim).handleFrame(frame, iface.FrameInfo{}, g.out, now)
				g.r.flushRequests(g.out)
				w := wantRequest(g.st, msg, src, dst)
				switch {
				case w.drop != "" && len(g.up.got) > 0:
					t.Fatalf("%s, to %v: relayed, want dropped (%s)", g.name, dst, w.drop)
				case w.drop == "" && len(g.up.got) != 1:
					t.Fatalf("%s, to %v: %d copies relayed, want 1", g.name, dst, len(g.up.got))
				case w.drop == "":
					checkRelayed(t, g, w, msg, g.up.got[0], g.st.counters.opt82Omitted.Load() > omitted)
				}
			}
		}
	})
}

// wantedRequest is what the rules say of a request: dropped (and why, for
// the message), or relayed with these fields.
type wantedRequest struct {
	drop   string
	giaddr netip.Addr
	hops   byte
	opt82  []byte // the data of the option 82 the relayed message must carry; nil: none
	ours   bool   // opt82 is ours: it may be left out when it does not fit
}

// wantRequest writes out the request path's rules from the message's
// bytes (RFC 1542, RFC 3046 and the README's option-82 policy), without
// the relay's decoders, except wire.Validate for "malformed".
func wantRequest(st *ifState, msg []byte, src net.HardwareAddr, dst netip.Addr) wantedRequest {
	local := dst == ipBroadcast || dst == netip.MustParseAddr("203.0.113.127") || dst == relayAddr.Addr()
	switch {
	case !local:
		return wantedRequest{drop: "not for us"}
	case wire.Validate(msg) != nil:
		return wantedRequest{drop: "malformed"}
	case msg[0] != 1:
		return wantedRequest{drop: "not a BOOTREQUEST"}
	case int(msg[3]) > st.maxHops: // RFC 1542 §4.1.1: only over the limit
		return wantedRequest{drop: "hops"}
	}
	giaddr := netip.AddrFrom4([4]byte(msg[24:28]))
	giaddrSet := !giaddr.IsUnspecified()
	if giaddrSet && (giaddr == relayAddr.Addr() || giaddr == upLinkAddr.Addr()) {
		return wantedRequest{drop: "giaddr is ours"}
	}
	cfg := st.cfg
	if giaddrSet && !cfg.Trusted {
		return wantedRequest{drop: "relayed request on an untrusted interface"}
	}
	if cfg.VerifyCHAddr && !giaddrSet && (msg[1] != 1 || msg[2] != 6 || !bytes.Equal(msg[28:34], src)) {
		return wantedRequest{drop: "chaddr is not the sender"}
	}
	w := wantedRequest{giaddr: giaddr, hops: msg[3] + 1}
	if !giaddrSet {
		w.giaddr = relayAddr.Addr()
	}
	dhcp := len(msg) >= 240 && bytes.Equal(msg[236:240], []byte{99, 130, 83, 99})
	in82, has82 := rawOption(msg, 82)
	our := st.opt82[0][2:]
	if dst == relayAddr.Addr() {
		our = st.opt82[1][2:] // unicast to us: the RFC 5010 unicast flag
	}
	switch {
	case giaddrSet || !dhcp: // another agent's request, or BOOTP: untouched
		w.opt82 = in82
	case !has82 && cfg.Option82.Insert:
		w.opt82, w.ours = our, true
	case !has82:
	case !cfg.Trusted:
		return wantedRequest{drop: "option 82 from an untrusted client"}
	case cfg.Option82.Policy == config.PolicyKeep:
		w.opt82 = in82
	case cfg.Option82.Policy == config.PolicyDrop:
		return wantedRequest{drop: "policy drop"}
	case cfg.Option82.Insert: // replace
		w.opt82, w.ours = our, true
	}
	return w
}

// checkRelayed compares a relayed message with what the rules want: the
// fields, the option 82, and everything else as the client sent it.
func checkRelayed(t *testing.T, g *fuzzRequestRig, w wantedRequest, in, out []byte, omitted bool) {
	t.Helper()
	o := wire.Packet(out)
	if err := wire.Validate(o); err != nil || o.Op() != wire.OpRequest {
		t.Fatalf("%s: relayed an invalid BOOTREQUEST: %v", g.name, err)
	}
	if o.Hops() != w.hops || o.GIAddr() != w.giaddr {
		t.Fatalf("%s: hops %d giaddr %v, want %d %v", g.name, o.Hops(), o.GIAddr(), w.hops, w.giaddr)
	}
	got82, has := rawOption(out, 82)
	switch {
	case omitted && (!w.ours || has || len(in)+len(w.opt82)+2 <= g.st.maxSize):
		t.Fatalf("%s: option 82 left out of a %d-byte message, want it (%d bytes) within %d", g.name, len(in), len(w.opt82)+2, g.st.maxSize)
	case !omitted && !bytes.Equal(got82, w.opt82):
		t.Fatalf("%s: option 82 %x, want %x", g.name, got82, w.opt82)
	case w.opt82 == nil && has:
		t.Fatalf("%s: relayed with an option 82 %x, want none", g.name, got82)
	}
	if len(out) > max(len(in), g.st.maxSize) {
		t.Fatalf("%s: relayed %d bytes, over the maximum %d", g.name, len(out), g.st.maxSize)
	}
	if a, b := withoutRelayFields(in), withoutRelayFields(out); !bytes.Equal(a, b) {
		t.Fatalf("%s: the relay changed more than hops, giaddr and option 82:\nin  %x\nout %x", g.name, a, b)
	}
}

// withoutRelayFields is a message with hops and giaddr zeroed, every
// option 82 removed, and what follows END (padding, which the relay may
// use for its option) and trailing zeros cut: what the relay must leave as
// it was.
func withoutRelayFields(m []byte) []byte {
	c := wire.Packet(append([]byte(nil), m...))
	c[3] = 0
	copy(c[24:28], []byte{0, 0, 0, 0})
	_, _ = wire.StripOption(c, wire.OptRelayAgentInfo) // every instance; the length stays
	if end, ok := rawEnd(c); ok {
		c = c[:end+1]
	}
	return bytes.TrimRight(c, "\x00")
}

// rawEnd returns the offset of a DHCP message's END option, walking the
// options independently of package wire.
func rawEnd(m []byte) (int, bool) {
	if len(m) < 240 || !bytes.Equal(m[236:240], []byte{99, 130, 83, 99}) {
		return 0, false
	}
	for i := 240; i < len(m); {
		switch {
		case m[i] == 255:
			return i, true
		case m[i] == 0:
			i++
		case i+1 >= len(m):
			return 0, false
		default:
			i += 2 + int(m[i+1])
		}
	}
	return 0, false
}

// rawOption finds option code in a DHCP message's options field by
// walking it, independently of package wire: its data, and whether it is
// there. It stops at END or at anything malformed; plain BOOTP (no magic
// cookie) has no options.
func rawOption(m []byte, code byte) ([]byte, bool) {
	if len(m) < 240 || !bytes.Equal(m[236:240], []byte{99, 130, 83, 99}) {
		return nil, false
	}
	for i := 240; i < len(m); {
		switch m[i] {
		case 0:
			i++
			continue
		case 255:
			return nil, false
		}
		if i+1 >= len(m) || i+2+int(m[i+1]) > len(m) {
			return nil, false
		}
		if m[i] == code {
			return m[i+2 : i+2+int(m[i+1])], true
		}
		i += 2 + int(m[i+1])
	}
	return nil, false
}

// FuzzReplyPath feeds any bytes to the reply path as a helper's reply,
// from the datagram in: handleReply builds the frame for the client. It
// must never panic, deliver only a valid BOOTREPLY in a valid frame from
// our address and port 67 to port 68, never our option 82, and deliver it
// where RFC 2131 §4.1 says, by rfcDelivery, written out independently.
func FuzzReplyPath(f *testing.F) {
	cfg := testConfig(f, config.Flags{})
	st, _ := testState(f, cfg)
	ours := dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, st.opt82[0][2:])
	f.Add(reply(f, dhcpv4.MessageTypeOffer))
	f.Add(reply(f, dhcpv4.MessageTypeAck, ours))
	f.Add(reply(f, dhcpv4.MessageTypeNak, dhcpv4.WithBroadcast(true)))
	f.Add(reply(f, dhcpv4.MessageTypeNak, ours, dhcpv4.WithClientIP([]byte{203, 0, 113, 20})))
	f.Add(reply(f, dhcpv4.MessageTypeAck, ours, dhcpv4.WithClientIP([]byte{203, 0, 113, 20})))
	f.Add(reply(f, dhcpv4.MessageTypeOffer, ours, func(d *dhcpv4.DHCPv4) { d.HWType = 6 }))
	f.Add(reply(f, dhcpv4.MessageTypeOffer, ours, dhcpv4.WithYourIP([]byte{224, 0, 0, 1})))
	f.Add(discover(f))
	keep := "keep"
	no := false
	variants := []config.Flags{{}, {TrustAll: true, InformationPolicy: &keep}, {InformationCheck: &no}}
	type rig struct {
		r    *Relay
		st   *ifState
		sink *frameSink
		out  *replyOut
	}
	var rigs []rig
	for _, v := range variants {
		cfg := testConfig(f, v)
		st, rt := testState(f, cfg)
		sink := &frameSink{}
		st.agent = &agent{}
		st.agent.conn.Store(&connBox{c: sink})
		r := New(cfg, nil, discardLog(), Options{Upstream: newFakeUpstream()})
		r.routes.Store(rt)
		rigs = append(rigs, rig{r, st, sink, &replyOut{}})
	}
	frame := make([]byte, 65536+64)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, g := range rigs {
			g.sink.got = g.sink.got[:0]
			g.r.handleReply(helperAddr, 0, append([]byte(nil), msg...), frame, g.out, now)
			g.r.flushReplies(g.out)
			if len(g.sink.got) == 0 {
				continue
			}
			dg, err := iface.ParseUDP4(g.sink.got[0], iface.FrameInfo{})
			if err != nil {
				t.Fatalf("delivered a frame that does not parse: %v", err)
			}
			out := wire.Packet(dg.Payload)
			if err := wire.Validate(out); err != nil || out.Op() != wire.OpReply {
				t.Fatalf("delivered an invalid BOOTREPLY: %v", err)
			}
			if dg.Src != relayAddr.Addr() || dg.SrcPort != 67 || dg.DstPort != 68 || !bytes.Equal(dg.SrcMAC, testMAC) {
				t.Fatalf("delivered from %v:%d (%v) to port %d, want from %v:67 (%v) to port 68", dg.Src, dg.SrcPort, net.HardwareAddr(dg.SrcMAC), dg.DstPort, relayAddr.Addr(), testMAC)
			}
			if _, has := rawOption(out, 82); has && !(g.st.cfg.Trusted && g.st.cfg.Option82.Policy == config.PolicyKeep) {
				t.Fatal("delivered option 82 to a client")
			}
			ip, mac := rfcDelivery(msg)
			if dg.Dst != ip || !bytes.Equal(dg.DstMAC, mac) {
				t.Fatalf("delivered to %v (%v), want %v (%v) by RFC 2131 §4.1", dg.Dst, net.HardwareAddr(dg.DstMAC), ip, mac)
			}
		}
	})
}

// rfcDelivery is where a relay delivers a reply, by RFC 2131 §4.1 and
// §4.3.2 (and RFC 1542 §5.4), read from the reply's bytes: a DHCPNAK, a
// reply with the BROADCAST bit, or one whose chaddr is not an Ethernet
// address goes to the broadcast address; else one with a unicast ciaddr
// to ciaddr, else one with a unicast yiaddr to yiaddr; else broadcast. A
// unicast address is neither 0.0.0.0, nor 255.255.255.255, nor multicast
// (224/4). Unicast frames go to chaddr.
func rfcDelivery(m []byte) (netip.Addr, []byte) {
	bcast := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	t, _ := rawOption(m, 53)
	nak := len(t) == 1 && t[0] == 6
	if nak || m[10]&0x80 != 0 || m[1] != 1 || m[2] != 6 {
		return ipBroadcast, bcast
	}
	unicast := func(b []byte) bool {
		return !bytes.Equal(b, []byte{0, 0, 0, 0}) && !bytes.Equal(b, []byte{255, 255, 255, 255}) && b[0]&0xf0 != 0xe0
	}
	switch {
	case unicast(m[12:16]):
		return netip.AddrFrom4([4]byte(m[12:16])), m[28:34]
	case unicast(m[16:20]):
		return netip.AddrFrom4([4]byte(m[16:20])), m[28:34]
	}
	return ipBroadcast, bcast
}

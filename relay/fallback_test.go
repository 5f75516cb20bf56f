package relay

import (
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/health"
	"github.com/iphelper/iphelper/relay/trace"
	"github.com/iphelper/iphelper/relay/wire"
)

// fallbackRig runs a Relay with a fallback scope on eth1 over fakes.
type fallbackRig struct {
	conn  *ifacetest.Conn
	up    *fakeUpstream
	r     *Relay
	links *ifacetest.Links
}

func startFallbackRig(t *testing.T) *fallbackRig {
	t.Helper()
	return startFallbackRigWith(t, leasestore.NewMemStore(), nil, nil)
}

// startFallbackRigWith is startFallbackRig with store, a conflict prober
// (none when nil) and a change of the configuration (mod, when not nil).
func startFallbackRigWith(t *testing.T, store leasestore.Store, prober fallback.Prober, mod func(*config.Interface)) *fallbackRig {
	t.Helper()
	return startFallbackRigOpts(t, store, prober, mod, rigOpts{})
}

// startFallbackRigTraced is startFallbackRigWith with a packet tracer.
func startFallbackRigTraced(t *testing.T, store leasestore.Store, prober fallback.Prober, mod func(*config.Interface), tr *trace.Tracer) *fallbackRig {
	t.Helper()
	return startFallbackRigOpts(t, store, prober, mod, rigOpts{tracer: tr})
}

// startFallbackRigOn is startFallbackRigWith with down as eth1's link.
func startFallbackRigOn(t *testing.T, down iface.Link, store leasestore.Store, prober fallback.Prober, mod func(*config.Interface)) *fallbackRig {
	t.Helper()
	return startFallbackRigOpts(t, store, prober, mod, rigOpts{down: down})
}

// startFallbackRigClock is startFallbackRigWith with the relay's clock.
func startFallbackRigClock(t *testing.T, store leasestore.Store, prober fallback.Prober, mod func(*config.Interface), clock fallback.Clock) *fallbackRig {
	t.Helper()
	return startFallbackRigOpts(t, store, prober, mod, rigOpts{clock: clock})
}

// rigOpts are the rarer choices of a fallback rig; each zero value is the
// default: testLink as eth1, no tracer, the system clock.
type rigOpts struct {
	down   iface.Link
	tracer *trace.Tracer
	clock  fallback.Clock
	// sweepEvery is the relay's sweep interval; 0 for its default.
	sweepEvery time.Duration
}

// startFallbackRigOpts starts a fallback rig with opts.
func startFallbackRigOpts(t *testing.T, store leasestore.Store, prober fallback.Prober, mod func(*config.Interface), opts rigOpts) *fallbackRig {
	down, tr, clock := opts.down, opts.tracer, opts.clock
	if down.Name == "" {
		down = testLink
	}
	t.Helper()
	delay := "200ms"
	cfg := testConfig(t, config.Flags{FallbackPools: []string{"eth1=203.0.113.100-203.0.113.110"}, OfferDelay: &delay})
	cfg.Interfaces[0].Fallback.ProbeCount = 0 // no ARP on fakes
	if mod != nil {
		mod(&cfg.Interfaces[0])
	}
	links := ifacetest.NewLinks()
	conns := make(chan *ifacetest.Conn, 1)
	rig := &fallbackRig{up: newFakeUpstream(), links: links}
	rig.r = New(cfg, links, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Upstream: rig.up, LeaseStore: store, Tracer: tr,
		Listen: listenInto(conns),
		Prober: func(iface.Link, netip.Addr, *config.Fallback) fallback.Prober { return prober },
		Clock:  clock, SweepEvery: opts.sweepEvery,
	})
	runRelay(t, rig.r)
	links.Set(upstreamLnk, down)
	rig.conn = waitFor(t, conns, "eth1's packet socket")
	return rig
}

func (rig *fallbackRig) sendDiscover(t *testing.T, xid byte) {
	t.Helper()
	msg := discover(t, func(d *dhcpv4.DHCPv4) { d.TransactionID = dhcpv4.TransactionID{0, 0, 0, xid} })
	frame, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := rig.conn.Deliver(frame, iface.FrameInfo{}); err != nil {
		t.Fatal(err)
	}
}

// TestFallbackAnswersWhenUpstreamIsSilent: with no upstream reply the
// fallback's OFFER, from our address, reaches the client after offer-delay.
func TestFallbackAnswersWhenUpstreamIsSilent(t *testing.T) {
	rig := startFallbackRig(t)
	start := time.Now()
	rig.sendDiscover(t, 1)
	waitFor(t, rig.up.sent, "the relayed DISCOVER") // it still goes upstream
	out := waitFor(t, rig.conn.Sent(), "the fallback's OFFER")
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("fallback answered after %v, before the 200ms offer-delay", waited)
	}
	dg, err := iface.ParseUDP4(out.Data, iface.FrameInfo{})
	if err != nil {
		t.Fatal(err)
	}
	m := wire.Packet(dg.Payload)
	if m.MessageType() != wire.Offer || m.YIAddr() != netip.MustParseAddr("203.0.113.100") || dg.Src != relayAddr.Addr() {
		t.Errorf("got %v of %v from %v, want an OFFER of 203.0.113.100 from %v", m.MessageType(), m.YIAddr(), dg.Src, relayAddr.Addr())
	}
	if sc := rig.r.Status().Scopes; len(sc) != 1 || sc[0].Outcomes["offer"] != 1 || sc[0].Offered != 1 {
		t.Errorf("status scopes %+v, want eth1 with one offer counted and one address offered", sc)
	}
}

// TestFallbackStaysQuietWhenUpstreamOffers: an upstream OFFER within
// offer-delay cancels the fallback's answer.
func TestFallbackStaysQuietWhenUpstreamOffers(t *testing.T) {
	rig := startFallbackRig(t)
	rig.sendDiscover(t, 2)
	got := waitFor(t, rig.up.sent, "the relayed DISCOVER")
	req, err := dhcpv4.FromBytes(got.msg)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := dhcpv4.NewReplyFromRequest(req, dhcpv4.WithMessageType(dhcpv4.MessageTypeOffer), dhcpv4.WithYourIP([]byte{203, 0, 113, 30}))
	if err != nil {
		t.Fatal(err)
	}
	rig.up.replies <- datagramTo{msg: offer.ToBytes(), dst: netip.AddrPortFrom(helperAddr, 67)}
	first := waitFor(t, rig.conn.Sent(), "the upstream OFFER")
	dg, _ := iface.ParseUDP4(first.Data, iface.FrameInfo{})
	if y := wire.Packet(dg.Payload).YIAddr(); y != netip.MustParseAddr("203.0.113.30") {
		t.Fatalf("first delivery offers %v, want the upstream's 203.0.113.30", y)
	}
	select {
	case f := <-rig.conn.Sent():
		dg, _ := iface.ParseUDP4(f.Data, iface.FrameInfo{})
		t.Errorf("fallback answered too: %v of %v", wire.Packet(dg.Payload).MessageType(), wire.Packet(dg.Payload).YIAddr())
	case <-time.After(600 * time.Millisecond): // three offer-delays
	}
}

// TestFallbackPendingIsBounded: DISCOVERs cancelled by upstream OFFERs do
// not pile up in the offer-delay FIFO, however many come within one delay.
func TestFallbackPendingIsBounded(t *testing.T) {
	f := newFallbackWorker(&Relay{log: slog.New(slog.DiscardHandler)}, "eth1", nil, &config.Fallback{OfferDelay: time.Hour})
	st := &ifState{name: "eth1"}
	now := time.Now()
	for i := range 20 * fbPendingMax {
		k := health.Txn{XID: uint32(i)}
		j, _ := f.copyJob(st, []byte{1})
		if !f.deferDiscover(k, j, now, f.cfg.Load().OfferDelay) {
			t.Fatalf("deferral %d refused with %d pending", i, len(f.pending))
		}
		f.upstreamOffered(k)
	}
	if n := len(f.order); n > 4*fbPendingMax {
		t.Errorf("FIFO holds %d entries after every DISCOVER was answered, want at most %d", n, 4*fbPendingMax)
	}
	if n := len(f.pending); n != 0 {
		t.Errorf("%d still pending, want 0", n)
	}
}

// send delivers a client message to the relay's eth1, to dst.
func (rig *fallbackRig) send(t *testing.T, m *dhcpv4.DHCPv4, src, dst netip.Addr) {
	t.Helper()
	frame, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: src, Dst: dst, SrcPort: 68, DstPort: 67,
	}, m.ToBytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := rig.conn.Deliver(frame, iface.FrameInfo{}); err != nil {
		t.Fatal(err)
	}
}

// delivered waits for the next frame the relay sends to the client.
func (rig *fallbackRig) delivered(t *testing.T, what string) *dhcpv4.DHCPv4 {
	t.Helper()
	f := waitFor(t, rig.conn.Sent(), what)
	dg, err := iface.ParseUDP4(f.Data, iface.FrameInfo{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := dhcpv4.FromBytes(dg.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFailbackNeedsEvidence: with failback nak, a fallback lease's renewal
// is ACKed while the upstream has never answered (the tracker starts Up,
// which is optimism, not evidence), and NAKed once an upstream reply shows
// the upstream is back.
func TestFailbackNeedsEvidence(t *testing.T) {
	rig := startFallbackRig(t)
	leased := netip.MustParseAddr("203.0.113.100")

	// DORA from the fallback: the upstream stays silent.
	rig.sendDiscover(t, 7)
	<-rig.up.sent
	offer := rig.delivered(t, "the fallback's OFFER")
	req, _ := dhcpv4.NewRequestFromOffer(offer)
	rig.send(t, req, zeroAddr, ipBroadcast)
	if ack := rig.delivered(t, "the fallback's ACK"); ack.MessageType() != dhcpv4.MessageTypeAck {
		t.Fatalf("got %v, want ACK", ack.MessageType())
	}

	renew := func() dhcpv4.MessageType {
		t.Helper()
		m, _ := dhcpv4.New(dhcpv4.WithHwAddr(clientMAC), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
			dhcpv4.WithClientIP(leased.AsSlice()))
		rig.send(t, m, leased, relayAddr.Addr()) // RENEWING: unicast to the server identifier
		return rig.delivered(t, "the answer to the renewal").MessageType()
	}
	if got := renew(); got != dhcpv4.MessageTypeAck {
		t.Fatalf("renewal before any upstream reply: %v, want ACK (no evidence the upstream is back)", got)
	}

	// The upstream answers a relayed DISCOVER of another transaction.
	rig.sendDiscover(t, 8)
	relayed := waitFor(t, rig.up.sent, "the relayed DISCOVER")
	d, _ := dhcpv4.FromBytes(relayed.msg)
	upOffer, _ := dhcpv4.NewReplyFromRequest(d, dhcpv4.WithMessageType(dhcpv4.MessageTypeOffer), dhcpv4.WithYourIP([]byte{203, 0, 113, 30}))
	rig.up.replies <- datagramTo{msg: upOffer.ToBytes(), dst: netip.AddrPortFrom(helperAddr, 67)}
	rig.delivered(t, "the upstream OFFER")

	if got := renew(); got != dhcpv4.MessageTypeNak {
		t.Errorf("renewal after the upstream replied: %v, want NAK (failback nak)", got)
	}
}

// fakeClock is a fallback.Clock that starts at the real time and moves
// only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

var _ fallback.Clock = (*fakeClock)(nil)

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestFailbackEvidenceExpires: an upstream reply is evidence that the
// upstream is back for failbackEvidence only, read on the relay's clock:
// once it is older, a fallback lease's renewal is ACKed again, not NAKed
// for ever on a stale reply.
func TestFailbackEvidenceExpires(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	rig := startFallbackRigClock(t, leasestore.NewMemStore(), nil, nil, clock)
	leased := netip.MustParseAddr("203.0.113.100")
	rig.sendDiscover(t, 7)
	<-rig.up.sent
	offer := rig.delivered(t, "the fallback's OFFER")
	req, _ := dhcpv4.NewRequestFromOffer(offer)
	rig.send(t, req, zeroAddr, ipBroadcast)
	if ack := rig.delivered(t, "the fallback's ACK"); ack.MessageType() != dhcpv4.MessageTypeAck {
		t.Fatalf("got %v, want ACK", ack.MessageType())
	}
	// The upstream answers a relayed DISCOVER of another transaction.
	rig.sendDiscover(t, 8)
	relayed := waitFor(t, rig.up.sent, "the relayed DISCOVER")
	d, _ := dhcpv4.FromBytes(relayed.msg)
	upOffer, _ := dhcpv4.NewReplyFromRequest(d, dhcpv4.WithMessageType(dhcpv4.MessageTypeOffer), dhcpv4.WithYourIP([]byte{203, 0, 113, 30}))
	rig.up.replies <- datagramTo{msg: upOffer.ToBytes(), dst: netip.AddrPortFrom(helperAddr, 67)}
	rig.delivered(t, "the upstream OFFER")

	renew := func(xid byte) dhcpv4.MessageType {
		t.Helper()
		m, _ := dhcpv4.New(dhcpv4.WithHwAddr(clientMAC), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
			dhcpv4.WithClientIP(leased.AsSlice()), dhcpv4.WithTransactionID(dhcpv4.TransactionID{0, 0, 9, xid}))
		rig.send(t, m, leased, relayAddr.Addr())
		return rig.delivered(t, "the answer to the renewal").MessageType()
	}
	if got := renew(1); got != dhcpv4.MessageTypeNak {
		t.Fatalf("renewal just after the upstream replied: %v, want NAK (failback nak)", got)
	}
	clock.Advance(failbackEvidence + time.Second)
	if got := renew(2); got != dhcpv4.MessageTypeAck {
		t.Errorf("renewal %v after the last upstream reply: %v, want ACK (the evidence is stale)", failbackEvidence+time.Second, got)
	}
}

// TestUpstreamProvenUp is the failback evidence rule on its own: the
// helper set must be up and one of its helpers must have replied less
// than failbackEvidence ago.
func TestUpstreamProvenUp(t *testing.T) {
	replied := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	other := netip.MustParseAddr("198.51.100.3")
	tests := []struct {
		name      string
		down      bool
		lastReply map[netip.Addr]time.Time
		at        time.Duration // after replied
		want      bool
	}{
		{"fresh reply", false, map[netip.Addr]time.Time{helperAddr: replied}, time.Minute, true},
		{"just inside the window", false, map[netip.Addr]time.Time{helperAddr: replied}, failbackEvidence - time.Nanosecond, true},
		{"at the window's end", false, map[netip.Addr]time.Time{helperAddr: replied}, failbackEvidence, false},
		{"stale reply", false, map[netip.Addr]time.Time{helperAddr: replied}, time.Hour, false},
		{"never replied", false, nil, time.Minute, false},
		{"the second helper's fresh reply", false, map[netip.Addr]time.Time{helperAddr: replied.Add(-time.Hour), other: replied}, time.Minute, true},
		{"fresh reply but the set is down", true, map[netip.Addr]time.Time{helperAddr: replied}, time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Relay{counters: newCounters()}
			tr := health.NewTracker(health.Config{DownAfter: 1, Timeout: time.Second, Start: replied})
			if tt.down {
				tr.Forwarded(health.Txn{XID: 1}, replied)
				tr.Expire(replied.Add(2 * time.Second))
			}
			st := &ifState{tracker: tr, helpers: []netip.AddrPort{netip.AddrPortFrom(helperAddr, 67), netip.AddrPortFrom(other, 67)}}
			for h, at := range tt.lastReply {
				r.counters.helper(h).lastReply.Store(at.UnixNano())
			}
			if got := r.upstreamProvenUp(st, replied.Add(tt.at)); got != tt.want {
				t.Errorf("upstreamProvenUp at +%v = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

package relay

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// withAddrs returns l with the extra addresses after its own.
func withAddrs(l iface.Link, extra ...string) iface.Link {
	l.Addrs = slices.Clone(l.Addrs)
	for _, p := range extra {
		l.Addrs = append(l.Addrs, netip.MustParsePrefix(p))
	}
	return l
}

// update changes a link and waits until reconcile has published the
// states built from it: the fallback scope is updated before that. Nothing
// else changes the links meanwhile, so the next publication is this one's.
func (rig *fallbackRig) update(t *testing.T, l iface.Link) {
	t.Helper()
	before := rig.r.published.Load()
	rig.links.Update(l)
	deadline := time.Now().Add(3 * time.Second)
	for rig.r.published.Load() == before {
		if time.Now().After(deadline) {
			t.Fatalf("the relay never applied the change of %s", l.Name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// offerFor sends a DISCOVER and returns the fallback's OFFER (the
// upstream stays silent).
func (rig *fallbackRig) offerFor(t *testing.T, xid byte) *dhcpv4.DHCPv4 {
	t.Helper()
	rig.sendDiscover(t, xid)
	waitFor(t, rig.up.sent, "the relayed DISCOVER")
	offer := rig.delivered(t, "the fallback's OFFER")
	if offer.MessageType() != dhcpv4.MessageTypeOffer {
		t.Fatalf("got %v, want an OFFER", offer.MessageType())
	}
	return offer
}

// TestFallbackNeverGivesLocalAddresses: the fallback offers no address
// that the appliance uses: a secondary address of the interface at start,
// nor one that appears later on another link; and a client that leased an
// address the interface then takes is NAKed at its renewal, which is not
// relayed.
func TestFallbackNeverGivesLocalAddresses(t *testing.T) {
	down := withAddrs(testLink, "203.0.113.100/25") // a secondary (VRRP) address inside the pool
	rig := startFallbackRigOn(t, down, leasestore.NewMemStore(), nil, nil)
	addr := func(s string) netip.Addr { return netip.MustParseAddr(s) }

	if got := ipv4Of(rig.offerFor(t, 1).YourIPAddr); got != addr("203.0.113.101") {
		t.Fatalf("first OFFER: %v, want 203.0.113.101 (.100 is the interface's secondary address)", got)
	}

	// 203.0.113.101 appears on the upstream link (a /32 service address):
	// the client's pending offer of it is withdrawn, and it gets .102.
	rig.update(t, withAddrs(upstreamLnk, "203.0.113.101/32"))
	offer := rig.offerFor(t, 2)
	if got := ipv4Of(offer.YourIPAddr); got != addr("203.0.113.102") {
		t.Fatalf("OFFER after .101 became local: %v, want 203.0.113.102", got)
	}
	req, err := dhcpv4.NewRequestFromOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	rig.send(t, req, zeroAddr, ipBroadcast)
	if ack := rig.delivered(t, "the fallback's ACK"); ack.MessageType() != dhcpv4.MessageTypeAck {
		t.Fatalf("got %v, want ACK", ack.MessageType())
	}

	// The interface takes the leased .102 (keepalived moves its virtual
	// address here): the client's renewal is NAKed here, not relayed.
	rig.update(t, withAddrs(down, "203.0.113.102/25"))
	for len(rig.up.sent) > 0 {
		<-rig.up.sent
	}
	renew, _ := dhcpv4.New(dhcpv4.WithHwAddr(clientMAC), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest),
		dhcpv4.WithClientIP(addr("203.0.113.102").AsSlice()))
	rig.send(t, renew, addr("203.0.113.102"), relayAddr.Addr())
	if got := rig.delivered(t, "the answer to the renewal"); got.MessageType() != dhcpv4.MessageTypeNak {
		t.Errorf("renewal of an address the interface now uses: %v, want NAK", got.MessageType())
	}
	select {
	case d := <-rig.up.sent:
		m, _ := dhcpv4.FromBytes(d.msg)
		t.Errorf("the renewal was relayed too: %v", m.Summary())
	default:
	}
}

// TestServerIDOverrideUpstreamLeaseIsRelayed: with server-id-override the
// upstream's OFFER names the relay's address as server identifier, which
// is also the fallback's. The client's SELECTING REQUEST for that offer,
// and its RELEASE of the lease, go upstream; the fallback neither keeps
// them nor NAKs.
func TestServerIDOverrideUpstreamLeaseIsRelayed(t *testing.T) {
	rig := startFallbackRigWith(t, leasestore.NewMemStore(), nil, func(ifc *config.Interface) { ifc.Option82.ServerIDOverride = true })
	leased := netip.MustParseAddr("203.0.113.30")
	reply := func(req *dhcpv4.DHCPv4, typ dhcpv4.MessageType) {
		t.Helper()
		rep, err := dhcpv4.NewReplyFromRequest(req, dhcpv4.WithMessageType(typ), dhcpv4.WithYourIP(leased.AsSlice()),
			dhcpv4.WithServerIP(helperAddr.AsSlice()),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(relayAddr.Addr().AsSlice()))) // RFC 5107: the override address
		if err != nil {
			t.Fatal(err)
		}
		rig.up.replies <- datagramTo{msg: rep.ToBytes(), dst: netip.AddrPortFrom(helperAddr, 67)}
	}
	relayed := func(what string, typ dhcpv4.MessageType) *dhcpv4.DHCPv4 {
		t.Helper()
		m, err := dhcpv4.FromBytes(waitFor(t, rig.up.sent, what).msg)
		if err != nil || m.MessageType() != typ {
			t.Fatalf("relayed %v (%v), want the %s", m, err, what)
		}
		return m
	}

	rig.sendDiscover(t, 3)
	reply(relayed("DISCOVER", dhcpv4.MessageTypeDiscover), dhcpv4.MessageTypeOffer)
	offer := rig.delivered(t, "the upstream OFFER")
	req, err := dhcpv4.NewRequestFromOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	rig.send(t, req, zeroAddr, ipBroadcast)
	up := relayed("SELECTING REQUEST", dhcpv4.MessageTypeRequest)
	select {
	case f := <-rig.conn.Sent():
		dg, _ := iface.ParseUDP4(f.Data, iface.FrameInfo{})
		m, _ := dhcpv4.FromBytes(dg.Payload)
		t.Fatalf("the client got %v before the upstream answered: the fallback claimed the upstream's offer", m.MessageType())
	case <-time.After(400 * time.Millisecond): // two offer-delays: the fallback worker has judged it
	}
	reply(up, dhcpv4.MessageTypeAck)
	if ack := rig.delivered(t, "the upstream ACK"); ack.MessageType() != dhcpv4.MessageTypeAck || ipv4Of(ack.YourIPAddr) != leased {
		t.Fatalf("got %v of %v, want the upstream's ACK of %v", ack.MessageType(), ack.YourIPAddr, leased)
	}

	release, _ := dhcpv4.New(dhcpv4.WithHwAddr(clientMAC), dhcpv4.WithMessageType(dhcpv4.MessageTypeRelease),
		dhcpv4.WithClientIP(leased.AsSlice()), dhcpv4.WithOption(dhcpv4.OptServerIdentifier(relayAddr.Addr().AsSlice())))
	rig.send(t, release, leased, relayAddr.Addr()) // unicast to the server identifier: the relay
	relayed("RELEASE", dhcpv4.MessageTypeRelease)
	if o := rig.r.Status().Scopes[0].Outcomes; o["nak_not_ours_authoritative"] != 0 || o["ack"] != 0 {
		t.Errorf("fallback outcomes %v, want no NAK and no ACK", o)
	}
}

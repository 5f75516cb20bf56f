package relay

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

// TestHelperHealthIsPerHelper: eth1 relays to .2 and .3, eth3 to .2 only;
// .2 answers everything and .3 is stopped. .3 shows down with its own
// time-outs and no latency, .2 up with its own answers, and each helper
// set (which decides the fallback) shows its own health.
func TestHelperHealthIsPerHelper(t *testing.T) {
	second := netip.MustParseAddr("198.51.100.3")
	eth3 := iface.Link{Index: 5, Name: "eth3", MAC: testMAC, MTU: 1500, Up: true, Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.129/25")}}
	cfg, err := config.ParseWithFlags(nil, config.Flags{
		Interfaces:      []string{"eth1", "eth3"},
		HelperAddresses: []string{"eth1=" + helperAddr.String(), "eth1=" + second.String(), "eth3=" + helperAddr.String()},
	})
	if err != nil {
		t.Fatal(err)
	}
	links := ifacetest.NewLinks()
	type opened struct {
		index int
		c     *ifacetest.Conn
	}
	conns := make(chan opened, 4)
	up := newFakeUpstream()
	r := New(cfg, links, discardLog(), Options{
		Upstream: up,
		Listen: func(l iface.Link) (iface.FrameConn, error) {
			c := ifacetest.NewConn(l.Index, 16)
			conns <- opened{l.Index, c}
			return c, nil
		},
	})
	runRelay(t, r)
	links.Set(upstreamLnk, testLink, eth3)
	byIndex := map[int]*ifacetest.Conn{}
	for range 2 {
		o := waitFor(t, conns, "a packet socket")
		byIndex[o.index] = o.c
	}
	start := time.Now()
	// Three DISCOVERs on each interface; .2 answers each one it gets.
	for i, c := range []*ifacetest.Conn{byIndex[testLink.Index], byIndex[eth3.Index]} {
		for n := range 3 {
			xid := dhcpv4.TransactionID{0, 0, byte(i + 1), byte(n + 1)}
			// Each from its own client: a set or helper goes down only on
			// time-outs from as many different clients.
			m := healthMsg(t, dhcpv4.MessageTypeDiscover, byte(10*i+n+1), func(d *dhcpv4.DHCPv4) { d.TransactionID = xid })
			if err := c.Deliver(healthFrame(t, m), iface.FrameInfo{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 3*2 + 3 {
		sent := waitFor(t, up.sent, "a relayed DISCOVER")
		if sent.dst.Addr() != helperAddr {
			continue // .3 is stopped
		}
		req, err := dhcpv4.FromBytes(sent.msg)
		if err != nil {
			t.Fatal(err)
		}
		mods := []dhcpv4.Modifier{dhcpv4.WithMessageType(dhcpv4.MessageTypeOffer), dhcpv4.WithYourIP(req.GatewayIPAddr.To4())}
		if o82 := req.Options.Get(dhcpv4.OptionRelayAgentInformation); o82 != nil {
			mods = append(mods, dhcpv4.WithGeneric(dhcpv4.OptionRelayAgentInformation, o82))
		}
		offer, err := dhcpv4.NewReplyFromRequest(req, mods...)
		if err != nil {
			t.Fatal(err)
		}
		up.replies <- datagramTo{msg: offer.ToBytes(), dst: netip.AddrPortFrom(helperAddr, 67)}
	}
	for _, c := range byIndex {
		for range 3 {
			waitFor(t, c.Sent(), "an OFFER")
		}
	}
	r.trackers.expire(start.Add(time.Minute), nil, r.logHealthChange) // long past every time-out

	st := r.Status()
	type row struct {
		Addr                          netip.Addr
		Health                        string
		Forwarded, Answered, TimedOut uint64
		HasLatency                    bool
		Sets                          []string
	}
	var got []row
	for _, h := range st.Helpers {
		got = append(got, row{h.Addr, h.Health, h.Forwarded, h.Answered, h.TimedOut, h.LatencyP50 > 0 && h.Latency.Count > 0, h.Sets})
	}
	want := []row{
		{helperAddr, "up", 6, 6, 0, true, []string{"198.51.100.2", "198.51.100.2,198.51.100.3"}},
		{second, "down", 3, 0, 3, false, []string{"198.51.100.2,198.51.100.3"}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("helpers (-want +got):\n%s", diff)
	}
	if h := st.Helpers[1]; h.Reason != "3 transactions in a row, from 3 different clients, got no reply within 2s" {
		t.Errorf(".3's reason %q", h.Reason)
	}
	type setRow struct {
		ID                            string
		Interfaces                    []string
		Health                        string
		Forwarded, Answered, TimedOut uint64
	}
	var sets []setRow
	for _, s := range st.HelperSets {
		sets = append(sets, setRow{s.ID(), s.Interfaces, s.Health, s.Forwarded, s.Answered, s.TimedOut})
	}
	wantSets := []setRow{
		{"198.51.100.2", []string{"eth3"}, "up", 3, 3, 0},
		{"198.51.100.2,198.51.100.3", []string{"eth1"}, "up", 3, 3, 0},
	}
	if diff := cmp.Diff(wantSets, sets); diff != "" {
		t.Errorf("helper sets (-want +got):\n%s", diff)
	}
}

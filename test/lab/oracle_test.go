package lab

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// t0 is the oracle tests' epoch; times are whole seconds after it.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// secs is t0 plus s seconds.
func secs(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// Short names of the oracle tests' clients and addresses.
const (
	macA = "02:00:00:00:00:0a"
	macB = "02:00:00:00:00:0b"
)

var (
	addr1 = netip.MustParseAddr("203.0.113.10")
	addr2 = netip.MustParseAddr("203.0.113.11")
	srvA  = netip.MustParseAddr("203.0.113.2")
	srvB  = netip.MustParseAddr("203.0.113.3")
)

// ackAt is an ACK of addr to mac at second s for lease seconds, from srv.
func ackAt(s int, mac string, addr netip.Addr, lease int, srv netip.Addr) LeaseEvent {
	return LeaseEvent{Kind: EventAck, Time: secs(s), Chaddr: mac, Addr: addr, Lease: time.Duration(lease) * time.Second, Server: srv}
}

// span is an interval in the tests' seconds.
type span struct {
	addr       netip.Addr
	mac        string
	start, end int
	srv        netip.Addr
}

func (s span) interval() Interval {
	return Interval{Addr: s.addr, Chaddr: s.mac, Start: secs(s.start), End: secs(s.end), Server: s.srv}
}

func TestOracleIntervalsAndOverlaps(t *testing.T) {
	tests := []struct {
		name     string
		events   []LeaseEvent
		want     []span
		overlaps [][2]int // indexes into want
	}{{
		name:   "one ack",
		events: []LeaseEvent{ackAt(0, macA, addr1, 60, srvA)},
		want:   []span{{addr1, macA, 0, 60, srvA}},
	}, {
		name:     "two clients on one address at once",
		events:   []LeaseEvent{ackAt(0, macA, addr1, 60, srvA), ackAt(30, macB, addr1, 60, srvB)},
		want:     []span{{addr1, macA, 0, 60, srvA}, {addr1, macB, 30, 90, srvB}},
		overlaps: [][2]int{{0, 1}},
	}, {
		name:   "touching is not overlapping",
		events: []LeaseEvent{ackAt(0, macA, addr1, 60, srvA), ackAt(60, macB, addr1, 60, srvB)},
		want:   []span{{addr1, macA, 0, 60, srvA}, {addr1, macB, 60, 120, srvB}},
	}, {
		name:   "different addresses never overlap",
		events: []LeaseEvent{ackAt(0, macA, addr1, 60, srvA), ackAt(10, macB, addr2, 60, srvB)},
		want:   []span{{addr1, macA, 0, 60, srvA}, {addr2, macB, 10, 70, srvB}},
	}, {
		name: "a release cuts the lease short",
		events: []LeaseEvent{
			ackAt(0, macA, addr1, 60, srvA),
			{Kind: EventRelease, Time: secs(20), Chaddr: macA, Addr: addr1},
			ackAt(20, macB, addr1, 60, srvB),
		},
		want: []span{{addr1, macA, 0, 20, srvA}, {addr1, macB, 20, 80, srvB}},
	}, {
		name: "another client's release cuts nothing",
		events: []LeaseEvent{
			ackAt(0, macA, addr1, 60, srvA),
			{Kind: EventRelease, Time: secs(20), Chaddr: macB, Addr: addr1},
			ackAt(30, macB, addr1, 60, srvB),
		},
		want:     []span{{addr1, macA, 0, 60, srvA}, {addr1, macB, 30, 90, srvB}},
		overlaps: [][2]int{{0, 1}},
	}, {
		name: "a nak ends what the client holds",
		events: []LeaseEvent{
			ackAt(0, macA, addr1, 60, srvA),
			{Kind: EventNak, Time: secs(30), Chaddr: macA, Server: srvB},
			ackAt(30, macB, addr1, 60, srvB),
		},
		want: []span{{addr1, macA, 0, 30, srvA}, {addr1, macB, 30, 90, srvB}},
	}, {
		name: "a decline ends the address",
		events: []LeaseEvent{
			ackAt(0, macA, addr1, 60, srvA),
			{Kind: EventDecline, Time: secs(1), Chaddr: macA, Addr: addr1},
		},
		want: []span{{addr1, macA, 0, 1, srvA}},
	}, {
		name:     "a renewal extends the lease into another client's",
		events:   []LeaseEvent{ackAt(0, macA, addr1, 60, srvA), ackAt(30, macA, addr1, 60, srvA), ackAt(70, macB, addr1, 60, srvB)},
		want:     []span{{addr1, macA, 0, 90, srvA}, {addr1, macB, 70, 130, srvB}},
		overlaps: [][2]int{{0, 1}},
	}, {
		name:   "a renewal by the other server moves the end",
		events: []LeaseEvent{ackAt(0, macA, addr1, 60, srvA), ackAt(50, macA, addr1, 20, srvB), ackAt(70, macB, addr1, 60, srvB)},
		want:   []span{{addr1, macA, 0, 70, srvB}, {addr1, macB, 70, 130, srvB}},
	}, {
		name:   "an ack after expiry starts a new interval",
		events: []LeaseEvent{ackAt(0, macA, addr1, 60, srvA), ackAt(100, macA, addr1, 60, srvA)},
		want:   []span{{addr1, macA, 0, 60, srvA}, {addr1, macA, 100, 160, srvA}},
	}, {
		name:   "moving to another address keeps the first until it ends",
		events: []LeaseEvent{ackAt(0, macA, addr1, 60, srvA), ackAt(10, macA, addr2, 60, srvB), ackAt(20, macB, addr1, 60, srvB)},
		want: []span{
			{addr1, macA, 0, 60, srvA}, {addr1, macB, 20, 80, srvB}, {addr2, macA, 10, 70, srvB},
		},
		overlaps: [][2]int{{0, 1}},
	}, {
		name:   "events out of order are sorted",
		events: []LeaseEvent{ackAt(60, macB, addr1, 60, srvB), ackAt(0, macA, addr1, 60, srvA)},
		want:   []span{{addr1, macA, 0, 60, srvA}, {addr1, macB, 60, 120, srvB}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOracle(tt.events)
			var want []Interval
			for _, s := range tt.want {
				want = append(want, s.interval())
			}
			if diff := cmp.Diff(want, o.Intervals(), CmpNetip()); diff != "" {
				t.Errorf("Intervals (-want +got):\n%s", diff)
			}
			var wantOv []Overlap
			for _, p := range tt.overlaps {
				wantOv = append(wantOv, Overlap{First: want[p[0]], Second: want[p[1]]})
			}
			if diff := cmp.Diff(wantOv, o.Overlaps(), CmpNetip()); diff != "" {
				t.Errorf("Overlaps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOracleAddressOf(t *testing.T) {
	o := NewOracle([]LeaseEvent{
		ackAt(0, macA, addr1, 60, srvA),
		ackAt(30, macA, addr1, 60, srvA),
		{Kind: EventRelease, Time: secs(50), Chaddr: macA, Addr: addr1},
		ackAt(55, macA, addr2, 60, srvB),
	})
	tests := []struct {
		name string
		mac  string
		at   int
		want netip.Addr
		ok   bool
	}{
		{"before its first ack", macA, -1, netip.Addr{}, false},
		{"at the ack", macA, 0, addr1, true},
		{"past the first lease, renewed", macA, 65, addr2, true},
		{"released, before the next ack", macA, 52, netip.Addr{}, false},
		{"after the move", macA, 100, addr2, true},
		{"at the end of the lease", macA, 115, netip.Addr{}, false},
		{"another client", macB, 10, netip.Addr{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := o.AddressOf(tt.mac, secs(tt.at))
			if got != tt.want || ok != tt.ok {
				t.Errorf("AddressOf(%s, %d) = %s, %v; want %s, %v", tt.mac, tt.at, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestLeaseEventsFromPackets(t *testing.T) {
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0a}
	reply := func(typ dhcpv4.MessageType, yiaddr netip.Addr, lease time.Duration) *dhcpv4.DHCPv4 {
		mods := []dhcpv4.Modifier{dhcpv4.WithMessageType(typ), dhcpv4.WithTransactionID(XID(7)), dhcpv4.WithHwAddr(mac),
			dhcpv4.WithServerIP(srvA.AsSlice()), dhcpv4.WithOption(dhcpv4.OptServerIdentifier(srvA.AsSlice()))}
		if yiaddr.IsValid() {
			mods = append(mods, dhcpv4.WithYourIP(yiaddr.AsSlice()))
		}
		if lease > 0 {
			mods = append(mods, dhcpv4.WithLeaseTime(uint32(lease/time.Second)))
		}
		d, err := dhcpv4.New(mods...)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	release, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeRelease), dhcpv4.WithTransactionID(XID(8)),
		dhcpv4.WithHwAddr(mac), dhcpv4.WithClientIP(addr1.AsSlice()))
	if err != nil {
		t.Fatal(err)
	}
	ack := reply(dhcpv4.MessageTypeAck, addr1, time.Minute)
	pkts := []Packet{
		{Time: secs(0), DHCP: reply(dhcpv4.MessageTypeOffer, addr1, time.Minute)},
		{Time: secs(1), DHCP: ack},
		{Time: secs(1).Add(100 * time.Microsecond), DHCP: ack}, // the same frame seen twice
		{Time: secs(2), DHCP: reply(dhcpv4.MessageTypeAck, netip.IPv4Unspecified(), 0)},
		{Time: secs(3), DHCP: reply(dhcpv4.MessageTypeNak, netip.Addr{}, 0)},
		{Time: secs(4), DHCP: release},
		{Time: secs(5)}, // not DHCP
	}
	want := []LeaseEvent{
		{Kind: EventAck, Time: secs(1), Server: srvA, Addr: addr1, Chaddr: mac.String(), Lease: time.Minute, XID: XID(7)},
		{Kind: EventNak, Time: secs(3), Server: srvA, Chaddr: mac.String(), XID: XID(7)},
		{Kind: EventRelease, Time: secs(4), Addr: addr1, Chaddr: mac.String(), XID: XID(8)},
	}
	if diff := cmp.Diff(want, LeaseEvents(pkts), CmpNetip()); diff != "" {
		t.Errorf("LeaseEvents (-want +got):\n%s", diff)
	}
}

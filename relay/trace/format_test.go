package trace

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iphelper/iphelper/relay/wire"
)

var t0 = time.Date(2026, 3, 1, 14, 2, 11, 123_000_000, time.UTC)

func chaddr(b ...byte) (n uint8, a [16]byte) {
	return uint8(copy(a[:], b)), a
}

func TestFormat(t *testing.T) {
	n, mac := chaddr(2, 0, 0, 0, 0, 0x99)
	helpers := []netip.AddrPort{netip.MustParseAddrPort("198.51.100.2:67"), netip.MustParseAddrPort("198.51.100.3:67")}
	base := Event{Time: t0, Interface: "eth1", Op: wire.OpRequest, Type: wire.Discover, XID: 0x1234abcd, HLen: n, CHAddr: mac,
		GIAddr: netip.MustParseAddr("0.0.0.0")}
	with := func(f func(*Event)) Event { e := base; f(&e); return e }
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{
			name: "request relayed to two helpers",
			e:    with(func(e *Event) { e.Action, e.Helpers = Relayed, helpers }),
			want: "2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 relayed to 198.51.100.2, 198.51.100.3",
		},
		{
			name: "forwarded UDP broadcast",
			e: Event{Time: t0, Interface: "eth1", UDPPort: 69, UDPSrc: netip.MustParseAddrPort("203.0.113.50:40000"),
				Action: Relayed, Helpers: []netip.AddrPort{netip.MustParseAddrPort("198.51.100.2:69")}},
			want: "2026-03-01T14:02:11.123Z eth1 in  UDP 203.0.113.50:40000 to port 69 relayed to 198.51.100.2",
		},
		{
			name: "forwarded UDP broadcast dropped",
			e: Event{Time: t0, Interface: "eth1", UDPPort: 137, UDPSrc: netip.MustParseAddrPort("198.51.100.9:137"),
				Action: Dropped, Reason: "udp_forged_source"},
			want: "2026-03-01T14:02:11.123Z eth1 in  UDP 198.51.100.9:137 to port 137 dropped: udp_forged_source",
		},
		{
			name: "dynamic DNS step",
			e: Event{Time: t0, Interface: "eth1", Dir: Out, Action: DNSUpdate, Reason: "success", DNS: DNSStep{
				Name: "laptop.example.test.", Zone: "example.test", Step: "add-new", Addr: netip.MustParseAddr("203.0.113.102"), Add: true}},
			want: "2026-03-01T14:02:11.123Z eth1 out DNS add-new laptop.example.test. 203.0.113.102 zone example.test: success",
		},
		{
			name: "request dropped",
			e:    with(func(e *Event) { e.Type, e.Action, e.Reason = wire.Request, Dropped, "max_hops" }),
			want: "2026-03-01T14:02:11.123Z eth1 in  REQUEST xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 dropped: max_hops",
		},
		{
			name: "one send of a request dropped",
			e:    with(func(e *Event) { e.Action, e.Reason, e.Helpers = Dropped, "rate_limit_helper", helpers[1:] }),
			want: "2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 dropped: rate_limit_helper to 198.51.100.3",
		},
		{
			name: "request handed to the fallback server",
			e:    with(func(e *Event) { e.Type, e.Action = wire.Request, Fallback }),
			want: "2026-03-01T14:02:11.123Z eth1 in  REQUEST xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 handed to the fallback server",
		},
		{
			name: "request the fallback server did not answer",
			e:    with(func(e *Event) { e.Type, e.Action, e.Reason = wire.Request, Silent, "silent_not_ours" }),
			want: "2026-03-01T14:02:11.123Z eth1 in  REQUEST xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 not answered by the fallback server: silent_not_ours",
		},
		{
			name: "reply of the fallback server",
			e: with(func(e *Event) {
				e.Dir, e.Op, e.Type, e.Action, e.FromFallback = Out, wire.OpReply, wire.Offer, Delivered, true
				e.From, e.To = netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("203.0.113.50")
			}),
			want: "2026-03-01T14:02:11.123Z eth1 out OFFER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 from the fallback server delivered to 203.0.113.50",
		},
		{
			name: "reply delivered by unicast",
			e: with(func(e *Event) {
				e.Dir, e.Op, e.Type, e.Action = Out, wire.OpReply, wire.Offer, Delivered
				e.GIAddr, e.From, e.To = netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("203.0.113.50")
			}),
			want: "2026-03-01T14:02:11.123Z eth1 out OFFER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 from 198.51.100.2 delivered to 203.0.113.50",
		},
		{
			name: "reply delivered by broadcast",
			e: with(func(e *Event) {
				e.Dir, e.Op, e.Type, e.Action, e.Broadcast = Out, wire.OpReply, wire.Nak, Delivered, true
				e.GIAddr, e.From = netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("198.51.100.2")
			}),
			want: "2026-03-01T14:02:11.123Z eth1 out NAK xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 from 198.51.100.2 delivered by broadcast",
		},
		{
			name: "reply for no interface, plain BOOTP",
			e: with(func(e *Event) {
				e.Interface, e.Dir, e.Op, e.Type, e.Action, e.Reason = "", Out, wire.OpReply, 0, Dropped, "unknown_giaddr"
				e.GIAddr, e.From = netip.MustParseAddr("203.0.113.99"), netip.MustParseAddr("198.51.100.2")
			}),
			want: "2026-03-01T14:02:11.123Z - out BOOTREPLY xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.99 from 198.51.100.2 dropped: unknown_giaddr",
		},
		{
			name: "zero event",
			e:    Event{Time: t0},
			want: "2026-03-01T14:02:11.123Z - in  Op(0) xid 0x00000000 chaddr - giaddr 0.0.0.0",
		},
		{
			name: "unnamed message type",
			e:    with(func(e *Event) { e.Type = 200 }),
			want: "2026-03-01T14:02:11.123Z eth1 in  TYPE(200) xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Format(tt.e)); diff != "" {
				t.Errorf("Format (-want +got):\n%s", diff)
			}
		})
	}
}

// request returns a DHCPDISCOVER with xid 0x1234abcd from 02:00:00:00:00:99.
func request() []byte {
	b := make([]byte, 240, 300)
	b[0], b[1], b[2] = 1, 1, 6 // op BOOTREQUEST, htype Ethernet, hlen 6
	binary.BigEndian.PutUint32(b[4:], 0x1234abcd)
	copy(b[24:], []byte{203, 0, 113, 1})            // giaddr
	copy(b[28:], []byte{2, 0, 0, 0, 0, 0x99})       // chaddr
	binary.BigEndian.PutUint32(b[236:], 0x63825363) // magic cookie
	return append(b, 53, 1, 1, 255)                 // DHCPDISCOVER, END
}

func TestSetMessage(t *testing.T) {
	n, mac := chaddr(2, 0, 0, 0, 0, 0x99)
	tests := []struct {
		name string
		msg  []byte
		want Event
	}{
		{
			name: "DISCOVER",
			msg:  request(),
			want: Event{Op: wire.OpRequest, Type: wire.Discover, XID: 0x1234abcd, HLen: n, CHAddr: mac, GIAddr: netip.MustParseAddr("203.0.113.1")},
		},
		{
			name: "truncated after xid",
			msg:  request()[:8],
			want: Event{Op: wire.OpRequest, XID: 0x1234abcd},
		},
		{name: "empty", msg: nil, want: Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Event
			got.SetMessage(tt.msg)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateComparable(netip.Addr{}, netip.AddrPort{})); diff != "" {
				t.Errorf("SetMessage (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzSetMessage(f *testing.F) {
	f.Add(request())
	f.Add([]byte{1, 1, 200})
	f.Fuzz(func(t *testing.T, msg []byte) {
		var e Event
		e.SetMessage(msg)
		if e.HLen > 16 {
			t.Fatalf("HLen %d", e.HLen)
		}
		_ = Format(e)
	})
}

func BenchmarkFormat(b *testing.B) {
	var e Event
	e.SetMessage(request())
	e.Time, e.Interface, e.Action, e.Reason = t0, "eth1", Dropped, "max_hops"
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFormat(buf[:0], e)
	}
}

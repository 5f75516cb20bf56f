package fallback

import (
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// wireView is a reply as a client sees it on the wire: header fields and
// raw options.
type wireView struct {
	Op             dhcpv4.OpcodeType
	XID            dhcpv4.TransactionID
	Flags, Secs    uint16
	Hops           uint8
	CIAddr, YIAddr string
	SIAddr, GIAddr string
	CHAddr         string
	Options        map[uint8][]byte
}

func viewOf(t *testing.T, rep *dhcpv4.DHCPv4) wireView {
	t.Helper()
	if rep == nil {
		t.Fatal("no reply")
	}
	m, err := dhcpv4.FromBytes(rep.ToBytes())
	if err != nil {
		t.Fatalf("reply does not parse back: %v", err)
	}
	v := wireView{Op: m.OpCode, XID: m.TransactionID, Flags: m.Flags, Secs: m.NumSeconds, Hops: m.HopCount,
		CIAddr: m.ClientIPAddr.String(), YIAddr: m.YourIPAddr.String(), SIAddr: m.ServerIPAddr.String(),
		GIAddr: m.GatewayIPAddr.String(), CHAddr: m.ClientHWAddr.String(), Options: map[uint8][]byte{}}
	for code, val := range m.Options {
		v.Options[code] = val
	}
	return v
}

func TestReplyContents(t *testing.T) {
	c := client{mac: mac(0x42), id: []byte("\x01\x02\x00\x5e\x10\x00\x42")}
	xid := dhcpv4.TransactionID{0xde, 0xad, 0xbe, 0x42}
	// Options every OFFER and ACK carries, by code.
	config := map[uint8][]byte{
		1:  {255, 255, 255, 0},                     // subnet mask
		3:  {203, 0, 113, 1},                       // router: the server-id by default
		6:  {198, 51, 100, 53, 198, 51, 100, 54},   // DNS
		15: []byte("example.test"),                 // domain
		51: {0, 0, 0x02, 0x58},                     // lease time 600 s
		54: {203, 0, 113, 1},                       // server identifier
		58: {0, 0, 0x01, 0x2c},                     // T1 300 s
		59: {0, 0, 0x02, 0x0d},                     // T2 525 s
		61: []byte("\x01\x02\x00\x5e\x10\x00\x42"), // client-id echoed (RFC 6842)
	}
	with := func(m map[uint8][]byte, code uint8, v []byte) map[uint8][]byte {
		out := map[uint8][]byte{code: v}
		for k, val := range m {
			out[k] = val
		}
		return out
	}
	tests := []struct {
		name string
		run  func(t *testing.T, e *env) *dhcpv4.DHCPv4
		want wireView
	}{
		{
			name: "OFFER, broadcast flag and secs",
			run: func(t *testing.T, e *env) *dhcpv4.DHCPv4 {
				m := c.discover(t, dhcpv4.WithBroadcast(true))
				m.Flags |= 0x0001 // a reserved bit, not to be echoed
				m.NumSeconds = 7
				rep, _ := e.handle(m)
				return rep
			},
			want: wireView{Op: dhcpv4.OpcodeBootReply, XID: xid, Flags: 0x8000, CIAddr: "0.0.0.0", YIAddr: "203.0.113.100",
				SIAddr: "0.0.0.0", GIAddr: "0.0.0.0", CHAddr: "02:00:5e:10:00:42", Options: with(config, 53, []byte{2})},
		},
		{
			name: "ACK in SELECTING",
			run: func(t *testing.T, e *env) *dhcpv4.DHCPv4 {
				e.offer(t, c)
				rep, _ := e.handle(c.selecting(t, ip("203.0.113.1"), ip("203.0.113.100")))
				return rep
			},
			want: wireView{Op: dhcpv4.OpcodeBootReply, XID: xid, CIAddr: "0.0.0.0", YIAddr: "203.0.113.100",
				SIAddr: "0.0.0.0", GIAddr: "0.0.0.0", CHAddr: "02:00:5e:10:00:42", Options: with(config, 53, []byte{5})},
		},
		{
			name: "ACK in RENEWING keeps ciaddr",
			run: func(t *testing.T, e *env) *dhcpv4.DHCPv4 {
				a := e.dora(t, c)
				rep, _ := e.handle(c.renewing(t, a))
				return rep
			},
			want: wireView{Op: dhcpv4.OpcodeBootReply, XID: xid, CIAddr: "203.0.113.100", YIAddr: "203.0.113.100",
				SIAddr: "0.0.0.0", GIAddr: "0.0.0.0", CHAddr: "02:00:5e:10:00:42", Options: with(config, 53, []byte{5})},
		},
		{
			name: "NAK carries only type, server-id, message and client-id",
			run: func(t *testing.T, e *env) *dhcpv4.DHCPv4 {
				rep, _ := e.handle(c.initReboot(t, ip("198.51.100.7")))
				return rep
			},
			want: wireView{Op: dhcpv4.OpcodeBootReply, XID: xid, CIAddr: "0.0.0.0", YIAddr: "0.0.0.0",
				SIAddr: "0.0.0.0", GIAddr: "0.0.0.0", CHAddr: "02:00:5e:10:00:42", Options: map[uint8][]byte{
					53: {6},
					54: {203, 0, 113, 1},
					56: []byte("address not on this subnet"),
					61: config[61],
				}},
		},
		{
			name: "ACK to INFORM: no lease, yiaddr 0, to ciaddr",
			run: func(t *testing.T, e *env) *dhcpv4.DHCPv4 {
				rep, _ := e.handle(c.inform(t, ip("203.0.113.20")))
				return rep
			},
			want: wireView{Op: dhcpv4.OpcodeBootReply, XID: xid, CIAddr: "203.0.113.20", YIAddr: "0.0.0.0",
				SIAddr: "0.0.0.0", GIAddr: "0.0.0.0", CHAddr: "02:00:5e:10:00:42", Options: map[uint8][]byte{
					1: config[1], 3: config[3], 6: config[6], 15: config[15], 53: {5}, 54: config[54], 61: config[61],
				}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testScope())
			if d := diff(tt.want, viewOf(t, tt.run(t, e))); d != "" {
				t.Errorf("reply (-want +got):\n%s", d)
			}
		})
	}
}

func TestReplyOptionsFollowScope(t *testing.T) {
	sc := testScope()
	sc.DNS, sc.Domain = nil, ""
	sc.Router = []netip.Addr{ip("203.0.113.254"), ip("203.0.113.253")}
	sc.Subnet = netip.MustParsePrefix("203.0.113.0/25")
	sc.LeaseTime, sc.T1, sc.T2 = time.Hour, 20*time.Minute, 40*time.Minute
	e := newEnv(t, sc)
	rep, _ := e.handle(cl(1).discover(t))
	got := viewOf(t, rep).Options
	want := map[uint8][]byte{
		1:  {255, 255, 255, 128},
		3:  {203, 0, 113, 254, 203, 0, 113, 253},
		51: {0, 0, 0x0e, 0x10},
		53: {2},
		54: {203, 0, 113, 1},
		58: {0, 0, 0x04, 0xb0},
		59: {0, 0, 0x09, 0x60},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("OFFER options (-want +got):\n%s", d)
	}
}

func TestInform(t *testing.T) {
	tests := []struct {
		name    string
		ciaddr  string
		enabled bool
		want    Outcome
	}{
		{"host of the subnet", "203.0.113.20", true, OutcomeInform},
		{"host of another subnet", "198.51.100.9", true, OutcomeSilentNotOurs},
		{"no ciaddr", "0.0.0.0", true, OutcomeSilentNotOurs},
		{"scope disabled", "203.0.113.20", false, OutcomeSilentDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testScope()
			sc.Enabled = tt.enabled
			e := newEnv(t, sc)
			rep, o := e.handle(cl(1).inform(t, ip(tt.ciaddr)))
			if d := diff(tt.want, o); d != "" {
				t.Errorf("outcome (-want +got):\n%s", d)
			}
			checkReplyMatches(t, rep, o)
			if len(e.s.Leases()) != 0 {
				t.Errorf("INFORM made a lease: %v", e.s.Leases())
			}
		})
	}
}

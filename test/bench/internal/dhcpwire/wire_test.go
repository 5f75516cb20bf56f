package dhcpwire

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

var (
	testMAC = [6]byte{0x02, 0x62, 0, 0, 0x01, 0x02}
	srvID   = [4]byte{198, 51, 100, 2}
	offered = [4]byte{203, 0, 113, 7}
)

// decoded is what an independent parser (insomniacslk/dhcp) sees in a message.
type decoded struct {
	Op, Type            string
	XID                 uint32
	Broadcast           bool
	CHAddr              string
	YIAddr, GIAddr      string
	RequestedIP, Server string
	Relay               []byte
}

func decode(t *testing.T, msg []byte) decoded {
	t.Helper()
	m, err := dhcpv4.FromBytes(msg)
	if err != nil {
		t.Fatalf("insomniacslk/dhcp cannot parse the message: %v", err)
	}
	d := decoded{
		Op: m.OpCode.String(), Type: m.MessageType().String(), XID: binary.BigEndian.Uint32(m.TransactionID[:]),
		Broadcast: m.IsBroadcast(), CHAddr: m.ClientHWAddr.String(),
		YIAddr: m.YourIPAddr.String(), GIAddr: m.GatewayIPAddr.String(),
	}
	if ip := m.RequestedIPAddress(); ip != nil {
		d.RequestedIP = ip.String()
	}
	if ip := m.ServerIdentifier(); ip != nil {
		d.Server = ip.String()
	}
	d.Relay = m.Options.Get(dhcpv4.OptionRelayAgentInformation)
	return d
}

// checkChecksums verifies the IPv4 header and UDP checksums of a frame.
func checkChecksums(t *testing.T, frame []byte) {
	t.Helper()
	ip := frame[ethLen : ethLen+ipLen]
	if got := fold(sum(0, ip)); got != 0 {
		t.Errorf("IPv4 header checksum does not verify (residue %#04x)", got)
	}
	udp := frame[ethLen+ipLen:]
	s := sum(0, ip[12:20]) + 17 + uint32(len(udp))
	if got := fold(sum(s, udp)); got != 0 {
		t.Errorf("UDP checksum does not verify (residue %#04x)", got)
	}
}

func TestBuildClientFrame(t *testing.T) {
	tests := []struct {
		name string
		msg  ClientMsg
		want decoded
	}{
		{
			name: "discover, unicast replies",
			msg:  ClientMsg{Type: TypeDiscover, MAC: testMAC, XID: 0x01020304},
			want: decoded{Op: "BootRequest", Type: "DISCOVER", XID: 0x01020304, CHAddr: "02:62:00:00:01:02", YIAddr: "0.0.0.0", GIAddr: "0.0.0.0"},
		},
		{
			name: "request with the broadcast flag",
			msg:  ClientMsg{Type: TypeRequest, MAC: testMAC, XID: 7, Broadcast: true, RequestedIP: offered, ServerID: srvID},
			want: decoded{
				Op: "BootRequest", Type: "REQUEST", XID: 7, Broadcast: true, CHAddr: "02:62:00:00:01:02",
				YIAddr: "0.0.0.0", GIAddr: "0.0.0.0", RequestedIP: "203.0.113.7", Server: "198.51.100.2",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := make([]byte, MaxFrame)
			n, err := BuildClientFrame(b, &tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			frame := b[:n]
			checkChecksums(t, frame)
			wantEth := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x62, 0, 0, 0x01, 0x02, 0x08, 0x00}
			if diff := cmp.Diff(wantEth, frame[:ethLen]); diff != "" {
				t.Errorf("Ethernet header (-want +got):\n%s", diff)
			}
			msg, err := RequestFrame(frame)
			if err != nil {
				t.Fatal(err)
			}
			if len(msg) != minBOOTP {
				t.Errorf("message is %d bytes, want %d", len(msg), minBOOTP)
			}
			if diff := cmp.Diff(tt.want, decode(t, msg)); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildClientFrameErrors(t *testing.T) {
	tests := []struct {
		name string
		buf  int
		msg  ClientMsg
		want string
	}{
		{name: "short buffer", buf: MaxFrame - 1, msg: ClientMsg{Type: TypeDiscover}, want: "buffer too short"},
		{name: "offer is a server's", buf: MaxFrame, msg: ClientMsg{Type: TypeOffer}, want: "client message type must be DISCOVER or REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildClientFrame(make([]byte, tt.buf), &tt.msg)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got error %v, want %q", err, tt.want)
			}
		})
	}
}

// relayed returns a client message as a relay forwards it: giaddr set and
// option 82 appended before END.
func relayed(t *testing.T, m ClientMsg, agent []byte) []byte {
	t.Helper()
	b := make([]byte, MaxFrame)
	n, err := BuildClientFrame(b, &m)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := RequestFrame(b[:n])
	if err != nil {
		t.Fatal(err)
	}
	msg = append([]byte(nil), msg...)
	copy(msg[offGIAddr:], []byte{203, 0, 113, 1})
	end := offOpts
	for msg[end] != optEnd {
		end += 2 + int(msg[end+1])
	}
	return append(append(msg[:end:end], agent...), optEnd)
}

func TestServerRoundTrip(t *testing.T) {
	agent := []byte{82, 9, 1, 5, 'd', 'o', 'w', 'n', '0', 2, 0}
	tests := []struct {
		name  string
		msg   ClientMsg
		agent []byte
		reply ServerReply
		want  decoded
	}{
		{
			name: "offer echoes option 82",
			msg:  ClientMsg{Type: TypeDiscover, MAC: testMAC, XID: 42}, agent: agent,
			reply: ServerReply{Type: TypeOffer, YIAddr: offered, ServerID: srvID, Mask: [4]byte{255, 255, 255, 0}, LeaseSecs: 3600},
			want: decoded{
				Op: "BootReply", Type: "OFFER", XID: 42, CHAddr: "02:62:00:00:01:02", YIAddr: "203.0.113.7",
				GIAddr: "203.0.113.1", Server: "198.51.100.2", Relay: agent[2:],
			},
		},
		{
			name:  "ack without option 82 keeps the broadcast flag",
			msg:   ClientMsg{Type: TypeRequest, MAC: testMAC, XID: 43, Broadcast: true, RequestedIP: offered, ServerID: srvID},
			reply: ServerReply{Type: TypeAck, YIAddr: offered, ServerID: srvID, Mask: [4]byte{255, 255, 255, 0}, LeaseSecs: 60},
			want: decoded{
				Op: "BootReply", Type: "ACK", XID: 43, Broadcast: true, CHAddr: "02:62:00:00:01:02", YIAddr: "203.0.113.7",
				GIAddr: "203.0.113.1", Server: "198.51.100.2",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q Request
			if err := ParseRequest(relayed(t, tt.msg, tt.agent), &q); err != nil {
				t.Fatal(err)
			}
			out := make([]byte, 576)
			n, err := BuildReply(out, &q, &tt.reply)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, decode(t, out[:n])); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
			var r Reply
			if err := ParseReply(out[:n], &r); err != nil {
				t.Fatal(err)
			}
			wantR := Reply{Type: tt.reply.Type, XID: tt.msg.XID, CHAddr: testMAC, YIAddr: offered, ServerID: srvID}
			if diff := cmp.Diff(wantR, r); diff != "" {
				t.Errorf("parsed reply (-want +got):\n%s", diff)
			}
		})
	}
}

// replyFrame wraps a reply message in Ethernet/IPv4/UDP to port 68.
func replyFrame(msg []byte) []byte {
	f := make([]byte, hdrsLen+len(msg))
	copy(f[hdrsLen:], msg)
	writeHeaders(f, testMAC, len(msg))
	binary.BigEndian.PutUint16(f[ethLen+ipLen+2:], PortClient)
	return f
}

func TestParseReplyFrameErrors(t *testing.T) {
	var q Request
	if err := ParseRequest(relayed(t, ClientMsg{Type: TypeDiscover, MAC: testMAC}, nil), &q); err != nil {
		t.Fatal(err)
	}
	good := make([]byte, 576)
	n, err := BuildReply(good, &q, &ServerReply{Type: TypeOffer})
	if err != nil {
		t.Fatal(err)
	}
	good = good[:n]
	edit := func(f func(frame []byte) []byte) []byte { return f(replyFrame(good)) }
	tests := []struct {
		name  string
		frame []byte
		want  string
	}{
		{name: "empty", frame: nil, want: "truncated"},
		{name: "arp", frame: edit(func(f []byte) []byte { f[12], f[13] = 0x08, 0x06; return f }), want: "not an IPv4/UDP frame"},
		{name: "tcp", frame: edit(func(f []byte) []byte { f[ethLen+9] = 6; return f }), want: "not an IPv4/UDP frame"},
		{name: "fragment", frame: edit(func(f []byte) []byte { f[ethLen+6] = 0x20; return f }), want: "IPv4 fragment"},
		{name: "ip length past frame", frame: edit(func(f []byte) []byte { return f[:len(f)-1] }), want: "truncated"},
		{name: "to port 67", frame: edit(func(f []byte) []byte { f[ethLen+ipLen+3] = 67; return f }), want: "wrong UDP port"},
		{name: "udp length past ip", frame: edit(func(f []byte) []byte { f[ethLen+ipLen+4] = 0xff; return f }), want: "truncated"},
		{name: "a request", frame: edit(func(f []byte) []byte { f[hdrsLen] = opRequest; return f }), want: "wrong BOOTP op"},
		{name: "no cookie", frame: edit(func(f []byte) []byte { f[hdrsLen+offCookie] = 0; return f }), want: "no DHCP magic cookie"},
		{name: "option past end", frame: edit(func(f []byte) []byte { f[hdrsLen+offOpts+1] = 0xff; return f }), want: "option runs past the end of the message"},
		{name: "no type", frame: edit(func(f []byte) []byte { f[hdrsLen+offOpts] = optPad; return f }), want: "no DHCP message type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Reply
			err := ParseReplyFrame(tt.frame, &r)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestBuildReplyErrors(t *testing.T) {
	var q Request
	if err := ParseRequest(relayed(t, ClientMsg{Type: TypeDiscover, MAC: testMAC}, nil), &q); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		buf   int
		reply ServerReply
		want  string
	}{
		{name: "nak is not built", buf: 576, reply: ServerReply{Type: TypeNak}, want: "reply type must be OFFER or ACK"},
		{name: "short buffer", buf: minBOOTP - 1, reply: ServerReply{Type: TypeAck}, want: "buffer too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildReply(make([]byte, tt.buf), &q, &tt.reply)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNoAllocations(t *testing.T) {
	b := make([]byte, MaxFrame)
	out := make([]byte, 576)
	m := ClientMsg{Type: TypeRequest, MAC: testMAC, RequestedIP: offered, ServerID: srvID}
	agent := relayed(t, ClientMsg{Type: TypeDiscover, MAC: testMAC}, []byte{82, 3, 1, 1, 'x'})
	var q Request
	var r Reply
	allocs := testing.AllocsPerRun(100, func() {
		n, _ := BuildClientFrame(b, &m)
		if _, err := RequestFrame(b[:n]); err != nil {
			t.Fatal(err)
		}
		if err := ParseRequest(agent, &q); err != nil {
			t.Fatal(err)
		}
		n, _ = BuildReply(out, &q, &ServerReply{Type: TypeAck})
		_ = ParseReply(out[:n], &r)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per DORA step, want 0", allocs)
	}
}

func FuzzParseReplyFrame(f *testing.F) {
	var q Request
	f.Add([]byte{})
	msg := make([]byte, MaxFrame)
	n, _ := BuildClientFrame(msg, &ClientMsg{Type: TypeDiscover, MAC: testMAC})
	f.Add(msg[:n])
	f.Fuzz(func(t *testing.T, frame []byte) {
		var r Reply
		_ = ParseReplyFrame(frame, &r)
		if m, err := RequestFrame(frame); err == nil && ParseRequest(m, &q) == nil {
			_, _ = BuildReply(make([]byte, 1500), &q, &ServerReply{Type: TypeOffer})
		}
	})
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		var q Request
		if ParseRequest(msg, &q) == nil {
			if _, err := BuildReply(make([]byte, 1500), &q, &ServerReply{Type: TypeAck}); err != nil {
				t.Fatalf("cannot reply to a request it parsed: %v", err)
			}
		}
		var r Reply
		_ = ParseReply(msg, &r)
	})
}

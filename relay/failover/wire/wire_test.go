package wire

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	subnet = netip.MustParsePrefix("203.0.113.0/25")
	addr   = netip.MustParseAddr("203.0.113.10")
	hash1  = [32]byte{0: 0xaa, 31: 0xbb}
)

// header returns a frame header; bodies are written out by hand below.
func header(typ Type, n int) []byte {
	return []byte{'I', 'P', 'H', 'F', 1, byte(typ), 0, 0, byte(n >> 8), byte(n)}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// goldens are every message type with its frame, field by field.
var goldens = []struct {
	name string
	msg  Message
	want []byte
}{
	{
		name: "hello",
		msg: Hello{Version: 1, Role: RoleSecondary, State: 3, Fresh: true, NodeName: "r2",
			Scopes: []ScopeInfo{{Subnet: subnet, Mode: 2, Hash: hash1}}},
		want: cat(header(TypeHello, 47),
			[]byte{1},                  // version 1
			[]byte{1},                  // role secondary
			[]byte{3},                  // state 3
			[]byte{1},                  // fresh
			[]byte{2, 'r', '2'},        // node name "r2"
			[]byte{0, 1},               // 1 scope
			[]byte{203, 0, 113, 0, 25}, // 203.0.113.0/25
			[]byte{2},                  // mode 2
			hash1[:],                   // hash
		),
	},
	{
		name: "hello, no scopes",
		msg:  Hello{Version: 1},
		want: cat(header(TypeHello, 7),
			[]byte{1, 0, 0, 0}, // version 1, primary, state 0, not fresh
			[]byte{0},          // no node name
			[]byte{0, 0},       // no scopes
		),
	},
	{
		name: "state",
		msg:  State{State: 4, Shutdown: true},
		want: cat(header(TypeState, 2), []byte{4, 1}), // state 4, shutting down
	},
	{
		name: "heartbeat",
		msg:  Heartbeat{Seq: 0x0102030405060708},
		want: cat(header(TypeHeartbeat, 8), []byte{1, 2, 3, 4, 5, 6, 7, 8}), // sequence
	},
	{
		name: "bndupd",
		msg: BndUpd{Seq: 7, Subnet: subnet, Addr: addr, ClientID: []byte{1, 2}, MAC: []byte{2, 0, 0, 0, 0, 1},
			Hostname: "pc", State: BindBound, Remaining: 3600, Updated: 5},
		want: cat(header(TypeBndUpd, 39),
			[]byte{0, 0, 0, 0, 0, 0, 0, 7}, // sequence 7
			[]byte{203, 0, 113, 0, 25},     // subnet 203.0.113.0/25
			[]byte{203, 0, 113, 10},        // address
			[]byte{2, 1, 2},                // client identifier 01 02
			[]byte{6, 2, 0, 0, 0, 0, 1},    // chaddr 02:00:00:00:00:01
			[]byte{2, 'p', 'c'},            // hostname "pc"
			[]byte{1},                      // bound
			[]byte{0, 0, 0x0e, 0x10},       // 3600 s remaining
			[]byte{0, 0, 0, 5},             // updated 5 s ago
		),
	},
	{
		name: "bndack",
		msg:  BndAck{Seq: 7, Status: 2, Reason: "no"},
		want: cat(header(TypeBndAck, 12),
			[]byte{0, 0, 0, 0, 0, 0, 0, 7}, // sequence 7
			[]byte{2},                      // status 2
			[]byte{2, 'n', 'o'},            // reason "no"
		),
	},
	{
		name: "updreq",
		msg:  UpdReq{All: true},
		want: cat(header(TypeUpdReq, 1), []byte{1}), // all
	},
	{
		name: "upddone",
		msg:  UpdDone{},
		want: header(TypeUpdDone, 0),
	},
}

func TestAppendGolden(t *testing.T) {
	for _, tc := range goldens {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Append([]byte("prefix"), tc.msg)
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			if diff := cmp.Diff(cat([]byte("prefix"), tc.want), got); diff != "" {
				t.Errorf("Append (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseGolden(t *testing.T) {
	for _, tc := range goldens {
		t.Run(tc.name, func(t *testing.T) {
			got, n, err := Parse(append(tc.want, 0xff)) // a byte of the next frame
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if n != len(tc.want) {
				t.Errorf("Parse consumed %d bytes, want %d", n, len(tc.want))
			}
			if diff := cmp.Diff(tc.msg, got, cmpopts.EquateEmpty(), cmpNetip); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoundTrip writes a stream of every message at its limits and reads it
// back with Read, with a scratch buffer too small and one large enough.
func TestRoundTrip(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	msgs := []Message{
		Hello{Version: 1, Role: RolePrimary, State: 255, NodeName: long(MaxNodeName),
			Scopes: []ScopeInfo{{Subnet: subnet, Mode: 1}, {Subnet: netip.MustParsePrefix("198.51.100.0/24"), Hash: hash1}}},
		State{State: 1},
		Heartbeat{Seq: ^uint64(0)},
		BndUpd{Seq: 1, Subnet: netip.MustParsePrefix("0.0.0.0/0"), Addr: addr, ClientID: bytes.Repeat([]byte{9}, MaxClientID),
			MAC: bytes.Repeat([]byte{1}, MaxMAC), Hostname: long(MaxHostname), State: BindExpired, Remaining: ^uint32(0), Updated: 1},
		BndUpd{Subnet: netip.MustParsePrefix("203.0.113.10/32"), Addr: addr, State: BindReleased},
		BndAck{Seq: 2, Reason: long(MaxReason)},
		UpdReq{},
		UpdDone{},
	}
	var stream []byte
	for _, m := range msgs {
		var err error
		if stream, err = Append(stream, m); err != nil {
			t.Fatalf("Append(%#v): %v", m, err)
		}
	}
	for _, scratch := range []int{0, MaxFrame} {
		r := bytes.NewReader(stream)
		buf := make([]byte, scratch)
		var got []Message
		for {
			m, err := Read(r, buf)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			got = append(got, m)
		}
		if diff := cmp.Diff(msgs, got, cmpopts.EquateEmpty(), cmpNetip); diff != "" {
			t.Errorf("scratch %d: Read (-want +got):\n%s", scratch, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	bndupd := goldens[4].want
	tests := []struct {
		name string
		in   []byte
		is   error
		text string
	}{
		{"empty", nil, ErrTruncated, "header of 0 bytes, want 10: truncated frame"},
		{"short header", []byte("IPHF\x01"), ErrTruncated, "header of 5 bytes, want 10: truncated frame"},
		{"plaintext", []byte("GET / HTTP/1.1\r\n"), ErrMagic, `frame starts with "GET ": not an iphelper failover frame`},
		{"short plaintext", []byte("GET "), ErrMagic, `frame starts with "GET ": not an iphelper failover frame`},
		{"version 2", cat([]byte("IPHF\x02\x03"), []byte{0, 0, 0, 8}), ErrVersion, "frame of version 2, this node speaks 1: unsupported wire version"},
		{"type 0", header(0, 0), ErrType, "type 0: unknown message type"},
		{"type 8", header(8, 0), ErrType, "type 8: unknown message type"},
		{"body too long", cat([]byte("IPHF\x01\x03"), []byte{0, 1, 0, 1}), ErrTooLong, "HEARTBEAT body of 65537 bytes, at most 65536: too long"},
		{"body truncated", header(TypeHeartbeat, 8)[:10], ErrTruncated, "HEARTBEAT body of 8 bytes, 0 present: truncated frame"},
		{"heartbeat short", cat(header(TypeHeartbeat, 7), make([]byte, 7)), ErrMalformed, "failed to decode HEARTBEAT: field of 8 bytes, 7 left: malformed message"},
		{"trailing byte", cat(header(TypeUpdDone, 1), []byte{0}), ErrMalformed, "failed to decode UPDDONE: 1 bytes after the last field: malformed message"},
		{"boolean 2", cat(header(TypeUpdReq, 1), []byte{2}), ErrMalformed, "failed to decode UPDREQ: boolean 2: malformed message"},
		{"role 2", cat(header(TypeHello, 7), []byte{1, 2, 0, 0, 0, 0, 0}), ErrMalformed, "failed to decode HELLO: role 2: malformed message"},
		{"node name too long", cat(header(TypeHello, 5), []byte{1, 0, 0, 0, 65}), ErrTooLong, "failed to decode HELLO: field of 65 bytes, at most 64: too long"},
		{"scope count lies", cat(header(TypeHello, 7), []byte{1, 0, 0, 0, 0, 0, 1}), ErrMalformed, "failed to decode HELLO: 1 scopes in 0 bytes: malformed message"},
		{"prefix not masked", cat(header(TypeHello, 45), []byte{1, 0, 0, 0, 0, 0, 1, 203, 0, 113, 1, 25, 0}, make([]byte, 32)), ErrMalformed,
			"failed to decode HELLO: subnet 203.0.113.1/25 is not a masked IPv4 prefix: malformed message"},
		{"prefix 33 bits", cat(header(TypeHello, 45), []byte{1, 0, 0, 0, 0, 0, 1, 203, 0, 113, 1, 33, 0}, make([]byte, 32)), ErrMalformed,
			"failed to decode HELLO: subnet 203.0.113.1/33 is not a masked IPv4 prefix: malformed message"},
		{"mac too long", patch(bndupd, 10+8+5+4+3, 17), ErrTooLong, "failed to decode BNDUPD: field of 17 bytes, at most 16: too long"},
		{"bind state 0", patch(bndupd, 10+8+5+4+3+7+3, 0), ErrMalformed, "failed to decode BNDUPD: bind state 0: malformed message"},
		{"address outside subnet", patch(bndupd, 10+8+5, 198), ErrMalformed, "failed to decode BNDUPD: address 198.0.113.10 not in subnet 203.0.113.0/25: malformed message"},
		{"reason runs past body", cat(header(TypeBndAck, 11), make([]byte, 9), []byte{5, 'x'}), ErrMalformed, "failed to decode BNDACK: field of 5 bytes, 1 left: malformed message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, n, err := Parse(tc.in)
			if !errors.Is(err, tc.is) {
				t.Fatalf("Parse = %#v, %d, %v; want an error wrapping %v", m, n, err, tc.is)
			}
			if err.Error() != tc.text {
				t.Errorf("Parse error:\n got %q\nwant %q", err, tc.text)
			}
		})
	}
}

// patch returns a copy of b with b[i] = v.
func patch(b []byte, i int, v byte) []byte {
	c := append([]byte(nil), b...)
	c[i] = v
	return c
}

func TestReadErrors(t *testing.T) {
	hb := goldens[3].want
	if _, err := Read(bytes.NewReader(nil), nil); err != io.EOF {
		t.Errorf("Read(empty) = %v, want io.EOF", err)
	}
	if _, err := Read(bytes.NewReader(hb[:4]), nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Read(half a header) = %v, want io.ErrUnexpectedEOF", err)
	}
	_, err := Read(bytes.NewReader(hb[:12]), nil)
	if want := "failed to read a HEARTBEAT body of 8 bytes: unexpected EOF"; err == nil || err.Error() != want {
		t.Errorf("Read(half a body) = %v, want %q", err, want)
	}
	if _, err := Read(bytes.NewReader(cat([]byte("IPHF\x07\x01"), []byte{0, 0, 0, 0})), nil); !errors.Is(err, ErrVersion) {
		t.Errorf("Read(version 7) = %v, want ErrVersion", err)
	}
}

func TestAppendErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
		text string
	}{
		{"nil", nil, "failed to encode a nil message: malformed message"},
		{"role", Hello{Role: 2}, "failed to encode HELLO: role 2: malformed message"},
		{"node name", Hello{NodeName: strings.Repeat("n", 65)}, "failed to encode HELLO: node name of 65 bytes, at most 64: too long"},
		{"scope subnet", Hello{Scopes: []ScopeInfo{{Subnet: netip.MustParsePrefix("203.0.113.1/25")}}}, "failed to encode HELLO: scope 0: subnet 203.0.113.1/25 is not a masked IPv4 prefix: malformed message"},
		{"scope IPv6", Hello{Scopes: []ScopeInfo{{Subnet: netip.MustParsePrefix("2001:db8::/32")}}}, "failed to encode HELLO: scope 0: subnet 2001:db8::/32 is not a masked IPv4 prefix: malformed message"},
		{"too many scopes", Hello{Scopes: scopes(1 << 16)}, "failed to encode HELLO: 65536 scopes: too long"},
		{"body too long", Hello{Scopes: scopes(1800)}, "failed to encode HELLO: body of 68407 bytes, at most 65536: too long"},
		{"client id", bnd(func(u *BndUpd) { u.ClientID = make([]byte, 256) }), "failed to encode BNDUPD: client identifier of 256 bytes, at most 255: too long"},
		{"mac", bnd(func(u *BndUpd) { u.MAC = make([]byte, 17) }), "failed to encode BNDUPD: chaddr of 17 bytes, at most 16: too long"},
		{"hostname", bnd(func(u *BndUpd) { u.Hostname = strings.Repeat("h", 256) }), "failed to encode BNDUPD: hostname of 256 bytes, at most 255: too long"},
		{"state", bnd(func(u *BndUpd) { u.State = 5 }), "failed to encode BNDUPD: bind state 5: malformed message"},
		{"address outside", bnd(func(u *BndUpd) { u.Addr = netip.MustParseAddr("198.51.100.1") }), "failed to encode BNDUPD: address 198.51.100.1 not in subnet 203.0.113.0/25: malformed message"},
		{"no address", bnd(func(u *BndUpd) { u.Addr = netip.Addr{} }), "failed to encode BNDUPD: address invalid IP not in subnet 203.0.113.0/25: malformed message"},
		{"reason", BndAck{Reason: strings.Repeat("r", 256)}, "failed to encode BNDACK: reason of 256 bytes, at most 255: too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := Append(dst, tc.msg)
			if err == nil || err.Error() != tc.text {
				t.Fatalf("Append error = %v, want %q", err, tc.text)
			}
			if string(got) != "keep" {
				t.Errorf("Append returned %q on error, want the input %q", got, "keep")
			}
		})
	}
}

func scopes(n int) []ScopeInfo {
	s := make([]ScopeInfo, n)
	for i := range s {
		s[i].Subnet = subnet
	}
	return s
}

func bnd(edit func(*BndUpd)) BndUpd {
	u := BndUpd{Subnet: subnet, Addr: addr, State: BindBound}
	edit(&u)
	return u
}

var cmpNetip = cmpopts.EquateComparable(netip.Prefix{}, netip.Addr{})

package wire

import (
	"net/netip"
	"testing"
)

// relayRequest is the request-side work on one message: validate, look for
// an option 82, stamp giaddr and hops, append option 82.
func relayRequest(buf []byte, giaddr netip.Addr, opt []byte) ([]byte, error) {
	if err := Validate(buf); err != nil {
		return nil, err
	}
	p := Packet(buf)
	if _, _, ok := FindOption(buf, OptRelayAgentInfo); ok {
		return buf, nil
	}
	_ = p.MessageType()
	if err := p.SetGIAddr(giaddr); err != nil {
		return nil, err
	}
	if err := p.SetHops(p.Hops() + 1); err != nil {
		return nil, err
	}
	return InsertBeforeEnd(buf, opt, 1472)
}

// relayReply is the reply-side work: validate, gather option 82, strip it.
func relayReply(buf, scratch []byte) error {
	if err := Validate(buf); err != nil {
		return err
	}
	if _, _, err := AppendOptionData(scratch[:0], buf, OptRelayAgentInfo); err != nil {
		return err
	}
	_, err := StripOption(buf, OptRelayAgentInfo)
	return err
}

func replyWith82(t testing.TB) []byte {
	b := goldenDiscover()
	b[OffOp] = byte(OpReply)
	b, err := InsertBeforeEnd(b, circuitEth1, 1500)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	giaddr := netip.MustParseAddr("203.0.113.1")
	req, rep := goldenDiscover(), replyWith82(t)
	buf, scratch := make([]byte, 2048), make([]byte, 0, 255)
	tests := []struct {
		name string
		run  func()
	}{
		{name: "request path", run: func() {
			n := copy(buf, req)
			if _, err := relayRequest(buf[:n], giaddr, circuitEth1); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "reply path", run: func() {
			n := copy(buf, rep)
			if err := relayReply(buf[:n], scratch); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tt.run); got != 0 {
				t.Errorf("%v allocs per run, want 0", got)
			}
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	msg := goldenDiscover()
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFindOption82(b *testing.B) {
	msg := replyWith82(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := FindOption(msg, OptRelayAgentInfo); !ok {
			b.Fatal("option 82 not found")
		}
	}
}

func BenchmarkSetGIAddrHops(b *testing.B) {
	msg := Packet(goldenDiscover())
	giaddr := netip.MustParseAddr("203.0.113.1")
	b.ReportAllocs()
	for b.Loop() {
		if err := msg.SetGIAddr(giaddr); err != nil {
			b.Fatal(err)
		}
		if err := msg.SetHops(msg.Hops() + 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInsertBeforeEnd(b *testing.B) {
	msg, buf := goldenDiscover(), make([]byte, 2048)
	b.ReportAllocs()
	for b.Loop() {
		n := copy(buf, msg)
		if _, err := InsertBeforeEnd(buf[:n], circuitEth1, 1472); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStripOption(b *testing.B) {
	msg, buf := replyWith82(b), make([]byte, 2048)
	b.ReportAllocs()
	for b.Loop() {
		n := copy(buf, msg)
		if _, err := StripOption(buf[:n], OptRelayAgentInfo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRequestPath(b *testing.B) {
	msg, buf := goldenDiscover(), make([]byte, 2048)
	giaddr := netip.MustParseAddr("203.0.113.1")
	b.ReportAllocs()
	for b.Loop() {
		n := copy(buf, msg)
		if _, err := relayRequest(buf[:n], giaddr, circuitEth1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReplyPath(b *testing.B) {
	msg, buf, scratch := replyWith82(b), make([]byte, 2048), make([]byte, 0, 255)
	b.ReportAllocs()
	for b.Loop() {
		n := copy(buf, msg)
		if err := relayReply(buf[:n], scratch); err != nil {
			b.Fatal(err)
		}
	}
}

package relay

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
)

// failingUpstream refuses sends to the addresses in fail and records the
// others.
type failingUpstream struct {
	*fakeUpstream
	fail map[netip.Addr]bool
}

var errRefused = errors.New("refused")

func (u *failingUpstream) WriteMsgUDPAddrPort(b, oob []byte, addr netip.AddrPort) (int, int, error) {
	if u.fail[addr.Addr()] {
		return 0, 0, errRefused
	}
	return u.fakeUpstream.WriteMsgUDPAddrPort(b, oob, addr)
}

// TestRequestOutboxCounts: a relayed request's sends are counted when the
// outbox is sent, per helper, and the request counts as relayed when at
// least one send went out; nothing leaves, and nothing is counted, before
// the flush. Bursts larger than the outbox, and more helpers than it has
// slots, keep every request whole.
func TestRequestOutboxCounts(t *testing.T) {
	second := netip.MustParseAddr("198.51.100.3")
	third := netip.MustParseAddr("198.51.100.4")
	tests := []struct {
		name     string
		fail     []netip.Addr
		requests int
		want     int // outbox capacity wanted: 0 (waiting) or outboxSlots (polling)
		sent     uint64
		errors   uint64
		relayed  uint64
	}{
		{"all sent", nil, 1, 0, 3, 0, 1},
		{"one helper refuses", []netip.Addr{second}, 1, 0, 2, 1, 1},
		{"every helper refuses", []netip.Addr{helperAddr, second, third}, 1, 0, 0, 3, 0},
		{"a burst over several flushes", []netip.Addr{third}, 50, outboxSlots, 100, 50, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, config.Flags{HelperAddresses: []string{second.String(), third.String()}})
			st, rt := testState(t, cfg)
			up := &failingUpstream{fakeUpstream: newFakeUpstream(), fail: map[netip.Addr]bool{}}
			up.sent = make(chan datagramTo, 3*tt.requests)
			for _, a := range tt.fail {
				up.fail[a] = true
			}
			r := New(cfg, nil, discardLog(), Options{Upstream: up})
			r.routes.Store(rt)
			out := &requestOut{}
			out.want = tt.want
			frame := requestFrame(t)
			for range tt.requests {
				testAgent(r, st, nil).handleFrame(append(make([]byte, 0, readBufSize), frame...), iface.FrameInfo{}, out, time.Now())
			}
			if tt.requests == 1 {
				if len(up.sent) != 0 || st.counters.requestsRelayed.Load() != 0 {
					t.Fatalf("before the flush: %d sent, %d relayed; want nothing", len(up.sent), st.counters.requestsRelayed.Load())
				}
			}
			r.flushRequests(out)
			var sent, errs uint64
			for _, a := range []netip.Addr{helperAddr, second, third} {
				hc := r.helperCounter(st, a)
				sent += hc.sent.Load()
				errs += hc.sendErrors.Load()
			}
			s := st.counters.snapshot("eth1")
			if sent != tt.sent || errs != tt.errors || s.RequestsRelayed != tt.relayed || s.Drops["send_failed"] != tt.errors {
				t.Errorf("sent %d, send errors %d, relayed %d, send_failed drops %d; want %d, %d, %d, %d",
					sent, errs, s.RequestsRelayed, s.Drops["send_failed"], tt.sent, tt.errors, tt.relayed, tt.errors)
			}
			if uint64(len(up.sent)) != tt.sent {
				t.Errorf("%d datagrams reached the upstream, want %d", len(up.sent), tt.sent)
			}
			if out.b.Len() != 0 {
				t.Errorf("outbox holds %d after the flush", out.b.Len())
			}
		})
	}
}

// TestRequestOutboxGrows: an interface with more helpers than the outbox
// has slots still sends each request to all of them.
func TestRequestOutboxGrows(t *testing.T) {
	var helpers []string
	for i := range outboxSlots + 8 {
		helpers = append(helpers, netip.AddrFrom4([4]byte{198, 51, 100, byte(10 + i)}).String())
	}
	cfg := testConfig(t, config.Flags{HelperAddresses: helpers})
	st, rt := testState(t, cfg)
	up := newFakeUpstream()
	up.sent = make(chan datagramTo, 4*len(helpers))
	r := New(cfg, nil, discardLog(), Options{Upstream: up})
	r.routes.Store(rt)
	out := &requestOut{}
	out.want = outboxSlots
	for range 2 {
		testAgent(r, st, nil).handleFrame(append(make([]byte, 0, readBufSize), requestFrame(t)...), iface.FrameInfo{}, out, time.Now())
	}
	r.flushRequests(out)
	if got, want := len(up.sent), 2*(len(helpers)+1); got != want {
		t.Errorf("%d datagrams sent, want %d", got, want)
	}
	if got := st.counters.requestsRelayed.Load(); got != 2 {
		t.Errorf("%d requests relayed, want 2", got)
	}
}

// requestFrame is a client's broadcast DISCOVER as a frame.
func requestFrame(t *testing.T) []byte {
	t.Helper()
	f, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, discover(t))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// frameSink is a FrameConn that records what is written and refuses
// frames to one MAC.
type frameSink struct {
	iface.FrameConn
	refuse net.HardwareAddr
	got    [][]byte
}

func (c *frameSink) WriteFrame(f []byte, dst net.HardwareAddr) error {
	if dst.String() == c.refuse.String() {
		return errRefused
	}
	c.got = append(c.got, append([]byte(nil), f...))
	return nil
}

// TestReplyOutboxCounts: queued reply frames are counted as delivered, or
// as deliver_failed drops, when the outbox is sent, and frames for another
// socket first send what is queued.
func TestReplyOutboxCounts(t *testing.T) {
	cfg := testConfig(t, config.Flags{})
	st, _ := testState(t, cfg)
	r := New(cfg, nil, discardLog(), Options{Upstream: newFakeUpstream()})
	good, bad := net.HardwareAddr{2, 0, 0, 0, 0, 1}, net.HardwareAddr{2, 0, 0, 0, 0, 2}
	a, b := &frameSink{refuse: bad}, &frameSink{}
	out := &replyOut{}
	out.want = outboxSlots
	queue := func(c iface.FrameConn, dst net.HardwareAddr) {
		r.roomForReply(out, c, 64)
		f := append(append([]byte(nil), dst...), make([]byte, 58)...)
		if _, ok := out.b.Add(f, nil, netip.AddrPort{}); !ok {
			t.Fatal("outbox refused a frame")
		}
		out.tags[out.b.Len()-1] = replyTag{c: st.counters, name: st.name, to: netip.MustParseAddr("203.0.113.50")}
	}
	queue(a, good)
	queue(a, bad)
	queue(a, good)
	if len(a.got) != 0 || st.counters.repliesOut.Load() != 0 {
		t.Fatal("frames left, or were counted, before the flush")
	}
	queue(b, good) // another socket: a's frames go first
	if len(a.got) != 2 || len(b.got) != 0 {
		t.Fatalf("after a frame for another socket: %d frames on a, %d on b; want 2, 0", len(a.got), len(b.got))
	}
	r.flushReplies(out)
	s := st.counters.snapshot("eth1")
	if len(b.got) != 1 || s.RepliesOut != 3 || s.Drops["deliver_failed"] != 1 {
		t.Errorf("%d frames on b, %d delivered, %d deliver_failed; want 1, 3, 1", len(b.got), s.RepliesOut, s.Drops["deliver_failed"])
	}
}

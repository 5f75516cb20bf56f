package bindings

import (
	"testing"
	"time"
)

// FuzzObserve feeds arbitrary bytes to FromAck and the Observe methods:
// none may panic, and a learned binding always has a unicast IPv4 address.
func FuzzObserve(f *testing.F) {
	f.Add(build(f, msgSpec{op: 2, yiaddr: "203.0.113.50", chaddr: "02:00:00:00:00:99", options: [][]byte{
		msgType(5), leaseTime(3600), opt(61, 1, 2), opt(12, 'h'),
	}}))
	f.Add(build(f, msgSpec{op: 1, chaddr: "02:00:00:00:00:99", options: [][]byte{msgType(4), opt(50, 203, 0, 113, 50)}}))
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, msg []byte) {
		tb := New(4)
		if b, ok := FromAck(msg, "eth1", 0, t0); ok && (!b.Addr.Is4() || b.Addr.IsUnspecified()) {
			t.Fatalf("FromAck returned address %v", b.Addr)
		}
		tb.ObserveReply(msg, "eth1", 0, t0)
		tb.ObserveRequest(msg)
		tb.Sweep(t0.Add(time.Hour))
		_ = tb.List(t0)
	})
}

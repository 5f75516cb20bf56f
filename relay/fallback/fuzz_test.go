package fallback

import (
	"context"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// FuzzHandle feeds arbitrary bytes, parsed as the relay would, to a server
// that already holds leases: Handle must not panic, its reply must be what
// its outcome says and must serialize, and no OFFER or ACK may carry an
// address outside the scope's ranges and reservations.
func FuzzHandle(f *testing.F) {
	ours := ip("203.0.113.1")
	seeds := []*dhcpv4.DHCPv4{
		cl(3).discover(f),
		cl(3).discover(f, withReqIP(ip("203.0.113.20"))),
		cl(1).selecting(f, ours, ip("203.0.113.100")),
		cl(3).selecting(f, ours, ip("203.0.113.20")),
		cl(1).initReboot(f, ip("203.0.113.100")),
		cl(2).initReboot(f, ip("203.0.113.100")),
		cl(1).renewing(f, ip("203.0.113.100")),
		cl(1).rebinding(f, ip("198.51.100.7")),
		cl(1).release(f, ours, ip("203.0.113.100")),
		cl(1).decline(f, ours, ip("203.0.113.100")),
		cl(1).inform(f, ip("203.0.113.20")),
		client{mac: mac(7), id: []byte("\x00reserved")}.discover(f),
		flooder(7).selecting(f, ours, ip("203.0.113.109")),
	}
	for _, m := range seeds {
		f.Add(m.ToBytes(), false)
		f.Add(m.ToBytes(), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, upstreamUp bool) {
		m, err := dhcpv4.FromBytes(b)
		if err != nil {
			return
		}
		e := newEnv(t, testScope())
		e.probe.inUse[ip("203.0.113.102")] = true
		e.dora(t, cl(1))
		e.dora(t, cl(0xa0))
		rep, o := e.s.Handle(context.Background(), m, upstreamUp)
		if o.String() == "unknown" {
			t.Fatalf("outcome %d has no name", o)
		}
		checkReplyMatches(t, rep, o)
		if rep != nil {
			if _, err := dhcpv4.FromBytes(rep.ToBytes()); err != nil {
				t.Fatalf("reply does not parse back: %v", err)
			}
			if a := yiaddr(rep); a.IsValid() && !e.s.scope.inPool(a) {
				t.Fatalf("%v of %v, outside the scope", rep.MessageType(), a)
			}
		}
		if ps := e.s.PoolStats(e.clock.Now()); ps.Offered > e.s.scope.offerCap {
			t.Fatalf("%d offers held, more than the cap of %d", ps.Offered, e.s.scope.offerCap)
		}
		e.s.Owns(m)
		for _, l := range e.s.Leases() {
			if !e.s.scope.inPool(l.Addr) {
				t.Fatalf("lease of %v, outside the scope", l.Addr)
			}
		}
	})
}

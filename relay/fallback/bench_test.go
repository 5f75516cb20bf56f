//go:build linux

package fallback

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// BenchmarkDORA measures full fallback exchanges — DISCOVER → OFFER →
// REQUEST → ACK for a new client each time, parsing the requests and
// serializing the replies — against the bbolt store in a temp dir, with its
// fsync per ACK. Every 200 clients the clock jumps past the lease time, so
// later clients reuse expired addresses. It reports leases/s (wall clock)
// and cpu-µs/lease (user+system CPU of the process, getrusage).
//
//	go test -run '^$' -bench DORA -benchtime 5s ./relay/fallback/
func BenchmarkDORA(b *testing.B) {
	store, err := leasestore.OpenBolt(filepath.Join(b.TempDir(), "leases.db"), time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.10"), ip("203.0.113.250")}}
	sc.Exclusions, sc.Reservations = nil, nil
	clk := newFakeClock()
	s, err := NewServer(sc, store, nil, clk, nil)
	if err != nil {
		b.Fatal(err)
	}
	discover := cl(0).discover(b).ToBytes()
	request := cl(0).selecting(b, ip("203.0.113.1"), ip("203.0.113.10")).ToBytes()
	ctx := context.Background()
	cpu0 := cpuTime(b)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if i%200 == 199 {
			clk.Advance(sc.LeaseTime + time.Second)
		}
		offer := exchange(b, s, ctx, discover, i, OutcomeOffer, nil)
		exchange(b, s, ctx, request, i, OutcomeAck, offer.YourIPAddr)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "leases/s")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/lease")
}

// exchange sends template with chaddr and xid set to client i (and option
// 50 set to reqIP when given) and checks the outcome.
func exchange(b *testing.B, s *Server, ctx context.Context, template []byte, i int, want Outcome, reqIP []byte) *dhcpv4.DHCPv4 {
	pkt := append([]byte(nil), template...)
	binary.BigEndian.PutUint32(pkt[4:8], uint32(i))   // xid
	binary.BigEndian.PutUint32(pkt[30:34], uint32(i)) // chaddr bytes 2..5
	m, err := dhcpv4.FromBytes(pkt)
	if err != nil {
		b.Fatal(err)
	}
	if reqIP != nil {
		m.UpdateOption(dhcpv4.OptRequestedIPAddress(reqIP))
	}
	rep, o := s.Handle(ctx, m, false)
	if o != want {
		b.Fatalf("client %d: outcome %v, want %v", i, o, want)
	}
	_ = rep.ToBytes()
	return rep
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

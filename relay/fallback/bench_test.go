//go:build linux

package fallback

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// BenchmarkDORA measures full fallback exchanges — DISCOVER → OFFER →
// REQUEST → ACK for a new client each time, parsing the requests and
// serializing the replies — against the bbolt store in a temp dir, durable
// before the ACK. Every 160 clients the clock jumps past the lease time, so
// later clients reuse expired addresses. It reports leases/s (wall clock)
// and cpu-µs/lease (user+system CPU of the process, getrusage). group=1
// writes each lease alone (Handle); group=32 stages 32 exchanges and
// commits their leases in one transaction, one fsync, as the relay's
// worker does under load.
//
//	go test -run '^$' -bench DORA -benchtime 5s ./relay/fallback/
func BenchmarkDORA(b *testing.B) {
	for _, group := range []int{1, 32} {
		b.Run(fmt.Sprintf("group=%d", group), func(b *testing.B) { benchDORA(b, group) })
	}
}

// benchDORA runs BenchmarkDORA committing the leases of group REQUESTs in
// one transaction (Stage, then Commit), as the relay's worker does with the
// REQUESTs that queue while a commit runs.
func benchDORA(b *testing.B, group int) {
	store, err := leasestore.OpenBolt(filepath.Join(b.TempDir(), "leases.db"), time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.10"), ip("203.0.113.250")}}
	sc.Exclusions, sc.Reservations = nil, nil
	sc.MaxOffersOutstanding = 64
	clk := newFakeClock()
	s, err := NewServer(sc, store, nil, clk, nil)
	if err != nil {
		b.Fatal(err)
	}
	discover := cl(0).discover(b).ToBytes()
	request := cl(0).selecting(b, ip("203.0.113.1"), ip("203.0.113.10")).ToBytes()
	ctx := context.Background()
	offers := make([]*dhcpv4.DHCPv4, group)
	cpu0 := cpuTime(b)
	b.ResetTimer()
	start := time.Now()
	since := 0 // clients since the clock last jumped
	for i := 0; i < b.N; i += group {
		n := min(group, b.N-i)
		if since+n > 160 { // 160 bound and 32 offered stay clear of the reserve for known clients
			clk.Advance(sc.LeaseTime + time.Second)
			since = 0
		}
		since += n
		for k := range n {
			offers[k] = exchange(b, s, ctx, discover, i+k, OutcomeOffer, nil, false)
		}
		for k := range n {
			exchange(b, s, ctx, request, i+k, OutcomeAck, offers[k].YourIPAddr, true)
		}
		if err := s.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "leases/s")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/lease")
}

// exchange sends template with chaddr and xid set to client i (and option
// 50 set to reqIP when given) and checks the outcome; staged leaves the
// lease write for the caller's Commit.
func exchange(b *testing.B, s *Server, ctx context.Context, template []byte, i int, want Outcome, reqIP []byte, staged bool) *dhcpv4.DHCPv4 {
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
	var rep *dhcpv4.DHCPv4
	var o Outcome
	if staged {
		rep, o = s.Stage(m, false)
	} else {
		rep, o = s.Handle(ctx, m, false)
	}
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

package e2e

import (
	"context"
	"encoding/json"
	"net/netip"
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/test/bench/internal/dora"
	"github.com/iphelper/iphelper/test/bench/internal/responder"
	"github.com/iphelper/iphelper/test/lab"
)

// count is how many DORAs each case runs: enough to see every code path,
// few enough that even a loaded machine serves them all.
const count = 300

// startResponder runs a responder in ns until the test ends.
func startResponder(t *testing.T, ns string, cfg responder.Config) *responder.Responder {
	t.Helper()
	var s *responder.Responder
	err := lab.InNS(ns, func() error {
		var err error
		s, err = responder.New(cfg)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.Run(ctx); err != nil {
			t.Errorf("responder: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		s.Close()
	})
	return s
}

// runLoad runs count DORAs from ifname in ns and returns the result.
func runLoad(t *testing.T, ns, ifname string, broadcast bool) dora.Result {
	t.Helper()
	var g *dora.Generator
	err := lab.InNS(ns, func() error {
		var err error
		g, err = dora.New(dora.Config{
			Interface: ifname, Clients: 64, Rate: 1000, Count: count, Broadcast: broadcast,
			Duration: time.Minute, Timeout: 5 * time.Second, // generous: this checks counting, not speed
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := g.Run(context.Background())
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// The generator (and the responder, when it runs in this process) must
	// not allocate per packet: 300 DORAs are 2,400 packets on the two sides.
	if n := after.Mallocs - before.Mallocs; n > maxRunAllocs {
		t.Errorf("%d allocations during a run of %d DORAs, want at most %d (none per packet)", n, count, maxRunAllocs)
	}
	return res
}

// maxRunAllocs bounds the allocations of a whole run: its goroutines and
// buffers, nothing per packet.
const maxRunAllocs = 200

// counts is the part of a result that must be exact.
type counts struct {
	Scheduled, Attempted, Offers, Completed, Lost, Frames, Odd uint64
}

func countsOf(r dora.Result) counts {
	return counts{
		Scheduled: r.Scheduled, Attempted: r.Attempted, Offers: r.Offers, Completed: r.Completed,
		Lost: r.LostOffer + r.LostAck + r.Skipped + r.Naks, Frames: r.Frames,
		Odd: r.Bad + r.Stray + r.Late + r.Unexpected + r.SendErrors + r.SocketDrops,
	}
}

var wantAll = counts{Scheduled: count, Attempted: count, Offers: count, Completed: count, Frames: 2 * count}

func TestDirect(t *testing.T) {
	lab.Require(t)
	l := lab.New(t)
	cl, srv := l.NS("cl"), l.NS("srv")
	l.Veth(cl, "eth0", srv, "eth0")
	l.Addr(srv, "eth0", "203.0.113.1/24")
	s := startResponder(t, srv, responder.Config{
		Device: "eth0", ServerID: netip.MustParseAddr("203.0.113.1"), Pool: netip.MustParsePrefix("203.0.113.0/24"),
	})
	for _, broadcast := range []bool{false, true} {
		res := runLoad(t, cl, "eth0", broadcast)
		if diff := cmp.Diff(wantAll, countsOf(res)); diff != "" {
			t.Errorf("broadcast=%v: DORAs (-want +got):\n%s", broadcast, diff)
		}
	}
	st := s.Stats()
	if diff := cmp.Diff(responder.Stats{Received: 4 * count, Offers: 2 * count, Acks: 2 * count}, st); diff != "" {
		t.Errorf("responder (-want +got):\n%s", diff)
	}
}

func TestThroughRelay(t *testing.T) {
	lab.Require(t)
	if build.relayErr != nil {
		t.Fatal(build.relayErr)
	}
	if build.binErr != nil {
		t.Fatalf("failed to build iphelper: %v", build.binErr)
	}
	l := lab.New(t)
	tp := l.Standard()
	startResponder(t, tp.Servers[0].NS, responder.Config{ServerID: tp.Servers[0].Addr, Pool: lab.ClientNet})
	l.StartRelay(build.relay, tp.Relay, lab.RelaySpec{
		Downstream: tp.Downstream(), Upstream: []string{tp.Upstream}, Helpers: tp.Helpers(), IphelperBin: build.bin,
	})
	for _, broadcast := range []bool{false, true} {
		res := runLoad(t, tp.Client, tp.Segments[0].ClientIf, broadcast)
		if diff := cmp.Diff(wantAll, countsOf(res)); diff != "" {
			t.Errorf("%s, broadcast=%v: DORAs (-want +got):\n%s", build.relay, broadcast, diff)
		}
	}
}

// TestThroughPollingRelay runs the load through iphelper with its loops
// busy (--poll-above far below the load's rate: full batches, then a
// receive ring): every DORA must still complete, in both flag modes, with
// the same counts as a quiet relay; the log shows both loops busy, the
// packet socket switched to a receive ring, and both loops quiet again
// afterwards, with no packet to wake them.
func TestThroughPollingRelay(t *testing.T) {
	lab.Require(t)
	if build.relayErr != nil {
		t.Fatal(build.relayErr)
	}
	if build.relay != lab.Iphelper {
		t.Skipf("skipping: polling is iphelper's; the lab relay is %s", build.relay)
	}
	if build.binErr != nil {
		t.Fatalf("failed to build iphelper: %v", build.binErr)
	}
	l := lab.New(t)
	tp := l.Standard()
	startResponder(t, tp.Servers[0].NS, responder.Config{ServerID: tp.Servers[0].Addr, Pool: lab.ClientNet})
	relay := l.StartRelay(lab.Iphelper, tp.Relay, lab.RelaySpec{
		Downstream: tp.Downstream(), Upstream: []string{tp.Upstream}, Helpers: tp.Helpers(), IphelperBin: build.bin,
		IphelperArgs: []string{"--poll-above", "100/s"},
	})
	for _, broadcast := range []bool{false, true} {
		res := runLoad(t, tp.Client, tp.Segments[0].ClientIf, broadcast)
		if diff := cmp.Diff(wantAll, countsOf(res)); diff != "" {
			t.Errorf("broadcast=%v: DORAs (-want +got):\n%s", broadcast, diff)
		}
	}
	for _, line := range []string{
		"packet socket busy: batching", "upstream socket busy: batching",
		"packet socket receives into a ring",
		"packet socket quiet again", "upstream socket quiet again",
	} {
		if !relay.Proc.WaitLog(line, 5*time.Second) {
			t.Errorf("the relay's log lacks %q:\n%s", line, relay.Proc.Log())
		}
	}
	// Quiet again, the loop is no longer busy, but the ring stays with the
	// socket: `show interfaces` says both.
	type ifView struct {
		Name        string `json:"name"`
		Polling     bool   `json:"polling"`
		ReceiveRing bool   `json:"receive_ring"`
	}
	var ifs []ifView
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out, err := exec.Command(build.bin, "show", "interfaces", "--json", "--control-socket", relay.ControlSocket).Output()
		if err != nil {
			t.Fatalf("iphelper show interfaces: %v", err)
		}
		ifs = nil
		if err := json.Unmarshal(out, &ifs); err != nil {
			t.Fatalf("show interfaces --json: %v\n%s", err, out)
		}
		if len(ifs) != 1 || !ifs[0].Polling || time.Now().After(deadline) {
			break
		}
	}
	if len(ifs) != 1 || !ifs[0].ReceiveRing || ifs[0].Polling {
		t.Errorf("show interfaces after the load: %+v, want one interface with a receive ring, not polling", ifs)
	}
}

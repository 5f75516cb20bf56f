package integration

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/hostile"
	"github.com/iphelper/iphelper/test/lab"
)

// Bounds of the replay's waits.
const (
	// replayCountTimeout bounds the wait for a frame's drops to be counted.
	replayCountTimeout = 5 * time.Second
	// replaySettle is how long the counters are left to move further once
	// a frame's drops are counted (or, for a frame the kernel drops, at
	// all): a second drop or a relayed copy would show by then.
	replaySettle = 150 * time.Millisecond
)

// replayLab is the lab of the replay: the relay, a client on the untrusted
// segment, one on the trusted segment, the server, and a packet socket on
// each side to inject from.
type replayLab struct {
	s      *scenario
	tp     *lab.Topology
	m      *hostile.Manifest
	relay  *lab.Relay
	trust  string // the trusted segment's client namespace
	inject map[hostile.Side]*lab.RawSocket
	caps   []*lab.Capture // what the relay sends: none of it may carry a replayed frame
}

// Replay scenario: a capture-driven replay of malformed and adversarial frames
// (test/hostile/testdata, written by craft.py) at a running iphelper. Each
// frame is injected from the side its manifest names, and must move exactly
// the drop counters it names (summed over interfaces), the packet sockets'
// read counter by what it names, and nothing relayed or delivered; nothing
// may leave the relay toward a server or a client meanwhile. Afterwards the
// daemon is alive, answers on its control socket, and a real client gets a
// lease through it.
func TestHostileReplay(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "dhclient")
	s.needIphelper("drop counters per reason")
	m, err := hostile.Load(filepath.Join("..", "hostile", "testdata"))
	if err != nil {
		t.Fatalf("%v", err)
	}
	r := newReplayLab(s, m)
	ctl, err := control.Dial(r.relay.ControlSocket)
	if err != nil {
		t.Fatalf("failed to dial the control socket: %v", err)
	}
	defer ctl.Close()

	start := time.Now()
	for _, group := range m.Groups() {
		r.replay(ctl, group)
	}
	t.Logf("replayed %d frames in %d groups in %s", len(m.Frames), len(m.Groups()), time.Since(start).Round(time.Millisecond))
	for _, c := range r.caps {
		if pkts := c.Packets(); len(pkts) > 0 {
			t.Errorf("the relay sent %d packets during the replay:\n%s", len(pkts), c.Summary())
		}
	}
	r.checkAlive()

	seg := r.tp.Segments[0]
	lease := s.l.StartClient(lab.Dhclient, r.tp.Client, seg.ClientIf).WaitLease(leaseTimeout)
	if !seg.Prefix.Contains(lease.Addr) {
		t.Errorf("after the replay the client leased %s, want an address in %s", lease.Addr, seg.Prefix)
	}
	if r.relay.Proc.Exited() {
		t.Errorf("iphelper exited:\n%s", r.relay.Proc.Log())
	}
}

// newReplayLab builds the standard lab plus a trusted segment, gives the
// relay's interfaces the manifest's MACs and MTUs, and starts Kea, the
// relay with the manifest's flags and the captures.
func newReplayLab(s *scenario, m *hostile.Manifest) *replayLab {
	t := s.t
	t.Helper()
	tp := s.l.Standard()
	trusted := m.Segments[hostile.Trusted]
	trust, _ := opsSegment(s.l, tp, "trust", trusted.RelayIf, trusted.RelayAddr.Masked())
	srv := tp.Servers[0]
	r := &replayLab{s: s, tp: tp, m: m, trust: trust}
	r.checkAddressing()
	peers := map[hostile.Side][2]string{
		hostile.Client:   {tp.Client, tp.Segments[0].ClientIf},
		hostile.Trusted:  {trust, tp.Segments[1].ClientIf},
		hostile.Upstream: {srv.NS, srv.If},
	}
	for side, seg := range m.Segments {
		s.l.Exec(tp.Relay, "ip", "link", "set", "dev", seg.RelayIf, "address", seg.RelayMAC, "mtu", strconv.Itoa(seg.MTU))
		s.l.Exec(peers[side][0], "ip", "link", "set", "dev", peers[side][1], "mtu", strconv.Itoa(seg.MTU))
	}
	// A spoofed helper source on a client segment must reach the relay's
	// own check, not the kernel's reverse-path filter (0 is a new
	// namespace's default; this pins it).
	s.l.Exec(tp.Relay, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0")
	s.l.StartKea(srv.NS, srv.Addr, tp.ServerConfig(0))
	r.inject = make(map[hostile.Side]*lab.RawSocket)
	for side, p := range peers {
		r.inject[side] = s.l.RawSocket(p[0], p[1])
	}
	up := m.Segments[hostile.Upstream]
	r.caps = []*lab.Capture{
		s.l.Capture(srv.NS, srv.If, fmt.Sprintf("udp and src host %s", up.RelayAddr.Addr())),
		s.l.Capture(tp.Client, tp.Segments[0].ClientIf, fmt.Sprintf("udp and ether src %s", m.Segments[hostile.Client].RelayMAC)),
		s.l.Capture(trust, tp.Segments[1].ClientIf, fmt.Sprintf("udp and ether src %s", trusted.RelayMAC)),
	}
	r.relay = s.startRelay(tp, m.RelayFlags...)
	return r
}

// checkAddressing fails the test unless the lab has the interface names and
// addresses the frames were crafted for.
func (r *replayLab) checkAddressing() {
	r.s.t.Helper()
	type seg struct {
		If   string
		Addr netip.Prefix
	}
	got := map[hostile.Side]seg{
		hostile.Client:   {r.tp.Segments[0].RelayIf, netip.PrefixFrom(r.tp.Segments[0].Gateway, r.tp.Segments[0].Prefix.Bits())},
		hostile.Trusted:  {r.tp.Segments[1].RelayIf, netip.PrefixFrom(r.tp.Segments[1].Gateway, r.tp.Segments[1].Prefix.Bits())},
		hostile.Upstream: {r.tp.Upstream, netip.PrefixFrom(r.tp.UpstreamAddr, lab.ServerNet.Bits())},
	}
	want := map[hostile.Side]seg{}
	for side, s := range r.m.Segments {
		want[side] = seg{s.RelayIf, s.RelayAddr}
	}
	if diff := cmp.Diff(want, got, lab.CmpNetip()); diff != "" {
		r.s.t.Fatalf("the lab is not addressed as the frames expect (-manifest +lab):\n%s", diff)
	}
	if r.tp.Servers[0].Addr != r.m.Helper {
		r.s.t.Fatalf("the lab's server is %s, the frames' helper %s", r.tp.Servers[0].Addr, r.m.Helper)
	}
}

// replayTally is what the replay reads of the relay's counters: drops by
// reason summed over the interfaces and the global counters, and the
// packet counters summed likewise.
type replayTally struct {
	Drops     map[string]uint64
	Received  uint64
	Relayed   uint64
	Inserted  uint64
	Delivered uint64
	Fallback  uint64
}

// tallyOf sums a statistics answer.
func tallyOf(st control.Statistics) replayTally {
	t := replayTally{Drops: map[string]uint64{}}
	add := func(c control.Counters) {
		for r, n := range c.Drops {
			t.Drops[r] += n
		}
		t.Received += c.RequestsReceived
		t.Relayed += c.RequestsRelayed
		t.Inserted += c.Option82Inserted
		t.Delivered += c.RepliesDelivered
		t.Fallback += c.FallbackReplies
	}
	for _, i := range st.Interfaces {
		add(i.Counters)
	}
	add(st.Global)
	return t
}

// minus is t - before, leaving out reasons that did not move.
func (t replayTally) minus(before replayTally) replayTally {
	d := replayTally{
		Drops:    map[string]uint64{},
		Received: t.Received - before.Received, Relayed: t.Relayed - before.Relayed,
		Inserted: t.Inserted - before.Inserted, Delivered: t.Delivered - before.Delivered,
		Fallback: t.Fallback - before.Fallback,
	}
	for r, n := range t.Drops {
		if n != before.Drops[r] {
			d.Drops[r] = n - before.Drops[r]
		}
	}
	return d
}

// tally reads the relay's counters; a failure fails the test.
func (r *replayLab) tally(ctl *control.Client) replayTally {
	r.s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opsPollTimeout)
	defer cancel()
	st, err := ctl.Statistics(ctx)
	if err != nil {
		r.s.t.Fatalf("failed to read the relay's statistics: %v", err)
	}
	return tallyOf(st)
}

// replay injects one group of frames back to back and checks what the
// relay counted for them.
func (r *replayLab) replay(ctl *control.Client, group []hostile.Frame) {
	t := r.s.t
	t.Helper()
	drops, received := hostile.Expected(group)
	want := replayTally{Drops: drops, Received: received}
	before := r.tally(ctl)
	for _, f := range group {
		r.inject[f.Side].Send(f.Data)
	}
	lab.WaitFor(func() bool {
		d := r.tally(ctl).minus(before)
		for reason, n := range want.Drops {
			if d.Drops[reason] < n {
				return false
			}
		}
		return d.Received >= want.Received
	}, replayCountTimeout)
	time.Sleep(replaySettle)
	if diff := cmp.Diff(want, r.tally(ctl).minus(before)); diff != "" {
		t.Errorf("%s: counters moved (-want +got):\n%s", groupName(group), diff)
	}
}

// groupName names a group in messages: its frames' indexes, names and lies.
func groupName(group []hostile.Frame) string {
	var parts []string
	for _, f := range group {
		parts = append(parts, fmt.Sprintf("frame %d %s on the %s side (%s)", f.Index, f.Name, f.Side, f.Why))
	}
	return strings.Join(parts, "; ")
}

// checkAlive fails the test unless the relay still runs and answers a new
// connection to its control socket with every downstream interface up.
func (r *replayLab) checkAlive() {
	t := r.s.t
	t.Helper()
	if r.relay.Proc.Exited() {
		t.Fatalf("iphelper (pid %d) exited during the replay:\n%s", r.relay.Proc.Pid(), r.relay.Proc.Log())
	}
	ifs, err := newOpsCtl(t, r.s.l, r.relay, r.tp.Relay).pollInterfaces()
	if err != nil {
		t.Fatalf("iphelper (pid %d) does not answer on its control socket after the replay: %v", r.relay.Proc.Pid(), err)
	}
	got := map[string]string{}
	for _, i := range ifs {
		got[i.Name] = i.State
	}
	want := map[string]string{}
	for _, d := range r.tp.Downstream() {
		want[d] = "up"
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("interfaces after the replay (-want +got):\n%s", diff)
	}
}

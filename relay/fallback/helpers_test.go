package fallback

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// Test topology: the client segment 203.0.113.0/24 (RFC 5737), the
// appliance at .1, the fallback pool .100-.109 without .105, reservations
// .50 (by MAC) and .51 (by client-id), an upstream DNS in 198.51.100.0/24.

const testIface = "eth1"

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func mac(last byte) net.HardwareAddr { return net.HardwareAddr{0x02, 0, 0x5e, 0x10, 0, last} }

func testScope() Scope {
	return Scope{
		Interface:  testIface,
		Subnet:     netip.MustParsePrefix("203.0.113.0/24"),
		ServerID:   ip("203.0.113.1"),
		Ranges:     []Range{{ip("203.0.113.100"), ip("203.0.113.109")}},
		Exclusions: []Range{{ip("203.0.113.105"), ip("203.0.113.105")}},
		Reservations: []Reservation{
			{MAC: mac(0xa0), Addr: ip("203.0.113.50")},
			{ClientID: []byte("\x00reserved"), Addr: ip("203.0.113.51")},
		},
		DNS:               []netip.Addr{ip("198.51.100.53"), ip("198.51.100.54")},
		Domain:            "example.test",
		LeaseTime:         10 * time.Minute,
		Enabled:           true,
		OfferHold:         30 * time.Second,
		DeclineQuarantine: 10 * time.Minute,
	}
}

// fakeClock is a Clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

var _ Clock = (*fakeClock)(nil)

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeProber answers for the addresses in inUse, fails with err, and
// records what it was asked, address by address and round by round.
type fakeProber struct {
	mu     sync.Mutex
	inUse  map[netip.Addr]bool
	err    error
	asked  []netip.Addr
	rounds [][]netip.Addr
	block  bool // wait for the context to end
}

var _ Prober = (*fakeProber)(nil)

func (p *fakeProber) InUse(ctx context.Context, addrs []netip.Addr) ([]bool, error) {
	p.mu.Lock()
	p.asked = append(p.asked, addrs...)
	p.rounds = append(p.rounds, slices.Clone(addrs))
	out := make([]bool, len(addrs))
	for i, a := range addrs {
		out[i] = p.inUse[a]
	}
	err, block := p.err, p.block
	p.mu.Unlock()
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Rounds returns the addresses of each InUse call.
func (p *fakeProber) Rounds() [][]netip.Addr {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.rounds)
}

func (p *fakeProber) Asked() []netip.Addr {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]netip.Addr(nil), p.asked...)
}

// failStore is a MemStore whose writes fail while fail is set.
type failStore struct {
	*leasestore.MemStore
	mu      sync.Mutex
	fail    bool
	batches []int // the length of every Apply's batch
}

var _ leasestore.Store = (*failStore)(nil)

func (f *failStore) setFail(v bool) { f.mu.Lock(); f.fail = v; f.mu.Unlock() }

func (f *failStore) Put(l leasestore.Lease) error {
	return f.Apply([]leasestore.Write{leasestore.PutWrite(l)})
}

func (f *failStore) Delete(iface string, addr netip.Addr) error {
	return f.Apply([]leasestore.Write{leasestore.DeleteWrite(iface, addr)})
}

// applies counts the store transactions and their sizes.
func (f *failStore) applies() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches)
}

func (f *failStore) Apply(ws []leasestore.Write) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, len(ws))
	if f.fail {
		return errors.New("disk on fire")
	}
	return f.MemStore.Apply(ws)
}

// env is a server under test with its fakes.
type env struct {
	s     *Server
	clock *fakeClock
	store *leasestore.MemStore
	probe *fakeProber
}

func newEnv(t testing.TB, sc Scope) *env {
	t.Helper()
	e := &env{clock: newFakeClock(), store: leasestore.NewMemStore(), probe: &fakeProber{inUse: map[netip.Addr]bool{}}}
	s, err := NewServer(sc, e.store, e.probe, e.clock, nil)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	e.s = s
	return e
}

// restart makes a new server on the same store and clock.
func (e *env) restart(t testing.TB, sc Scope) {
	t.Helper()
	s, err := NewServer(sc, e.store, e.probe, e.clock, nil)
	if err != nil {
		t.Fatalf("NewServer after restart: %v", err)
	}
	e.s = s
}

// client is a test DHCP client: chaddr and an optional option 61.
type client struct {
	mac net.HardwareAddr
	id  []byte
}

func cl(last byte) client { return client{mac: mac(last)} }

// msg builds a BOOTREQUEST of type typ from c, through its wire form as the
// relay would hand it over.
func (c client) msg(t testing.TB, typ dhcpv4.MessageType, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	t.Helper()
	base := []dhcpv4.Modifier{
		dhcpv4.WithMessageType(typ),
		dhcpv4.WithHwAddr(c.mac),
		dhcpv4.WithTransactionID(dhcpv4.TransactionID{0xde, 0xad, 0xbe, c.mac[5]}),
		dhcpv4.WithRequestedOptions(dhcpv4.OptionSubnetMask, dhcpv4.OptionRouter, dhcpv4.OptionDomainNameServer),
	}
	if c.id != nil {
		base = append(base, dhcpv4.WithOption(dhcpv4.OptClientIdentifier(c.id)))
	}
	m, err := dhcpv4.New(append(base, mods...)...)
	if err != nil {
		t.Fatalf("dhcpv4.New: %v", err)
	}
	m, err = dhcpv4.FromBytes(m.ToBytes())
	if err != nil {
		t.Fatalf("FromBytes: %v", err)
	}
	return m
}

func withReqIP(a netip.Addr) dhcpv4.Modifier {
	return dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(ip4(a)))
}

func withSID(a netip.Addr) dhcpv4.Modifier {
	return dhcpv4.WithOption(dhcpv4.OptServerIdentifier(ip4(a)))
}

func withCIAddr(a netip.Addr) dhcpv4.Modifier { return dhcpv4.WithClientIP(ip4(a)) }

func (c client) discover(t testing.TB, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	return c.msg(t, dhcpv4.MessageTypeDiscover, mods...)
}

func (c client) selecting(t testing.TB, sid, a netip.Addr) *dhcpv4.DHCPv4 {
	return c.msg(t, dhcpv4.MessageTypeRequest, withSID(sid), withReqIP(a))
}

func (c client) initReboot(t testing.TB, a netip.Addr) *dhcpv4.DHCPv4 {
	return c.msg(t, dhcpv4.MessageTypeRequest, withReqIP(a))
}

func (c client) renewing(t testing.TB, a netip.Addr) *dhcpv4.DHCPv4 {
	return c.msg(t, dhcpv4.MessageTypeRequest, withCIAddr(a))
}

func (c client) rebinding(t testing.TB, a netip.Addr) *dhcpv4.DHCPv4 {
	return c.msg(t, dhcpv4.MessageTypeRequest, withCIAddr(a), dhcpv4.WithBroadcast(true))
}

func (c client) release(t testing.TB, sid, a netip.Addr) *dhcpv4.DHCPv4 {
	return c.msg(t, dhcpv4.MessageTypeRelease, withSID(sid), withCIAddr(a))
}

func (c client) decline(t testing.TB, sid, a netip.Addr) *dhcpv4.DHCPv4 {
	return c.msg(t, dhcpv4.MessageTypeDecline, withSID(sid), withReqIP(a))
}

func (c client) inform(t testing.TB, a netip.Addr) *dhcpv4.DHCPv4 {
	return c.msg(t, dhcpv4.MessageTypeInform, withCIAddr(a))
}

// handle runs Handle with upstream down and a background context.
func (e *env) handle(m *dhcpv4.DHCPv4) (*dhcpv4.DHCPv4, Outcome) {
	return e.s.Handle(context.Background(), m, false)
}

// offer runs a DISCOVER and returns the offered address (or the zero Addr)
// and the outcome.
func (e *env) offer(t testing.TB, c client, mods ...dhcpv4.Modifier) (netip.Addr, Outcome) {
	t.Helper()
	rep, o := e.handle(c.discover(t, mods...))
	if rep == nil {
		return netip.Addr{}, o
	}
	return yiaddr(rep), o
}

// dora runs DISCOVER, REQUEST and returns the bound address; it fails the
// test unless both are answered.
func (e *env) dora(t testing.TB, c client, mods ...dhcpv4.Modifier) netip.Addr {
	t.Helper()
	a, o := e.offer(t, c, mods...)
	if o != OutcomeOffer {
		t.Fatalf("DISCOVER from %v: outcome %v, want offer", c.mac, o)
	}
	rep, o := e.handle(c.selecting(t, ip("203.0.113.1"), a))
	if o != OutcomeAck || rep == nil {
		t.Fatalf("REQUEST from %v for %v: outcome %v, want ack", c.mac, a, o)
	}
	return yiaddr(rep)
}

func yiaddr(m *dhcpv4.DHCPv4) netip.Addr { return ipv4(m.YourIPAddr) }

// bound returns the bound leases as address → MAC, for compact diffs.
func (e *env) bound() map[netip.Addr]string {
	out := map[netip.Addr]string{}
	for _, l := range e.s.Leases() {
		if l.State == leasestore.StateBound {
			out[l.Addr] = l.MAC.String()
		}
	}
	return out
}

// addrCmp makes netip values comparable in cmp.Diff.
var addrCmp = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

func diff(want, got any) string { return cmp.Diff(want, got, addrCmp) }

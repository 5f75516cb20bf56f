package fallback

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestCompileDefaults(t *testing.T) {
	sc := testScope()
	sc.Subnet = netip.MustParsePrefix("203.0.113.77/24") // host bits are ignored
	sc.LeaseTime, sc.OfferHold, sc.DeclineQuarantine, sc.Router = 0, 0, 0, nil
	c, err := compile(sc)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	type defaults struct {
		Subnet                                          netip.Prefix
		LeaseTime, T1, T2, OfferHold, DeclineQuarantine time.Duration
		Router                                          []netip.Addr
		Mask                                            []byte
		PoolSize, DynSize                               int
	}
	want := defaults{
		Subnet:    netip.MustParsePrefix("203.0.113.0/24"),
		LeaseTime: DefaultLeaseTime, T1: 5 * time.Minute, T2: 8*time.Minute + 45*time.Second,
		OfferHold: DefaultOfferHold, DeclineQuarantine: DefaultDeclineQuarantine,
		Router:   []netip.Addr{ip("203.0.113.1")},
		Mask:     []byte{255, 255, 255, 0},
		PoolSize: 9, DynSize: 9,
	}
	got := defaults{c.Subnet, c.LeaseTime, c.T1, c.T2, c.OfferHold, c.DeclineQuarantine, c.Router, c.mask, c.pool.size, c.dynSize}
	if d := diff(want, got); d != "" {
		t.Errorf("compiled scope (-want +got):\n%s", d)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Scope)
		want string
	}{
		{"no interface", func(s *Scope) { s.Interface = "" }, `invalid fallback scope on "": interface: empty name`},
		{"no subnet", func(s *Scope) { s.Subnet = netip.Prefix{} }, `invalid fallback scope on "eth1": subnet: invalid Prefix is not an IPv4 prefix`},
		{"ipv6 subnet", func(s *Scope) { s.Subnet = netip.MustParsePrefix("2001:db8::/64") }, `invalid fallback scope on "eth1": subnet: 2001:db8::/64 is not an IPv4 prefix`},
		{"/31", func(s *Scope) { s.Subnet = netip.MustParsePrefix("203.0.113.0/31") }, `invalid fallback scope on "eth1": subnet: 203.0.113.0/31 is narrower than /30`},
		{"server-id outside", func(s *Scope) { s.ServerID = ip("198.51.100.1") }, `invalid fallback scope on "eth1": server-id: 198.51.100.1 is outside subnet 203.0.113.0/24`},
		{"server-id broadcast", func(s *Scope) { s.ServerID = ip("203.0.113.255") }, `invalid fallback scope on "eth1": server-id: 203.0.113.255 is the network or broadcast address of 203.0.113.0/24`},
		{"range reversed", func(s *Scope) { s.Ranges = []Range{{ip("203.0.113.200"), ip("203.0.113.100")}} }, `invalid fallback scope on "eth1": ranges[0]: start 203.0.113.200 is after end 203.0.113.100`},
		{"range outside", func(s *Scope) { s.Ranges = []Range{{ip("203.0.113.100"), ip("198.51.100.1")}} }, `invalid fallback scope on "eth1": ranges[0]: end: 198.51.100.1 is outside subnet 203.0.113.0/24`},
		{"range holds network", func(s *Scope) { s.Ranges = []Range{{ip("203.0.113.0"), ip("203.0.113.9")}} }, `invalid fallback scope on "eth1": ranges[0]: start: 203.0.113.0 is the network or broadcast address of 203.0.113.0/24`},
		{"ranges overlap", func(s *Scope) {
			s.Ranges = append(s.Ranges, Range{ip("203.0.113.109"), ip("203.0.113.120")})
		}, `invalid fallback scope on "eth1": ranges[1]: 203.0.113.109-203.0.113.120 overlaps ranges[0] 203.0.113.100-203.0.113.109`},
		{"exclusion invalid", func(s *Scope) { s.Exclusions = []Range{{}} }, `invalid fallback scope on "eth1": exclusions[0]: start: invalid IP is not an IPv4 address`},
		{"reservation without client", func(s *Scope) { s.Reservations = []Reservation{{Addr: ip("203.0.113.60")}} }, `invalid fallback scope on "eth1": reservations[0]: neither mac nor client-id is set`},
		{"reservation is server-id", func(s *Scope) { s.Reservations = []Reservation{{MAC: mac(1), Addr: ip("203.0.113.1")}} }, `invalid fallback scope on "eth1": reservations[0]: 203.0.113.1 is the server-id`},
		{"reservation address twice", func(s *Scope) {
			s.Reservations = []Reservation{{MAC: mac(1), Addr: ip("203.0.113.60")}, {MAC: mac(2), Addr: ip("203.0.113.60")}}
		}, `invalid fallback scope on "eth1": reservations[1]: address 203.0.113.60 is also reservations[0]`},
		{"reservation client twice", func(s *Scope) {
			s.Reservations = []Reservation{{MAC: mac(1), Addr: ip("203.0.113.60")}, {MAC: mac(1), Addr: ip("203.0.113.61")}}
		}, `invalid fallback scope on "eth1": reservations[1]: the same client is also reservations[0]`},
		{"router ipv6", func(s *Scope) { s.Router = []netip.Addr{ip("2001:db8::1")} }, `invalid fallback scope on "eth1": router[0]: 2001:db8::1 is not an IPv4 address`},
		{"dns invalid", func(s *Scope) { s.DNS = []netip.Addr{{}} }, `invalid fallback scope on "eth1": dns[0]: invalid IP is not an IPv4 address`},
		{"lease too short", func(s *Scope) { s.LeaseTime = time.Millisecond }, `invalid fallback scope on "eth1": lease-time: 1ms is not between 1s and 1193046h28m14s`},
		{"t1 after t2", func(s *Scope) { s.T1, s.T2 = 9*time.Minute, 8*time.Minute }, `invalid fallback scope on "eth1": t1, t2: want 0 < t1 (9m0s) < t2 (8m0s) < lease-time (10m0s)`},
		{"t2 at lease", func(s *Scope) { s.T2 = 10 * time.Minute }, `invalid fallback scope on "eth1": t1, t2: want 0 < t1 (5m0s) < t2 (10m0s) < lease-time (10m0s)`},
		{"negative hold", func(s *Scope) { s.OfferHold = -time.Second }, `invalid fallback scope on "eth1": offer-hold, decline-quarantine: negative duration`},
		{"bad failback", func(s *Scope) { s.Failback = 7 }, `invalid fallback scope on "eth1": failback: unknown value 7`},
		{"all excluded", func(s *Scope) {
			s.Exclusions = []Range{{ip("203.0.113.90"), ip("203.0.113.120")}}
			s.Reservations = nil
		}, `invalid fallback scope on "eth1": no address to give: the ranges are empty or all excluded, and there are no reservations`},
		{"too big", func(s *Scope) {
			s.Subnet = netip.MustParsePrefix("203.0.0.0/8")
			s.ServerID, s.Reservations = ip("203.0.0.1"), nil
			s.Ranges = []Range{{ip("203.0.0.2"), ip("203.2.0.0")}}
		}, `invalid fallback scope on "eth1": 131070 addresses, more than the 65536 allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testScope()
			tt.edit(&sc)
			_, err := NewServer(sc, nil, nil, nil, nil)
			if err == nil {
				t.Fatal("NewServer succeeded, want an error")
			}
			if !errors.Is(err, ErrInvalidScope) {
				t.Errorf("error %v does not wrap ErrInvalidScope", err)
			}
			if d := diff(tt.want, err.Error()); d != "" {
				t.Errorf("error text (-want +got):\n%s", d)
			}
		})
	}
}

func TestPoolNeverHoldsServerOrRouter(t *testing.T) {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.1"), ip("203.0.113.4")}}
	sc.Router = []netip.Addr{ip("203.0.113.3"), ip("198.51.100.1")}
	c, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	var got []netip.Addr
	for i := range c.pool.size {
		got = append(got, c.pool.at(i))
	}
	if d := diff([]netip.Addr{ip("203.0.113.2"), ip("203.0.113.4")}, got); d != "" {
		t.Errorf("pool (-want +got):\n%s", d)
	}
}

func TestNewServerNeedsStore(t *testing.T) {
	_, err := NewServer(testScope(), nil, nil, nil, nil)
	want := `failed to start the fallback server on "eth1": no lease store`
	if err == nil || err.Error() != want {
		t.Errorf("NewServer without store: error %v, want %q", err, want)
	}
}

func TestPool(t *testing.T) {
	p := newPool(
		[]Range{{ip("203.0.113.10"), ip("203.0.113.20")}, {ip("203.0.113.2"), ip("203.0.113.4")}},
		[]Range{{ip("203.0.113.12"), ip("203.0.113.18")}, {ip("203.0.113.3"), ip("203.0.113.3")}, {ip("203.0.113.20"), ip("203.0.113.30")}},
	)
	var got []netip.Addr
	for i := range p.size {
		got = append(got, p.at(i))
	}
	want := []netip.Addr{ip("203.0.113.2"), ip("203.0.113.4"), ip("203.0.113.10"), ip("203.0.113.11"), ip("203.0.113.19")}
	if d := diff(want, got); d != "" {
		t.Errorf("pool addresses (-want +got):\n%s", d)
	}
	for _, a := range []string{"203.0.113.1", "203.0.113.3", "203.0.113.12", "203.0.113.20", "203.0.113.5"} {
		if p.contains(ip(a)) {
			t.Errorf("contains(%s) = true, want false", a)
		}
	}
	for _, a := range want {
		if !p.contains(a) {
			t.Errorf("contains(%v) = false, want true", a)
		}
	}
	if a := p.at(p.size); a.IsValid() {
		t.Errorf("at(size) = %v, want the zero Addr", a)
	}
	if a := p.at(-1); a.IsValid() {
		t.Errorf("at(-1) = %v, want the zero Addr", a)
	}
}

package fallback

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// localScope is a pool of .100-.104 of which the appliance uses .101 and
// .103 besides its server-id (a VRRP address, a second address of the
// subnet), and the reservation .50 too; 198.51.100.9 is off the subnet.
func localScope() Scope {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.100"), ip("203.0.113.104")}}
	sc.Exclusions = nil
	sc.Local = []netip.Addr{ip("203.0.113.101"), ip("203.0.113.103"), ip("203.0.113.50"), ip("198.51.100.9")}
	return sc
}

// TestLocalAddressesNeverOffered: the appliance's own addresses are not
// offered to anyone (a conflict probe cannot see them), not even to a
// client that asks for one or has it reserved.
func TestLocalAddressesNeverOffered(t *testing.T) {
	e := newEnv(t, localScope())
	var offered []netip.Addr
	for i := range byte(6) {
		a, o := e.offer(t, cl(i+1), withReqIP(ip("203.0.113.101")))
		if o == OutcomePoolExhausted {
			break
		}
		if o != OutcomeOffer {
			t.Fatalf("DISCOVER %d: %v", i, o)
		}
		offered = append(offered, a)
	}
	slices.SortFunc(offered, netip.Addr.Compare)
	if d := diff([]netip.Addr{ip("203.0.113.100"), ip("203.0.113.102"), ip("203.0.113.104")}, offered); d != "" {
		t.Errorf("offered (-want +got):\n%s", d)
	}
	if d := diff([]netip.Addr{ip("203.0.113.100"), ip("203.0.113.102"), ip("203.0.113.104")}, e.probe.Asked()); d != "" {
		t.Errorf("probed (-want +got):\n%s", d)
	}
	if a, o := e.offer(t, cl(0xa0)); o != OutcomeReservationBusy {
		t.Errorf("DISCOVER of the client reserved .50: %v %v, want reservation_busy", a, o)
	}
}

// TestLocalAddressRequestsNaked: a REQUEST, in any state, for an address
// of the scope that the appliance uses is NAKed, and nothing is stored.
func TestLocalAddressRequestsNaked(t *testing.T) {
	for _, st := range reqStates() {
		for _, addr := range []string{"203.0.113.101", "203.0.113.50", "203.0.113.1"} {
			t.Run(st.name+"/"+addr, func(t *testing.T) {
				sc := localScope()
				sc.Ranges[0].Start = ip("203.0.113.1") // the range covers the server-id too
				e := newEnv(t, sc)
				c := cl(1)
				if addr == "203.0.113.50" {
					c = cl(0xa0)
				}
				rep, o := e.handle(st.build(t, c, ip(addr)))
				if d := diff(OutcomeNakLocalAddress, o); d != "" {
					t.Errorf("outcome (-want +got):\n%s", d)
				}
				checkReplyMatches(t, rep, o)
				if rep != nil {
					if msg := rep.Message(); !strings.Contains(msg, "in use by the server") {
						t.Errorf("NAK message %q, want it to say the server uses the address", msg)
					}
				}
				if _, ok := e.store.Snapshot(testIface, ip(addr)); ok {
					t.Errorf("a record of %v was stored", addr)
				}
			})
		}
	}
}

// TestLocalAddressOutsideRangesIsNotOurs: an address the appliance uses
// that our ranges do not cover is judged like any address outside the
// pool (the upstream's to judge), so the local set never widens what the
// fallback claims.
func TestLocalAddressOutsideRangesIsNotOurs(t *testing.T) {
	sc := localScope()
	sc.Local = append(sc.Local, ip("203.0.113.20"))
	e := newEnv(t, sc)
	if _, o := e.handle(cl(1).renewing(t, ip("203.0.113.20"))); o != OutcomeSilentNotOurs {
		t.Errorf("renewal of a local address outside the ranges: %v, want silent_not_ours", o)
	}
	if e.s.Owns(cl(1).renewing(t, ip("203.0.113.20"))) {
		t.Error("Owns claims a local address outside the ranges")
	}
}

// TestAddressBecomesLocal: an address leased from the pool that the
// appliance then takes (a VRRP address moving in) is NAKed at the
// client's next renewal, whatever the failback policy, and the request is
// claimed so that it is not relayed; the client's next DISCOVER gets
// another address. When the appliance gives the address up, it is in the
// pool again.
func TestAddressBecomesLocal(t *testing.T) {
	sc := testScope()
	sc.Failback = FailbackKeep
	e := newEnv(t, sc)
	a := e.dora(t, cl(1)) // .100
	e.dora(t, cl(2))      // .101
	sc.Local = []netip.Addr{a}
	if err := e.s.UpdateScope(sc); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.bound()[a]; ok {
		t.Errorf("%v still bound after the appliance took it", a)
	}
	renew := cl(1).renewing(t, a)
	if !e.s.Owns(renew) {
		t.Error("Owns does not claim the renewal of an address the appliance now uses")
	}
	if _, o := e.handle(renew); o != OutcomeNakLocalAddress {
		t.Errorf("renewal: %v, want nak_local_address", o)
	}
	if got, o := e.offer(t, cl(1)); got == a || o != OutcomeOffer {
		t.Errorf("DISCOVER after the NAK: %v %v, want an offer of another address", got, o)
	}

	sc.Local = nil
	if err := e.s.UpdateScope(sc); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute) // cl(1)'s new offer ends
	var got []netip.Addr
	for i := range byte(8) {
		if b, o := e.offer(t, cl(10+i)); o == OutcomeOffer {
			got = append(got, b)
		}
	}
	if !slices.Contains(got, a) {
		t.Errorf("offers after the appliance gave %v up: %v, want it among them", a, got)
	}
}

// TestRestartWithLocalAddress: a stored lease on an address the appliance
// uses at start is not loaded; its client's renewal is NAKed.
func TestRestartWithLocalAddress(t *testing.T) {
	e := newEnv(t, testScope())
	a := e.dora(t, cl(1))
	sc := testScope()
	sc.Local = []netip.Addr{a}
	e.restart(t, sc)
	if _, ok := e.bound()[a]; ok {
		t.Errorf("%v loaded as bound though the appliance uses it", a)
	}
	if _, o := e.handle(cl(1).initReboot(t, a)); o != OutcomeNakLocalAddress {
		t.Errorf("INIT-REBOOT after the restart: %v, want nak_local_address", o)
	}
}

// TestLocalMustBeIPv4: a local address that is not IPv4 is refused, with
// the field named.
func TestLocalMustBeIPv4(t *testing.T) {
	sc := testScope()
	sc.Local = []netip.Addr{ip("2001:db8::1")}
	_, err := NewServer(sc, leasestore.NewMemStore(), nil, nil, nil)
	want := `invalid fallback scope on "eth1": local[0]: 2001:db8::1 is not an IPv4 address`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestLocalAddressesTakeTheWholePool: when the appliance's addresses take
// every address of the pool at run time, the new scope still applies (a
// failed update would keep the old pool, which offers them): nothing is
// offered, and the client that held one is NAKed.
func TestLocalAddressesTakeTheWholePool(t *testing.T) {
	sc := testScope()
	sc.Ranges = []Range{{ip("203.0.113.100"), ip("203.0.113.100")}}
	sc.Exclusions, sc.Reservations = nil, nil
	e := newEnv(t, sc)
	a := e.dora(t, cl(1))
	sc.Local = []netip.Addr{a}
	if err := e.s.UpdateScope(sc); err != nil {
		t.Fatalf("UpdateScope: %v", err)
	}
	if got, o := e.offer(t, cl(2)); o != OutcomePoolExhausted {
		t.Errorf("DISCOVER: %v %v, want pool_exhausted", got, o)
	}
	if _, o := e.handle(cl(1).renewing(t, a)); o != OutcomeNakLocalAddress {
		t.Errorf("renewal: %v, want nak_local_address", o)
	}
}

package fallback

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// compiled is a validated Scope with its defaults filled in, and the
// indexes the server looks addresses and clients up in. It is immutable once
// built: UpdateScope swaps in a new one.
type compiled struct {
	Scope
	pool       pool                  // ranges minus exclusions, the local addresses and the routers
	local      map[netip.Addr]bool   // ServerID and Local: the appliance's own addresses
	dynSize    int                   // addresses of pool that are not reserved
	resByAddr  map[netip.Addr]int    // reservation address → index in Reservations
	resByMAC   map[string]netip.Addr // string(MAC) → reserved address
	resByID    map[string]netip.Addr // string(ClientID) → reserved address
	mask       []byte                // option 1
	offerCap   int                   // MaxOffersOutstanding resolved; math.MaxInt for none
	reserve    int                   // addresses of the dynamic pool kept for known clients
	reservePct int                   // the reserve's percentage, for a failover pair's share
}

// CheckScope validates scope as NewServer and Server.UpdateScope do,
// without a server: a scope it accepts, they accept. Every error wraps
// ErrInvalidScope.
func CheckScope(scope Scope) error {
	_, err := compile(scope)
	return err
}

// compile validates sc and returns its compiled form. Every error wraps
// ErrInvalidScope and names the field.
func compile(sc Scope) (*compiled, error) {
	c := &compiled{Scope: cloneScope(sc)}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%w on %q: %w", ErrInvalidScope, sc.Interface, err)
	}
	c.pool = newPool(c.Ranges, c.implicitExclusions(true))
	c.index()
	c.dynSize = c.pool.size
	for _, r := range c.Reservations {
		if c.pool.contains(r.Addr) {
			c.dynSize--
		}
	}
	c.resolveGuards()
	if n := c.pool.size + len(c.Reservations); n > MaxPoolSize {
		return nil, fmt.Errorf("%w on %q: %d addresses, more than the %d allowed", ErrInvalidScope, sc.Interface, n, MaxPoolSize)
	}
	if c.pool.size == 0 && len(c.Reservations) == 0 && newPool(c.Ranges, c.implicitExclusions(false)).size == 0 {
		// The appliance's own secondary addresses come and go at run
		// time: when they take the last addresses, the scope stays, with
		// nothing to offer, rather than keep its old pool.
		return nil, fmt.Errorf("%w on %q: no address to give: the ranges are empty or all excluded, and there are no reservations", ErrInvalidScope, sc.Interface)
	}
	return c, nil
}

// implicitExclusions returns the configured exclusions plus the addresses
// of the link's own infrastructure, the server-id, the routers and, with
// local, the other local addresses, which are never offered even when a
// range covers them: the interface's addresses may change at run time, and
// a range that swallows one must not disable the scope.
func (c *compiled) implicitExclusions(local bool) []Range {
	ex := slices.Clone(c.Exclusions)
	for _, a := range append([]netip.Addr{c.ServerID}, c.Router...) {
		ex = append(ex, Range{a, a})
	}
	if local {
		for _, a := range c.Local {
			ex = append(ex, Range{a, a})
		}
	}
	return ex
}

// cloneScope copies sc's slices, normalizes the subnet and fills defaults.
func cloneScope(sc Scope) Scope {
	sc.Subnet = sc.Subnet.Masked()
	sc.Ranges = slices.Clone(sc.Ranges)
	sc.Exclusions = slices.Clone(sc.Exclusions)
	sc.Router = slices.Clone(sc.Router)
	sc.Local = slices.Clone(sc.Local)
	sc.DNS = slices.Clone(sc.DNS)
	sc.Options = slices.Clone(sc.Options)
	res := make([]Reservation, len(sc.Reservations))
	for i, r := range sc.Reservations {
		res[i] = Reservation{MAC: slices.Clone(r.MAC), ClientID: slices.Clone(r.ClientID), Addr: r.Addr}
	}
	sc.Reservations = res
	sc.LeaseTime = orDefault(sc.LeaseTime, DefaultLeaseTime)
	sc.OfferHold = orDefault(sc.OfferHold, DefaultOfferHold)
	sc.DeclineQuarantine = orDefault(sc.DeclineQuarantine, DefaultDeclineQuarantine)
	// RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease.
	sc.T1 = orDefault(sc.T1, sc.LeaseTime/2)
	sc.T2 = orDefault(sc.T2, sc.LeaseTime*7/8)
	if len(sc.Router) == 0 && sc.ServerID.IsValid() {
		sc.Router = []netip.Addr{sc.ServerID}
	}
	return sc
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// check validates the fields of c.Scope, in the order they are declared.
func (c *compiled) check() error {
	if c.Interface == "" {
		return fmt.Errorf("interface: empty name")
	}
	if !c.Subnet.IsValid() || !c.Subnet.Addr().Is4() {
		return fmt.Errorf("subnet: %v is not an IPv4 prefix", c.Subnet)
	}
	if c.Subnet.Bits() > 30 {
		return fmt.Errorf("subnet: %v is narrower than /30", c.Subnet)
	}
	if err := c.checkHost("server-id", c.ServerID); err != nil {
		return err
	}
	for i, a := range c.Local {
		if !a.Is4() {
			return fmt.Errorf("local[%d]: %v is not an IPv4 address", i, a)
		}
	}
	if err := c.checkRanges(); err != nil {
		return err
	}
	if err := c.checkReservations(); err != nil {
		return err
	}
	return c.checkOptions()
}

// checkHost checks that a is a usable host address of the subnet.
func (c *compiled) checkHost(field string, a netip.Addr) error {
	if !a.Is4() {
		return fmt.Errorf("%s: %v is not an IPv4 address", field, a)
	}
	if !c.Subnet.Contains(a) {
		return fmt.Errorf("%s: %v is outside subnet %v", field, a, c.Subnet)
	}
	if a == c.Subnet.Addr() || a == lastAddr(c.Subnet) {
		return fmt.Errorf("%s: %v is the network or broadcast address of %v", field, a, c.Subnet)
	}
	return nil
}

// lastAddr returns the broadcast address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	return addrOf(u32(p.Addr()) | (1<<(32-p.Bits()) - 1))
}

func (c *compiled) checkRanges() error {
	for i, r := range c.Ranges {
		if err := c.checkRange(fmt.Sprintf("ranges[%d]", i), r); err != nil {
			return err
		}
		for j, o := range c.Ranges[:i] {
			if r.Start.Compare(o.End) <= 0 && o.Start.Compare(r.End) <= 0 {
				return fmt.Errorf("ranges[%d]: %v-%v overlaps ranges[%d] %v-%v", i, r.Start, r.End, j, o.Start, o.End)
			}
		}
	}
	for i, r := range c.Exclusions {
		if err := c.checkRange(fmt.Sprintf("exclusions[%d]", i), r); err != nil {
			return err
		}
	}
	return nil
}

func (c *compiled) checkRange(field string, r Range) error {
	if err := c.checkHost(field+": start", r.Start); err != nil {
		return err
	}
	if err := c.checkHost(field+": end", r.End); err != nil {
		return err
	}
	if r.Start.Compare(r.End) > 0 {
		return fmt.Errorf("%s: start %v is after end %v", field, r.Start, r.End)
	}
	return nil
}

func (c *compiled) checkReservations() error {
	addrs := make(map[netip.Addr]int)
	keys := make(map[string]int)
	for i, r := range c.Reservations {
		field := fmt.Sprintf("reservations[%d]", i)
		if err := c.checkHost(field, r.Addr); err != nil {
			return err
		}
		if r.Addr == c.ServerID {
			return fmt.Errorf("%s: %v is the server-id", field, r.Addr)
		}
		if len(r.MAC) == 0 && len(r.ClientID) == 0 {
			return fmt.Errorf("%s: neither mac nor client-id is set", field)
		}
		if len(r.MAC) > 16 || len(r.ClientID) > 255 {
			return fmt.Errorf("%s: mac longer than 16 or client-id longer than 255 bytes", field)
		}
		if j, dup := addrs[r.Addr]; dup {
			return fmt.Errorf("%s: address %v is also reservations[%d]", field, r.Addr, j)
		}
		addrs[r.Addr] = i
		for _, k := range reservationKeys(r) {
			if j, dup := keys[k]; dup {
				return fmt.Errorf("%s: the same client is also reservations[%d]", field, j)
			}
			keys[k] = i
		}
	}
	return nil
}

func reservationKeys(r Reservation) []string {
	var ks []string
	if len(r.MAC) > 0 {
		ks = append(ks, "hw:"+string(r.MAC))
	}
	if len(r.ClientID) > 0 {
		ks = append(ks, "id:"+string(r.ClientID))
	}
	return ks
}

func (c *compiled) checkOptions() error {
	for i, a := range c.Router {
		if !a.Is4() {
			return fmt.Errorf("router[%d]: %v is not an IPv4 address", i, a)
		}
	}
	for i, a := range c.DNS {
		if !a.Is4() {
			return fmt.Errorf("dns[%d]: %v is not an IPv4 address", i, a)
		}
	}
	if len(c.Router) > 63 || len(c.DNS) > 63 {
		return fmt.Errorf("router, dns: more than 63 addresses do not fit an option")
	}
	if len(c.Domain) > 255 {
		return fmt.Errorf("domain: longer than 255 bytes")
	}
	switch {
	case c.LeaseTime < time.Second || c.LeaseTime > maxLeaseTime:
		return fmt.Errorf("lease-time: %v is not between 1s and %v", c.LeaseTime, maxLeaseTime)
	case c.T1 <= 0 || c.T1 >= c.T2 || c.T2 >= c.LeaseTime:
		return fmt.Errorf("t1, t2: want 0 < t1 (%v) < t2 (%v) < lease-time (%v)", c.T1, c.T2, c.LeaseTime)
	case c.OfferHold < 0 || c.DeclineQuarantine < 0:
		return fmt.Errorf("offer-hold, decline-quarantine: negative duration")
	case c.Failback != FailbackNAK && c.Failback != FailbackKeep:
		return fmt.Errorf("failback: unknown value %d", c.Failback)
	case c.ReserveForKnown > 100:
		return fmt.Errorf("reserve-for-known: %d%% is more than 100%%", c.ReserveForKnown)
	}
	return nil
}

// index builds the reservation lookups and the subnet mask.
func (c *compiled) index() {
	c.resByAddr = make(map[netip.Addr]int, len(c.Reservations))
	c.resByMAC = make(map[string]netip.Addr)
	c.resByID = make(map[string]netip.Addr)
	c.local = map[netip.Addr]bool{c.ServerID: true}
	for _, a := range c.Local {
		c.local[a] = true
	}
	for i, r := range c.Reservations {
		c.resByAddr[r.Addr] = i
		if len(r.MAC) > 0 {
			c.resByMAC[string(r.MAC)] = r.Addr
		}
		if len(r.ClientID) > 0 {
			c.resByID[string(r.ClientID)] = r.Addr
		}
	}
	m := uint32(0xffffffff) << (32 - c.Subnet.Bits())
	c.mask = []byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}
}

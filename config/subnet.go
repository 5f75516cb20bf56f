package config

import (
	"errors"
	"fmt"
	"net/netip"
)

// CheckSubnet checks the scope against p, the prefix of the interface's
// address (e.g. 203.0.113.1/25): every pool, exclusion, reservation and
// router lies inside p; no pool or reservation holds p's network or
// broadcast address or p.Addr() itself (the interface's own address). The
// relay calls it when it learns the interface's address, before serving
// the scope, and relay.CheckConfig (check-config, run, reload) for the
// links that exist. The error lists every problem, one per line, each naming the key
// (e.g. "fallback.pools[0]: ..."); the caller adds the interface.
func (f *Fallback) CheckSubnet(p netip.Prefix) error {
	if !p.IsValid() || !p.Addr().Is4() {
		return fmt.Errorf("fallback: subnet %s is not an IPv4 prefix", p)
	}
	if p.Bits() > 30 {
		return fmt.Errorf("fallback: subnet %s has no room for a pool", p)
	}
	s := subnet{p: p, network: p.Masked().Addr(), broadcast: lastAddr(p)}
	var errs []error
	for i, r := range f.Pools {
		errs = append(errs, s.checkHosts(fmt.Sprintf("fallback.pools[%d]", i), r))
	}
	for i, r := range f.Exclude {
		errs = append(errs, s.checkInside(fmt.Sprintf("fallback.exclude[%d]", i), r))
	}
	for i, r := range f.Reservations {
		one := Range{Start: r.Addr, End: r.Addr}
		errs = append(errs, s.checkHosts(fmt.Sprintf("fallback.reservations[%d]: address", i), one))
	}
	for i, a := range f.Router {
		errs = append(errs, s.checkInside(fmt.Sprintf("fallback.router[%d]", i), Range{Start: a, End: a}))
	}
	return errors.Join(errs...)
}

// subnet is the prefix CheckSubnet checks against, with its two special
// addresses.
type subnet struct {
	p                  netip.Prefix
	network, broadcast netip.Addr
}

// checkInside checks that r lies in the subnet.
func (s subnet) checkInside(key string, r Range) error {
	if !r.inPrefix(s.p.Masked()) {
		return fmt.Errorf("%s: %s is not inside %s", key, r, s.p.Masked())
	}
	return nil
}

// checkHosts checks that r lies in the subnet and holds only addresses a
// client may be given.
func (s subnet) checkHosts(key string, r Range) error {
	if err := s.checkInside(key, r); err != nil {
		return err
	}
	for _, special := range []struct {
		a    netip.Addr
		what string
	}{
		{s.network, "the network address"},
		{s.broadcast, "the broadcast address"},
		{s.p.Addr(), "the interface's own address"},
	} {
		if r.Contains(special.a) {
			return fmt.Errorf("%s: %s holds %s %s", key, r, special.what, special.a)
		}
	}
	return nil
}

// lastAddr returns the last (broadcast) address of an IPv4 prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := be32(b) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

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
// the scope; check-config calls it for interfaces that exist where it
// runs. The error lists every problem, one per line, each naming the key
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

// CheckSubnets checks every fallback scope of an entry with an exact name
// against the addresses of the interface of that name, as prefixes reports
// them (ok false: no such interface here). An interface that does not
// exist, or has no IPv4 address, is skipped: the relay checks again when
// it serves it. A scope fits if CheckSubnet accepts it for one of the
// interface's IPv4 prefixes; if none does, the error shows the problems
// against the first. Pattern entries are skipped: one scope serves several
// links there, and each is checked when the relay serves it.
func (c *Config) CheckSubnets(prefixes func(name string) ([]netip.Prefix, bool)) error {
	var errs []error
	for i := range c.Interfaces {
		in := &c.Interfaces[i]
		if in.Fallback == nil || in.IsPattern() {
			continue
		}
		ps, ok := prefixes(in.Name)
		if !ok {
			continue
		}
		if err := in.Fallback.checkPrefixes(ps); err != nil {
			errs = append(errs, prefixEach(fmt.Sprintf("interface %q: ", in.Name), err))
		}
	}
	return errors.Join(errs...)
}

// checkPrefixes returns nil if the scope fits one of the IPv4 prefixes of
// ps (or there is none), else the problems against the first.
func (f *Fallback) checkPrefixes(ps []netip.Prefix) error {
	var firstErr error
	for _, p := range ps {
		if !p.Addr().Is4() {
			continue
		}
		err := f.CheckSubnet(p)
		if err == nil {
			return nil
		}
		if firstErr == nil {
			firstErr = prefixEach(fmt.Sprintf("address %s: ", p), err)
		}
	}
	return firstErr
}

// prefixEach puts prefix before each error that err joins (or before err
// itself), so that every line of the joined error says where it is from.
func prefixEach(prefix string, err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("%s%w", prefix, err)
	}
	var out []error
	for _, e := range joined.Unwrap() {
		out = append(out, prefixEach(prefix, e))
	}
	return errors.Join(out...)
}

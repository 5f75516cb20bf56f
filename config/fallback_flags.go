package config

import (
	"fmt"
	"net/netip"
)

// addFallback sorts the fallback flags into the layers: --fallback-pool
// NAME=RANGE into NAME's layer, a bare --fallback-pool RANGE into the
// layer of the --interface entries, and the option flags into the global
// layer (they configure every fallback, and create none).
func (fl *flagLayers) addFallback(f Flags, errs *errList) {
	for _, p := range f.FallbackPools {
		fl.addPool("--fallback-pool", p, len(f.Interfaces) > 0, func(s *fallbackSettings) **rangeList { return &s.pools }, errs)
	}
	for _, p := range f.FailoverPartnerPools {
		fl.addPool("--failover-partner-pool", p, len(f.Interfaces) > 0, func(s *fallbackSettings) **rangeList { return &s.partnerPools }, errs)
	}
	g := &fl.global.fallback
	if f.FallbackRouter != nil {
		if a, err := parseHostAddr(*f.FallbackRouter); err != nil {
			errs.addf("--fallback-router: ", "%w", err)
		} else {
			g.router = &[]netip.Addr{a}
		}
	}
	if len(f.FallbackDNS) > 0 {
		g.dns = dnsFlags(f.FallbackDNS, errs)
	}
	g.domain = domainKey(f.FallbackDomain, "--fallback-domain: ", errs)
	g.leaseTime = durationKey(f.FallbackLeaseTime, ruleLeaseTime, "--fallback-lease-time: ", errs)
	g.offerDelay = durationKey(f.OfferDelay, ruleOfferDelay, "--offer-delay: ", errs)
	g.failback = failbackKey(f.Failback, "--failback: ", errs)
	g.failoverMode = failoverModeKey(f.FailoverMode, "--failover-mode: ", errs)
}

// addPool adds one value of the range flag called flag (--fallback-pool,
// --failover-partner-pool), RANGE or NAME=RANGE, to the list that key
// returns; anyCLI says whether --interface was given, which a bare RANGE
// needs.
func (fl *flagLayers) addPool(flag, v string, anyCLI bool, key func(*fallbackSettings) **rangeList, errs *errList) {
	origin := fmt.Sprintf("%s %q", flag, v)
	where := origin + ": "
	name, value, named := splitAssignment(v, false)
	if named {
		if err := checkInterfaceName(name); err != nil {
			errs.addf(where, "%w", err)
			return
		}
	} else if !anyCLI {
		errs.addf(where, "without NAME= it applies to every --interface, and none is given")
		return
	}
	r, err := ParseRange(value)
	if err != nil {
		errs.addf(where, "%w", err)
	}
	add := func(s *settings) {
		l := key(&s.fallback)
		if *l == nil {
			*l = &rangeList{}
		}
		switch _, o, overlaps := overlapping((*l).ranges, r); {
		case err != nil:
			(*l).bad = true
		case overlaps:
			errs.addf(where, "%s overlaps %s, given before", r, o)
			(*l).bad = true
		default:
			(*l).ranges = append((*l).ranges, r)
		}
	}
	if named {
		fl.edit(name, origin, add)
	} else {
		add(&fl.cli)
	}
}

// dnsFlags parses the --fallback-dns values.
func dnsFlags(values []string, errs *errList) *[]netip.Addr {
	if len(values) > maxOptionAddrs {
		errs.addf("", "--fallback-dns: %d addresses, more than the %d that fit in one option", len(values), maxOptionAddrs)
		return nil
	}
	out := []netip.Addr{}
	for _, v := range values {
		where := fmt.Sprintf("--fallback-dns %q: ", v)
		a, err := parseHostAddr(v)
		switch {
		case err != nil:
			errs.addf(where, "%w", err)
		case containsAddr(out, a):
			errs.addf(where, "%s is given twice", a)
		default:
			out = append(out, a)
		}
	}
	return &out
}

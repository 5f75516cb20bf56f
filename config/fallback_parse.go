package config

import (
	"fmt"
	"net/netip"
	"time"
)

// durationRule is the range a duration key must be in.
type durationRule struct {
	lo, hi time.Duration
	hiOpen bool // hi itself is out of range
	whole  bool // whole seconds only
}

// The ranges of the fallback's duration keys (see defaults.go).
var (
	ruleLeaseTime          = durationRule{lo: MinFallbackLeaseTime, hi: MaxFallbackLeaseTime, whole: true}
	ruleRenewal            = durationRule{hi: MaxFallbackLeaseTime, whole: true}
	ruleOfferDelay         = durationRule{hi: MaxOfferDelay, hiOpen: true}
	ruleTransactionTimeout = durationRule{lo: MinTransactionTimeout, hi: MaxTransactionTimeout}
	ruleProbeTimeout       = durationRule{lo: MinProbeTimeout, hi: MaxProbeTimeout}
	ruleDeclineQuarantine  = durationRule{lo: time.Second, hi: MaxDeclineQuarantine}
	ruleOfferHold          = durationRule{lo: time.Second, hi: MaxOfferHold}
	ruleSecsThreshold      = durationRule{hi: MaxSecsThreshold, whole: true}
)

// parse parses s and checks it against the rule.
func (r durationRule) parse(s string) (time.Duration, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write a number and a unit, e.g. 90s, 5m or 1h30m", s)
	}
	closing := "]"
	if r.hiOpen {
		closing = ")"
	}
	if d < r.lo || d > r.hi || r.hiOpen && d == r.hi {
		return 0, fmt.Errorf("%s is out of range [%s, %s%s", d, r.lo, r.hi, closing)
	}
	if r.whole && d%time.Second != 0 {
		return 0, fmt.Errorf("%s is not a whole number of seconds", d)
	}
	return d, nil
}

// durationKey parses an optional duration key; where names it in errors.
func durationKey(s *string, r durationRule, where string, errs *errList) *time.Duration {
	if s == nil {
		return nil
	}
	d, err := r.parse(*s)
	if err != nil {
		errs.addf(where, "%w", err)
		return nil
	}
	return &d
}

// intKey checks an optional integer key against [lo, hi].
func intKey(v *int, lo, hi int, where string, errs *errList) *int {
	if v != nil && (*v < lo || *v > hi) {
		errs.addf(where, "%d is out of range %d..%d", *v, lo, hi)
		return nil
	}
	return v
}

// parseFallback checks a fallback: block; where prefixes its errors, e.g.
// `interface "eth1": `. Under defaults: (inDefaults) pools are not allowed:
// they belong to one interface.
func parseFallback(r *rawFallback, where string, inDefaults bool, errs *errList) fallbackSettings {
	var s fallbackSettings
	if r == nil {
		return s
	}
	if !inDefaults {
		s.block = ptr(true)
	}
	w := where + "fallback."
	if r.Pools != nil && inDefaults {
		errs.addf(w, "pools: not allowed under defaults: pools belong to one interface")
	} else if r.Pools != nil {
		s.pools = parseRanges(*r.Pools, true, w, "pools", errs)
	}
	if r.Exclude != nil {
		s.exclude = parseRanges(*r.Exclude, false, w, "exclude", errs)
	}
	if r.Reservations != nil {
		s.reservations = parseReservations(*r.Reservations, w, errs)
	}
	s.router = addrListKey(r.Router, w+"router", errs)
	s.dns = addrListKey(r.DNS, w+"dns", errs)
	s.domain = domainKey(r.Domain, w+"domain: ", errs)
	if r.Options != nil {
		s.options = parseOptions(*r.Options, w+"options", errs)
	}
	s.nextServer = nextServerKey(r.NextServer, w+"next-server: ", errs)
	s.bootFile = bootFileKey(r.BootFile, w+"boot-file: ", errs)
	s.enabled, s.useSecs = r.Enabled, r.UseSecs
	s.leaseTime = durationKey(r.LeaseTime, ruleLeaseTime, w+"lease-time: ", errs)
	s.t1 = durationKey(r.T1, ruleRenewal, w+"t1: ", errs)
	s.t2 = durationKey(r.T2, ruleRenewal, w+"t2: ", errs)
	s.offerDelay = durationKey(r.OfferDelay, ruleOfferDelay, w+"offer-delay: ", errs)
	s.transactionTimeout = durationKey(r.TransactionTimeout, ruleTransactionTimeout, w+"transaction-timeout: ", errs)
	s.probeTimeout = durationKey(r.ProbeTimeout, ruleProbeTimeout, w+"probe-timeout: ", errs)
	s.declineQuarantine = durationKey(r.DeclineQuarantine, ruleDeclineQuarantine, w+"decline-quarantine: ", errs)
	s.offerHold = durationKey(r.OfferHold, ruleOfferHold, w+"offer-hold: ", errs)
	s.secsThreshold = durationKey(r.SecsThreshold, ruleSecsThreshold, w+"secs-threshold: ", errs)
	s.downAfter = intKey(r.DownAfter, 1, MaxDownAfter, w+"down-after: ", errs)
	s.probeCount = intKey(r.ProbeCount, 0, MaxProbeCount, w+"probe-count: ", errs)
	s.maxOffers = intKey(r.MaxOffers, -1, MaxFallbackPool, w+"max-offers-outstanding: ", errs)
	s.reserveForKnown = intKey(r.ReserveForKnown, -1, 100, w+"reserve-for-known: ", errs)
	s.failback = failbackKey(r.Failback, w+"failback: ", errs)
	s.failoverMode = failoverModeKey(r.FailoverMode, w+"failover-mode: ", errs)
	s.failoverRole = scopeRoleKey(r.FailoverRole, w+"failover-role: ", errs)
	if r.PartnerPools != nil && inDefaults {
		errs.addf(w, "partner-pools: not allowed under defaults: pools belong to one interface")
	} else if r.PartnerPools != nil {
		s.partnerPools = parseRanges(*r.PartnerPools, true, w, "partner-pools", errs)
	}
	s.ddns = parseDDNS(r.DDNS, w, errs)
	return s
}

// parseRanges parses the list of ranges called key; with noOverlap, no two
// may share an address (pools), else they may (exclusions).
func parseRanges(list []string, noOverlap bool, where, key string, errs *errList) *rangeList {
	l := &rangeList{}
	for i, s := range list {
		r, err := ParseRange(s)
		if err != nil {
			errs.addf(where, "%s[%d]: %q: %w", key, i, s, err)
			l.bad = true
			continue
		}
		if noOverlap {
			if j, o, ok := overlapping(l.ranges, r); ok {
				errs.addf(where, "%s[%d]: %s overlaps %s[%d] %s", key, i, r, key, j, o)
				l.bad = true
				continue
			}
		}
		l.ranges = append(l.ranges, r)
	}
	return l
}

// overlapping returns the first of rs that overlaps r.
func overlapping(rs []Range, r Range) (int, Range, bool) {
	for j, o := range rs {
		if o.Overlaps(r) {
			return j, o, true
		}
	}
	return 0, Range{}, false
}

// addrListKey parses an optional list of host addresses (router, dns):
// IPv4 unicast, not loopback, no repeats, at most maxOptionAddrs.
func addrListKey(list *[]string, key string, errs *errList) *[]netip.Addr {
	if list == nil {
		return nil
	}
	if len(*list) > maxOptionAddrs {
		errs.addf("", "%s: %d addresses, more than the %d that fit in one option", key, len(*list), maxOptionAddrs)
		return nil
	}
	out := []netip.Addr{}
	for i, s := range *list {
		a, err := parseHostAddr(s)
		switch {
		case err != nil:
			errs.addf("", "%s[%d]: %w", key, i, err)
		case containsAddr(out, a):
			errs.addf("", "%s[%d]: %s is given twice", key, i, a)
		default:
			out = append(out, a)
		}
	}
	return &out
}

// maxOptionAddrs is the most IPv4 addresses one DHCP option holds (255
// bytes of data).
const maxOptionAddrs = 63

// containsAddr reports whether a is in as.
func containsAddr(as []netip.Addr, a netip.Addr) bool {
	for _, b := range as {
		if a == b {
			return true
		}
	}
	return false
}

// domainKey checks an optional domain name; "" means none.
func domainKey(s *string, where string, errs *errList) *string {
	if s == nil {
		return nil
	}
	if err := checkDomain(*s); err != nil {
		errs.addf(where, "%w", err)
		return nil
	}
	return s
}

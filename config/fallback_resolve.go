package config

import (
	"fmt"
	"slices"
	"time"
)

// resolveFallback turns merged fallback settings into the interface's
// Fallback, or nil when it has none (no pools from any layer), and runs the
// checks that involve several keys. Every key but pools is set, because
// the last layer holds the built-in defaults.
func resolveFallback(name string, m *fallbackSettings, errs *errList) *Fallback {
	where := fmt.Sprintf("interface %q: fallback", name)
	if m.pools == nil || len(m.pools.ranges) == 0 {
		if m.block != nil && (m.pools == nil || !m.pools.bad) {
			errs.addf(where, ".pools: missing: a fallback scope needs at least one pool (pools: or --fallback-pool)")
		}
		return nil
	}
	f := &Fallback{
		Enabled:            *m.enabled,
		Pools:              slices.Clone(m.pools.ranges),
		Exclude:            nilIfEmpty(m.exclude.ranges),
		Reservations:       nilIfEmpty(*m.reservations),
		Router:             nilIfEmpty(*m.router),
		DNS:                nilIfEmpty(*m.dns),
		Domain:             *m.domain,
		Options:            nilIfEmpty(*m.options),
		NextServer:         *m.nextServer,
		BootFile:           *m.bootFile,
		LeaseTime:          *m.leaseTime,
		T1:                 *m.t1,
		T2:                 *m.t2,
		OfferDelay:         *m.offerDelay,
		DownAfter:          *m.downAfter,
		TransactionTimeout: *m.transactionTimeout,
		ProbeCount:         *m.probeCount,
		MaxOffers:          *m.maxOffers,
		ReserveForKnown:    *m.reserveForKnown,
		ProbeTimeout:       *m.probeTimeout,
		DeclineQuarantine:  *m.declineQuarantine,
		OfferHold:          *m.offerHold,
		Failback:           *m.failback,
		UseSecs:            *m.useSecs,
		SecsThreshold:      *m.secsThreshold,
		FailoverMode:       *m.failoverMode,
		FailoverRole:       *m.failoverRole,
		PartnerPools:       nilIfEmpty(m.partnerPools.ranges),
		DDNS:               resolveDDNS(&m.ddns, where, errs),
	}
	checkPartnerPools(f, m.partnerPools.bad, where, errs)
	checkRenewal(f, where, errs)
	checkOfferTime(f, where, errs)
	return f
}

// nilIfEmpty returns a copy of s, or nil when s is empty, so that "none"
// has one representation.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// checkRenewal checks T1 < T2 < lease-time (RFC 2131 §4.4.5), with the
// default fraction for whichever of T1 and T2 is 0.
func checkRenewal(f *Fallback, where string, errs *errList) {
	t1, t2 := f.RenewalTime(), f.RebindingTime()
	t1s, t2s := t1.String(), t2.String()
	if f.T1 == 0 {
		t1s += ", 50% of lease-time"
	}
	if f.T2 == 0 {
		t2s += ", 87.5% of lease-time"
	}
	switch {
	case f.T1 != 0 && t1 >= t2:
		errs.addf(where, ".t1: %s must be less than t2 (%s)", t1, t2s)
	case f.T2 != 0 && t2 <= t1:
		errs.addf(where, ".t2: %s must be more than t1 (%s)", t2, t1s)
	case f.T2 != 0 && t2 >= f.LeaseTime:
		errs.addf(where, ".t2: %s must be less than lease-time (%s)", t2, f.LeaseTime)
	}
}

// checkOfferTime checks that an offer, after its delay and its probes,
// leaves before the client retransmits its DISCOVER.
func checkOfferTime(f *Fallback, where string, errs *errList) {
	probes := time.Duration(f.ProbeCount) * f.ProbeTimeout
	if total := f.OfferDelay + probes; total >= clientRetransmit {
		errs.addf(where, ": offer-delay %s plus probe-count %d × probe-timeout %s is %s: an offer must leave before the client retransmits, after about %s",
			f.OfferDelay, f.ProbeCount, f.ProbeTimeout, total, clientRetransmit)
	}
}

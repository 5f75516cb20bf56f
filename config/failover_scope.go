package config

import (
	"fmt"
	"time"
)

// checkPartnerPools checks a scope's partner-pools against its mode and
// its own pools; bad says the list had invalid entries (already
// reported), so that a missing list is not reported again.
func checkPartnerPools(f *Fallback, bad bool, where string, errs *errList) {
	if f.FailoverMode != FailoverSplit {
		if len(f.PartnerPools) > 0 {
			errs.addf(where, ".partner-pools: only for failover-mode split (this scope's is %s)", f.FailoverMode)
		}
		return
	}
	if len(f.PartnerPools) == 0 && !bad {
		errs.addf(where, ".partner-pools: missing: failover-mode split needs the partner's ranges")
	}
	for i, r := range f.PartnerPools {
		if j, o, ok := overlapping(f.Pools, r); ok {
			errs.addf(where, ".partner-pools[%d]: %s overlaps pools[%d] %s: each node of a split scope leases from its own ranges", i, r, j, o)
		}
	}
}

// resolveFailoverScopes settles each fallback scope's failover role and
// secondary delay, once the failover: block (present or not) and the
// scopes are known, and checks that each scope's mode has what it needs.
func resolveFailoverScopes(cfg *Config, present bool, errs *errList) {
	for i := range cfg.Interfaces {
		f := cfg.Interfaces[i].Fallback
		if f == nil {
			continue
		}
		where := fmt.Sprintf("interface %q: fallback", cfg.Interfaces[i].Name)
		if f.FailoverMode == FailoverNone {
			f.FailoverRole = FailoverNoRole
			continue
		}
		resolveScopeRole(f, &cfg.Failover, present, where, errs)
		if f.FailoverMode != FailoverSplit || f.FailoverRole != FailoverSecondary {
			continue
		}
		f.SecondaryDelay = DefaultSecondaryDelay
		if present {
			f.SecondaryDelay = cfg.Failover.SecondaryDelay
		}
		checkSecondaryOfferTime(f, where, errs)
	}
}

// resolveScopeRole sets a failover scope's role: the failover: block's,
// or a split scope's own failover-role when there is no block.
func resolveScopeRole(f *Fallback, fo *Failover, present bool, where string, errs *errList) {
	switch {
	case present && f.FailoverRole != FailoverNoRole && fo.Role != FailoverNoRole && f.FailoverRole != fo.Role:
		errs.addf(where, ".failover-role: %s contradicts the failover: block's role %s", f.FailoverRole, fo.Role)
	case present:
		f.FailoverRole = fo.Role
	case f.FailoverMode.Connected():
		errs.addf(where, ".failover-mode: %s needs a failover: block (role, listen, peer and authentication) or the --failover flags", f.FailoverMode)
	case f.FailoverRole == FailoverNoRole:
		errs.addf(where, ".failover-role: missing: failover-mode split needs this node's role, primary or secondary (failover-role, or a failover: block)")
	}
}

// checkSecondaryOfferTime checks that a split scope's secondary, which
// waits secondary-delay longer than offer-delay, still offers before the
// client retransmits. A scope whose offer-delay and probes alone are too
// long was reported by checkOfferTime.
func checkSecondaryOfferTime(f *Fallback, where string, errs *errList) {
	base := f.OfferDelay + time.Duration(f.ProbeCount)*f.ProbeTimeout
	if base >= clientRetransmit {
		return
	}
	if total := base + f.SecondaryDelay; total >= clientRetransmit {
		errs.addf(where, ": offer-delay %s plus the secondary's secondary-delay %s plus probe-count %d × probe-timeout %s is %s: an offer must leave before the client retransmits, after about %s",
			f.OfferDelay, f.SecondaryDelay, f.ProbeCount, f.ProbeTimeout, total, clientRetransmit)
	}
}

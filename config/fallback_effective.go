package config

import "time"

// rawFromFallback writes a fallback scope back in file form, every key
// set, so that parsing it gives f back. scopeRole writes a split scope's
// failover-role (when no failover: block gives it); partner-pools are
// written for split scopes only.
func rawFromFallback(f *Fallback, scopeRole bool) *rawFallback {
	dur := func(d time.Duration) *string { return ptr(d.String()) }
	r := &rawFallback{
		Enabled:            ptr(f.Enabled),
		Pools:              ptr(rangeStrings(f.Pools)),
		Exclude:            ptr(rangeStrings(f.Exclude)),
		Reservations:       ptr(rawReservations(f.Reservations)),
		Router:             ptr(addrStrings(f.Router)),
		DNS:                ptr(addrStrings(f.DNS)),
		Domain:             ptr(f.Domain),
		LeaseTime:          dur(f.LeaseTime),
		T1:                 dur(f.T1),
		T2:                 dur(f.T2),
		OfferDelay:         dur(f.OfferDelay),
		DownAfter:          ptr(f.DownAfter),
		TransactionTimeout: dur(f.TransactionTimeout),
		ProbeCount:         ptr(f.ProbeCount),
		MaxOffers:          ptr(f.MaxOffers),
		ReserveForKnown:    ptr(f.ReserveForKnown),
		ProbeTimeout:       dur(f.ProbeTimeout),
		DeclineQuarantine:  dur(f.DeclineQuarantine),
		OfferHold:          dur(f.OfferHold),
		Failback:           ptr(f.Failback.String()),
		UseSecs:            ptr(f.UseSecs),
		SecsThreshold:      dur(f.SecsThreshold),
		FailoverMode:       ptr(f.FailoverMode.String()),
	}
	if len(f.Options) > 0 {
		r.Options = ptr(rawOptions(f.Options))
	}
	if f.NextServer.IsValid() {
		r.NextServer = ptr(f.NextServer.String())
	}
	if f.BootFile != "" {
		r.BootFile = ptr(f.BootFile)
	}
	if f.FailoverMode == FailoverSplit {
		r.PartnerPools = ptr(rangeStrings(f.PartnerPools))
		if scopeRole {
			r.FailoverRole = ptr(f.FailoverRole.String())
		}
	}
	return r
}

// rangeStrings writes ranges in the form ParseRange reads.
func rangeStrings(rs []Range) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// rawReservations writes reservations in file form.
func rawReservations(rs []Reservation) []rawReservation {
	out := make([]rawReservation, len(rs))
	for i, r := range rs {
		out[i].Address = ptr(r.Addr.String())
		if r.MAC != nil {
			out[i].MAC = ptr(r.MAC.String())
		} else {
			out[i].ClientID = ptr(FormatClientID(r.ClientID))
		}
	}
	return out
}

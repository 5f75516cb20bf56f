package config

import "time"

// rawFromFailover writes the failover: block back in file form, every key
// set, so that parsing it gives f back.
func rawFromFailover(f *Failover) *rawFailover {
	dur := func(d time.Duration) *string { return ptr(d.String()) }
	r := &rawFailover{
		Role:              ptr(f.Role.String()),
		Listen:            ptr(f.Listen.String()),
		Peer:              ptr(f.Peer.String()),
		MCLT:              dur(f.MCLT),
		Heartbeat:         dur(f.Heartbeat),
		MaxResponseDelay:  dur(f.MaxResponseDelay),
		StartupDelay:      dur(f.StartupDelay),
		MaxAckDelay:       dur(f.MaxAckDelay),
		AutoPartnerDown:   dur(f.AutoPartnerDown),
		UnansweredClients: ptr(f.UnansweredClients),
		SecsThreshold:     dur(f.SecsThreshold),
		MaxPendingUpdates: ptr(f.MaxPendingUpdates),
		Split:             ptr(f.Split),
		StandbyShare:      ptr(f.StandbyShare),
		SecondaryDelay:    dur(f.SecondaryDelay),
	}
	if f.Name != "" {
		r.Name = ptr(f.Name)
	}
	if f.UsesKey() {
		r.KeyFile = ptr(f.KeyFile)
	} else {
		r.TLSCert, r.TLSKey, r.TLSCA = ptr(f.TLSCert), ptr(f.TLSKey), ptr(f.TLSCA)
	}
	return r
}

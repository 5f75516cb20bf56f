package config

import (
	"net/netip"
	"time"
)

// fallbackSettings is one layer's fallback keys, parsed and checked key by
// key; a nil field is "not set by this layer". Lists come whole from one
// layer: a list given at a higher level replaces a lower one.
type fallbackSettings struct {
	// block is set by an interface's own fallback: block: the entry asks
	// for a fallback, so it must end up with pools.
	block *bool

	enabled      *bool
	pools        *rangeList
	exclude      *rangeList
	reservations *[]Reservation
	router, dns  *[]netip.Addr
	domain       *string
	options      *[]Option
	nextServer   *netip.Addr
	bootFile     *string

	leaseTime, t1, t2, offerDelay, transactionTimeout *time.Duration
	probeTimeout, declineQuarantine, offerHold        *time.Duration
	secsThreshold                                     *time.Duration
	downAfter, probeCount                             *int
	maxOffers, reserveForKnown                        *int
	failback                                          *FailbackMode
	useSecs                                           *bool

	failoverMode *FailoverMode
	failoverRole *FailoverRole
	partnerPools *rangeList

	ddns ddnsSettings
}

// rangeList is a layer's pools or exclusions; bad says some entries were
// invalid (and reported), so an empty list is not reported again.
type rangeList struct {
	ranges []Range
	bad    bool
}

// mergeFallback returns the value of every fallback key from the first
// layer that sets it.
func mergeFallback(m *fallbackSettings, l *fallbackSettings) {
	m.block = first(m.block, l.block)
	m.enabled = first(m.enabled, l.enabled)
	m.pools = first(m.pools, l.pools)
	m.exclude = first(m.exclude, l.exclude)
	m.reservations = first(m.reservations, l.reservations)
	m.router = first(m.router, l.router)
	m.dns = first(m.dns, l.dns)
	m.domain = first(m.domain, l.domain)
	m.options = first(m.options, l.options)
	m.nextServer = first(m.nextServer, l.nextServer)
	m.bootFile = first(m.bootFile, l.bootFile)
	m.leaseTime = first(m.leaseTime, l.leaseTime)
	m.t1 = first(m.t1, l.t1)
	m.t2 = first(m.t2, l.t2)
	m.offerDelay = first(m.offerDelay, l.offerDelay)
	m.transactionTimeout = first(m.transactionTimeout, l.transactionTimeout)
	m.probeTimeout = first(m.probeTimeout, l.probeTimeout)
	m.declineQuarantine = first(m.declineQuarantine, l.declineQuarantine)
	m.offerHold = first(m.offerHold, l.offerHold)
	m.secsThreshold = first(m.secsThreshold, l.secsThreshold)
	m.downAfter = first(m.downAfter, l.downAfter)
	m.probeCount = first(m.probeCount, l.probeCount)
	m.maxOffers = first(m.maxOffers, l.maxOffers)
	m.reserveForKnown = first(m.reserveForKnown, l.reserveForKnown)
	m.failback = first(m.failback, l.failback)
	m.useSecs = first(m.useSecs, l.useSecs)
	m.failoverMode = first(m.failoverMode, l.failoverMode)
	m.failoverRole = first(m.failoverRole, l.failoverRole)
	m.partnerPools = first(m.partnerPools, l.partnerPools)
	mergeDDNS(&m.ddns, &l.ddns)
}

// builtinFallback is the fallback defaults of defaults.go as a layer. It
// sets no pools: a fallback exists only where pools are given.
func builtinFallback() fallbackSettings {
	return fallbackSettings{
		enabled:            ptr(true),
		exclude:            &rangeList{},
		reservations:       &[]Reservation{},
		router:             &[]netip.Addr{},
		dns:                &[]netip.Addr{},
		domain:             ptr(""),
		options:            &[]Option{},
		nextServer:         &netip.Addr{},
		bootFile:           ptr(""),
		leaseTime:          ptr(DefaultFallbackLeaseTime),
		t1:                 ptr(time.Duration(0)),
		t2:                 ptr(time.Duration(0)),
		offerDelay:         ptr(DefaultOfferDelay),
		transactionTimeout: ptr(DefaultTransactionTimeout),
		probeTimeout:       ptr(DefaultProbeTimeout),
		declineQuarantine:  ptr(DefaultDeclineQuarantine),
		offerHold:          ptr(DefaultOfferHold),
		secsThreshold:      ptr(time.Duration(0)),
		downAfter:          ptr(DefaultDownAfter),
		probeCount:         ptr(DefaultProbeCount),
		maxOffers:          ptr(0),
		reserveForKnown:    ptr(0),
		failback:           ptr(DefaultFailback),
		useSecs:            ptr(DefaultUseSecs),
		failoverMode:       ptr(DefaultFailoverMode),
		failoverRole:       ptr(FailoverNoRole),
		partnerPools:       &rangeList{},
	}
}

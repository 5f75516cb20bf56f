package config

import (
	"fmt"
	"net/netip"
	"slices"
)

// settings is one layer of per-interface values (the file's defaults:, an
// interface block, global or per-interface flags), parsed and checked but
// not merged; a nil field is "not set by this layer".
type settings struct {
	helpers    *helpers
	addressing *addressing
	trusted    *bool

	insert, check, linkSelection, serverIDOverride *bool
	policy                                         *Policy
	circuitID, remoteID, subscriberID              *Template

	rate     rateSettings
	fallback fallbackSettings

	forward           *forwardLayer  // forward-protocol, applied on top of the layers below
	forwardLayers     []forwardLayer // merged: every layer's forward-protocol, most specific first
	portHelpers       *map[uint16][]netip.Addr
	directedBroadcast *bool
}

// helpers is a layer's helper list; bad says some entries were invalid
// (and reported), so an empty list is not reported again.
type helpers struct {
	addrs []netip.Addr
	bad   bool
}

// addressing is the giaddr / source-interface pair, one key for merging
// because the two are mutually exclusive; both zero means "use the
// interface's own address".
type addressing struct {
	giaddr netip.Addr
	source string
}

// errList collects errors, each prefixed with where it happened.
type errList []error

// addf appends an error; where is a prefix like `interface "eth1": `.
// where is not a format: it may hold '%' (from an interface name).
func (l *errList) addf(where, format string, args ...any) {
	*l = append(*l, fmt.Errorf("%s"+format, append([]any{where}, args...)...))
}

// join returns the collected errors as one, or nil.
func (l errList) join() error { return joinCapped(l) }

// parseSettings checks a raw block; where prefixes its errors. inDefaults
// says it is the defaults: block.
func parseSettings(r rawSettings, where string, inDefaults bool, errs *errList) settings {
	var s settings
	if r.HelperAddresses != nil {
		s.helpers = &helpers{}
		for i, h := range *r.HelperAddresses {
			a, err := parseHelper(h)
			switch {
			case err != nil:
				errs.addf(where, "helper-addresses[%d]: %w", i, err)
				s.helpers.bad = true
			case slices.Contains(s.helpers.addrs, a):
				errs.addf(where, "helper-addresses[%d]: %q is given twice", i, h)
			default:
				s.helpers.addrs = append(s.helpers.addrs, a)
			}
		}
	}
	s.addressing = parseAddressing(r.GIAddr, r.SourceInterface, "giaddr", "source-interface", where, errs)
	s.trusted = r.Trusted
	o := r.InformationOption
	s.insert, s.check = o.Insert, o.Check
	s.linkSelection, s.serverIDOverride = o.LinkSelection, o.ServerIDOverride
	if o.Policy != nil {
		p, err := ParsePolicy(*o.Policy)
		if err != nil {
			errs.addf(where, "information-option: policy: %w", err)
		} else {
			s.policy = &p
		}
	}
	s.rate = parseRateLimit(r.RateLimit, r.VerifyCHAddr, where, errs)
	s.fallback = parseFallback(r.Fallback, where, inDefaults, errs)
	if r.ForwardProtocol != nil {
		l := parseForwardList(*r.ForwardProtocol, "forward-protocol", where, errs)
		s.forward = &l
	}
	if r.PortHelpers != nil {
		ph := parsePortHelpers(*r.PortHelpers, where, errs)
		s.portHelpers = &ph
	}
	s.directedBroadcast = r.DirectedBroadcast
	where += "information-option: "
	s.circuitID = parseTemplateKey(o.CircuitID, true, where+"circuit-id: ", errs)
	s.remoteID = parseTemplateKey(o.RemoteID, true, where+"remote-id: ", errs)
	s.subscriberID = parseTemplateKey(o.SubscriberID, false, where+"subscriber-id: ", errs)
	return s
}

// parseAddressing checks a giaddr / source-interface pair, named gk and sk
// in errors.
func parseAddressing(giaddr, source *string, gk, sk, where string, errs *errList) *addressing {
	if giaddr == nil && source == nil {
		return nil
	}
	var a addressing
	if giaddr != nil && *giaddr != "" {
		if source != nil && *source != "" {
			errs.addf(where, "%s and %s are mutually exclusive", gk, sk)
			return nil
		}
		g, err := parseGIAddr(*giaddr)
		if err != nil {
			errs.addf(where, "%s: %w", gk, err)
			return nil
		}
		a.giaddr = g
	}
	if source != nil && *source != "" {
		if err := checkLinkName(*source); err != nil {
			errs.addf(where, "%s: %w", sk, err)
			return nil
		}
		a.source = *source
	}
	return &a
}

// parseTemplateKey compiles an optional template; required templates may
// not be empty.
func parseTemplateKey(s *string, required bool, where string, errs *errList) *Template {
	if s == nil {
		return nil
	}
	if required && *s == "" {
		errs.addf(where, "must not be empty")
		return nil
	}
	t, err := ParseTemplate(*s)
	if err != nil {
		errs.addf(where, "%w", err)
		return nil
	}
	return &t
}

// merge returns the value of every key from the first layer that sets it,
// then from the built-in defaults.
func merge(layers ...settings) settings {
	var m settings
	for _, l := range layers {
		m.helpers = first(m.helpers, l.helpers)
		m.addressing = first(m.addressing, l.addressing)
		m.trusted = first(m.trusted, l.trusted)
		m.insert = first(m.insert, l.insert)
		m.check = first(m.check, l.check)
		m.linkSelection = first(m.linkSelection, l.linkSelection)
		m.serverIDOverride = first(m.serverIDOverride, l.serverIDOverride)
		m.policy = first(m.policy, l.policy)
		m.circuitID = first(m.circuitID, l.circuitID)
		m.remoteID = first(m.remoteID, l.remoteID)
		m.subscriberID = first(m.subscriberID, l.subscriberID)
		mergeRate(&m.rate, &l.rate)
		mergeFallback(&m.fallback, &l.fallback)
		if l.forward != nil {
			m.forwardLayers = append(m.forwardLayers, *l.forward)
		}
		m.portHelpers = first(m.portHelpers, l.portHelpers)
		m.directedBroadcast = first(m.directedBroadcast, l.directedBroadcast)
	}
	return m
}

// first returns a unless it is nil, else b.
func first[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// builtinSettings are the defaults of defaults.go as a layer.
func builtinSettings() settings {
	circuit, _ := ParseTemplate(DefaultCircuitID)
	remote, _ := ParseTemplate(DefaultRemoteID)
	return settings{
		addressing:        &addressing{},
		trusted:           ptr(DefaultTrusted),
		insert:            ptr(DefaultInsert),
		check:             ptr(DefaultCheck),
		linkSelection:     ptr(false),
		serverIDOverride:  ptr(false),
		policy:            ptr(DefaultPolicy),
		circuitID:         &circuit,
		remoteID:          &remote,
		subscriberID:      &Template{},
		rate:              builtinRate(),
		fallback:          builtinFallback(),
		directedBroadcast: ptr(false),
	}
}

func ptr[T any](v T) *T { return &v }

package config

import (
	"fmt"
	"slices"
)

// buildInterfaces merges every interface entry of the file and of the
// flags, most specific layer first (see the package documentation).
func buildInterfaces(raw rawFile, f Flags, errs *errList) []Interface {
	builtin := builtinSettings()
	defaults := parseSettings(raw.Defaults, "defaults: ", true, errs)
	fl := parseFlags(f, errs)
	onCLI := cliInterfaces(f.Interfaces, errs)

	var out []Interface
	seen := map[string]int{}
	for i, ri := range raw.Interfaces {
		where := fmt.Sprintf("interfaces[%d]: ", i)
		if ri.Name == nil {
			errs.addf(where, "name: missing")
			continue
		}
		name := *ri.Name
		if err := checkInterfaceName(name); err != nil {
			errs.addf(where, "name: %w", err)
			continue
		}
		if j, dup := seen[name]; dup {
			errs.addf(where, "interface %q is given twice (also interfaces[%d])", name, j)
			continue
		}
		seen[name] = i
		block := parseSettings(ri.rawSettings, fmt.Sprintf("interface %q: ", name), false, errs)
		layers := []settings{fl.named[name]}
		if slices.Contains(onCLI, name) {
			layers = append(layers, fl.cli, fl.global)
		}
		layers = append(layers, block, fl.global, defaults, builtin)
		out = append(out, resolve(name, merge(layers...), errs))
	}
	for _, name := range onCLI {
		if _, ok := seen[name]; !ok {
			seen[name] = -1
			out = append(out, resolve(name, merge(fl.named[name], fl.cli, fl.global, defaults, builtin), errs))
		}
	}
	for _, name := range fl.order {
		if _, ok := seen[name]; !ok {
			errs.addf("", "%s: interface %q is not configured (give --interface %s or an interfaces: entry)",
				fl.origin[name], name, name)
		}
	}
	if len(raw.Interfaces) == 0 && len(f.Interfaces) == 0 {
		errs.addf("", "no downstream interfaces: give --interface or interfaces: in the config file")
	}
	return out
}

// cliInterfaces checks the --interface names and drops repeats.
func cliInterfaces(names []string, errs *errList) []string {
	var out []string
	for _, n := range names {
		if err := checkInterfaceName(n); err != nil {
			errs.addf("", "--interface %q: %w", n, err)
			continue
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// resolve turns merged settings into an Interface; every key is set,
// because the last layer holds the built-in defaults.
func resolve(name string, m settings, errs *errList) Interface {
	in := Interface{
		Name:            name,
		GIAddr:          m.addressing.giaddr,
		SourceInterface: m.addressing.source,
		Trusted:         *m.trusted,
		Option82: Option82{
			Insert:           *m.insert,
			Policy:           *m.policy,
			Check:            *m.check,
			CircuitID:        *m.circuitID,
			RemoteID:         *m.remoteID,
			SubscriberID:     *m.subscriberID,
			LinkSelection:    *m.linkSelection,
			ServerIDOverride: *m.serverIDOverride,
		},
		RateLimit:         resolveRate(&m.rate),
		VerifyCHAddr:      *m.rate.verifyCHAddr,
		Fallback:          resolveFallback(name, &m.fallback, errs),
		DirectedBroadcast: *m.directedBroadcast,
	}
	if m.portHelpers != nil && len(*m.portHelpers) > 0 {
		in.PortHelpers = *m.portHelpers
	}
	in.ForwardPorts = resolveForward(name, m.forwardLayers, in.PortHelpers, errs)
	switch {
	case m.helpers != nil && len(m.helpers.addrs) > 0:
		in.Helpers = slices.Clone(m.helpers.addrs)
	case m.helpers == nil || !m.helpers.bad:
		errs.addf("", "interface %q: no helper-addresses: give helper-addresses: in the config file or --helper-address", name)
	}
	return in
}

// flagLayers are the flags as settings layers: global ones, and those
// given as NAME=VALUE per interface entry.
type flagLayers struct {
	global settings
	cli    settings // flags for the --interface entries only
	named  map[string]settings
	order  []string          // names of named, in the order given
	origin map[string]string // the first flag that named each, for errors
}

// parseFlags checks the flags and sorts them into layers.
func parseFlags(f Flags, errs *errList) *flagLayers {
	fl := &flagLayers{named: map[string]settings{}, origin: map[string]string{}}
	g := &fl.global
	g.insert, g.check = f.InformationOption, f.InformationCheck
	g.linkSelection, g.serverIDOverride = f.LinkSelection, f.ServerIDOverride
	if f.TrustAll {
		g.trusted = ptr(true)
	}
	if f.InformationPolicy != nil {
		if p, err := ParsePolicy(*f.InformationPolicy); err != nil {
			errs.addf("", "--information-policy: %w", err)
		} else {
			g.policy = &p
		}
	}
	g.remoteID = parseTemplateKey(f.RemoteID, true, "--remote-id: ", errs)
	g.rate.interfaceRate = parseRateKey(f.InterfaceRate, "--rate-limit-interface: ", errs)
	g.rate.clientRate = parseRateKey(f.ClientRate, "--rate-limit-client: ", errs)
	g.rate.verifyCHAddr = f.VerifyCHAddr
	g.addressing = parseAddressing(f.GIAddr, f.SourceInterface, "--giaddr", "--source-interface", "", errs)
	for _, h := range f.HelperAddresses {
		fl.addHelper(h, errs)
	}
	for _, n := range f.TrustedInterfaces {
		origin := fmt.Sprintf("--trusted-interface %q", n)
		if err := checkInterfaceName(n); err != nil {
			errs.addf(origin+": ", "%w", err)
			continue
		}
		fl.edit(n, origin, func(s *settings) { s.trusted = ptr(true) })
	}
	for _, c := range f.CircuitIDs {
		fl.addTemplate("--circuit-id", c, true, func(s *settings) **Template { return &s.circuitID }, errs)
	}
	for _, c := range f.SubscriberIDs {
		fl.addTemplate("--subscriber-id", c, false, func(s *settings) **Template { return &s.subscriberID }, errs)
	}
	fl.addFallback(f, errs)
	for _, v := range f.ForwardProtocols {
		fl.addForward(v, errs)
	}
	for _, n := range f.DirectedBroadcast {
		origin := fmt.Sprintf("--directed-broadcast %q", n)
		if err := checkInterfaceName(n); err != nil {
			errs.addf(origin+": ", "%w", err)
			continue
		}
		fl.edit(n, origin, func(s *settings) { s.directedBroadcast = ptr(true) })
	}
	return fl
}

// addForward adds one --forward-protocol value, ENTRY or NAME=ENTRY.
func (fl *flagLayers) addForward(v string, errs *errList) {
	origin := fmt.Sprintf("--forward-protocol %q", v)
	where := origin + ": "
	name, value, ok := splitAssignment(v, false)
	if ok {
		if err := checkInterfaceName(name); err != nil {
			errs.addf(where, "%w", err)
			return
		}
	}
	e, err := parseForwardProtocol(value)
	if err != nil {
		errs.addf(where, "%w", err)
		return
	}
	fl.edit(name, origin, func(s *settings) {
		if s.forward == nil {
			s.forward = &forwardLayer{}
		}
		*s.forward = append(*s.forward, e)
	})
}

// edit changes the layer of interface entry name (or the global layer when
// name is empty); origin names the flag for later errors.
func (fl *flagLayers) edit(name, origin string, change func(*settings)) {
	if name == "" {
		change(&fl.global)
		return
	}
	s, ok := fl.named[name]
	if !ok {
		fl.order = append(fl.order, name)
		fl.origin[name] = origin
	}
	change(&s)
	fl.named[name] = s
}

// addHelper adds one --helper-address value, ADDR or NAME=ADDR.
func (fl *flagLayers) addHelper(h string, errs *errList) {
	origin := fmt.Sprintf("--helper-address %q", h)
	where := origin + ": "
	name, value, ok := splitAssignment(h, false)
	if ok {
		if err := checkInterfaceName(name); err != nil {
			errs.addf(where, "%w", err)
			return
		}
	}
	a, err := parseHelper(value)
	fl.edit(name, origin, func(s *settings) {
		if s.helpers == nil {
			s.helpers = &helpers{}
		}
		switch {
		case err != nil:
			errs.addf(where, "%w", err)
			s.helpers.bad = true
		case slices.Contains(s.helpers.addrs, a):
			errs.addf(where, "%s is given twice", a)
		default:
			s.helpers.addrs = append(s.helpers.addrs, a)
		}
	})
}

// addTemplate adds one template flag value, TEMPLATE or NAME=TEMPLATE, to
// the field that key returns.
func (fl *flagLayers) addTemplate(flag, v string, required bool, key func(*settings) **Template, errs *errList) {
	origin := fmt.Sprintf("%s %q", flag, v)
	where := origin + ": "
	name, value, ok := splitAssignment(v, true)
	if ok {
		if err := checkInterfaceName(name); err != nil {
			errs.addf(where, "%w", err)
			return
		}
	}
	t := parseTemplateKey(&value, required, where, errs)
	if t == nil {
		return
	}
	fl.edit(name, origin, func(s *settings) {
		switch {
		case *key(s) != nil && name == "":
			errs.addf(where, "only one %s without NAME= may be given", flag)
			return
		case *key(s) != nil:
			errs.addf(where, "only one %s for interface %q may be given", flag, name)
			return
		}
		*key(s) = t
	})
}

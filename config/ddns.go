package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// DefaultDDNSPort is the DNS port updates go to when server: names none.
const DefaultDDNSPort = 53

// DDNS is a fallback scope's dynamic DNS: the A and PTR records of its
// clients, sent to a primary server as RFC 2136 updates signed with a TSIG
// key (relay/ddns). Set only when enabled.
type DDNS struct {
	ForwardZone string         // zone of the A records; "" for none
	ReverseZone string         // zone of the PTR records; "" for none
	Server      netip.AddrPort // the zones' primary server
	KeyFile     string         // the TSIG key in named.conf syntax; readable by the daemon only
	KeyName     string         // the key of KeyFile to use; "" for the first
	// OverrideClientUpdate makes the server add the A record even when the
	// client asks to do it (option 81 S=0) or asks for no update (N=1).
	OverrideClientUpdate bool
	// GeneratedName names clients that send no name, e.g.
	// "dhcp-{ip-dashes}"; "" registers nothing for them.
	GeneratedName string
	// ReplaceChar replaces invalid characters of a client's name; ""
	// drops them.
	ReplaceChar string
}

// rawDDNS is a fallback: ddns: block.
type rawDDNS struct {
	Enabled              *bool   `yaml:"enabled,omitempty"`
	ForwardZone          *string `yaml:"forward-zone,omitempty"`
	ReverseZone          *string `yaml:"reverse-zone,omitempty"`
	Server               *string `yaml:"server,omitempty"`
	KeyFile              *string `yaml:"key-file,omitempty"`
	KeyName              *string `yaml:"key-name,omitempty"`
	OverrideClientUpdate *bool   `yaml:"override-client-update,omitempty"`
	GeneratedName        *string `yaml:"generated-name,omitempty"`
	ReplaceChar          *string `yaml:"replace-char,omitempty"`
}

// ddnsSettings is one layer's ddns keys; nil is "not set by this layer".
type ddnsSettings struct {
	enabled, override                          *bool
	forwardZone, reverseZone, keyFile, keyName *string
	generatedName, replaceChar                 *string
	server                                     *netip.AddrPort
}

// parseDDNS checks a ddns: block key by key; where ends with "fallback.".
func parseDDNS(r *rawDDNS, where string, errs *errList) ddnsSettings {
	if r == nil {
		return ddnsSettings{}
	}
	w := where + "ddns."
	s := ddnsSettings{enabled: r.Enabled, override: r.OverrideClientUpdate, keyFile: r.KeyFile, keyName: r.KeyName, generatedName: r.GeneratedName}
	s.forwardZone = domainKey(r.ForwardZone, w+"forward-zone: ", errs)
	s.reverseZone = domainKey(r.ReverseZone, w+"reverse-zone: ", errs)
	if r.ReverseZone != nil && s.reverseZone != nil && !strings.HasSuffix(strings.TrimSuffix(strings.ToLower(*s.reverseZone), "."), "in-addr.arpa") {
		errs.addf(w, "reverse-zone: %q is not under in-addr.arpa", *r.ReverseZone)
	}
	if r.Server != nil {
		ap, err := parseServer(*r.Server)
		if err != nil {
			errs.addf(w, "server: %q: %w", *r.Server, err)
		} else {
			s.server = &ap
		}
	}
	if r.ReplaceChar != nil {
		if c := *r.ReplaceChar; len(c) > 1 || c != "" && !strings.ContainsAny(c, "abcdefghijklmnopqrstuvwxyz0123456789-") {
			errs.addf(w, "replace-char: %q must be one letter, digit or hyphen, or empty", c)
		} else {
			s.replaceChar = r.ReplaceChar
		}
	}
	return s
}

// parseServer parses "addr" or "addr:port".
func parseServer(s string) (netip.AddrPort, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a, DefaultDDNSPort), nil
	}
	return netip.ParseAddrPort(s)
}

// mergeDDNS takes every ddns key from the first layer that sets it.
func mergeDDNS(m, l *ddnsSettings) {
	m.enabled, m.override = first(m.enabled, l.enabled), first(m.override, l.override)
	m.forwardZone, m.reverseZone = first(m.forwardZone, l.forwardZone), first(m.reverseZone, l.reverseZone)
	m.keyFile, m.keyName = first(m.keyFile, l.keyFile), first(m.keyName, l.keyName)
	m.generatedName, m.replaceChar = first(m.generatedName, l.generatedName), first(m.replaceChar, l.replaceChar)
	m.server = first(m.server, l.server)
}

// resolveDDNS returns the scope's DDNS, or nil when no layer sets a
// server or enabled is false.
func resolveDDNS(m *ddnsSettings, where string, errs *errList) *DDNS {
	if m.server == nil || m.enabled != nil && !*m.enabled {
		if m.enabled != nil && *m.enabled && m.server == nil {
			errs.addf(where, ".ddns.server: missing: dynamic DNS needs the zones' primary server")
		}
		return nil
	}
	d := &DDNS{Server: *m.server, ReplaceChar: "-"}
	for _, kv := range []struct {
		dst *string
		src *string
	}{{&d.ForwardZone, m.forwardZone}, {&d.ReverseZone, m.reverseZone}, {&d.KeyFile, m.keyFile}, {&d.KeyName, m.keyName}, {&d.GeneratedName, m.generatedName}, {&d.ReplaceChar, m.replaceChar}} {
		if kv.src != nil {
			*kv.dst = *kv.src
		}
	}
	d.OverrideClientUpdate = m.override != nil && *m.override
	switch {
	case d.KeyFile == "":
		errs.addf(where, ".ddns.key-file: missing: updates are signed with a TSIG key")
	case d.ForwardZone == "" && d.ReverseZone == "":
		errs.addf(where, ".ddns: neither forward-zone nor reverse-zone is set")
	}
	return d
}

// String is the block as the effective config shows it.
func (d *DDNS) String() string {
	return fmt.Sprintf("forward-zone %q reverse-zone %q server %s", d.ForwardZone, d.ReverseZone, d.Server)
}

package ddns

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// Limits of DNS names (RFC 1035 §2.3.4).
const (
	maxLabel = 63
	maxName  = 253 // presentation form without the final dot
)

// SanitizeLabel turns s into a valid host name label (RFC 952, RFC 1123
// §2.1: letters, digits and hyphens, no hyphen at either end, at most 63
// octets), lower case. Every other byte becomes replace, or is dropped
// when replace is empty; replace must itself be letters, digits or
// hyphens. The result is "" when nothing usable is left.
func SanitizeLabel(s, replace string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			b.WriteByte(c)
		default:
			b.WriteString(replace)
		}
		if b.Len() > 4*maxLabel { // enough: the rest is cut anyway
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > maxLabel {
		out = strings.TrimRight(out[:maxLabel], "-")
	}
	return out
}

// sanitizeName sanitizes every label of a dotted name and drops the empty
// ones; "" when none is left.
func sanitizeName(s, replace string) string {
	var labels []string
	for l := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		if l = SanitizeLabel(l, replace); l != "" {
			labels = append(labels, l)
		}
	}
	return strings.Join(labels, ".")
}

// qualify joins a host name and a domain into a fully qualified name with
// the final dot; "" when the result is not a valid name.
func qualify(host, domain string) string {
	if host == "" {
		return ""
	}
	name := host
	if d := strings.Trim(domain, "."); d != "" {
		name += "." + strings.ToLower(d)
	}
	if len(name) > maxName {
		return ""
	}
	if _, ok := dns.IsDomainName(name); !ok {
		return ""
	}
	return dns.Fqdn(name)
}

// HostName returns the fully qualified name for a client that sent host
// name option 12: its first label, sanitized, in domain. "" when nothing
// usable is left.
func HostName(opt12, domain, replace string) string {
	first, _, _ := strings.Cut(opt12, ".")
	return qualify(SanitizeLabel(first, replace), domain)
}

// GeneratedName expands a generated-name template for addr in domain:
// {ip-dashes} becomes the address with dashes ("dhcp-{ip-dashes}" is
// "dhcp-203-0-113-10" for 203.0.113.10). "" for an empty template.
func GeneratedName(template string, addr netip.Addr, domain, replace string) string {
	if template == "" {
		return ""
	}
	s := strings.ReplaceAll(template, "{ip-dashes}", strings.ReplaceAll(addr.String(), ".", "-"))
	return qualify(SanitizeLabel(s, replace), domain)
}

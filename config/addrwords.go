package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// whyNotIPv4 says, in the words of the config file, why s is not a dotted
// IPv4 address ("256 is more than 255"), instead of the parser's error.
func whyNotIPv4(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case strings.Contains(s, "/"):
		return "a prefix length is not allowed here, give the address alone"
	case strings.Contains(s, ":"):
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
			return "it is an IPv6 address"
		}
		return "it holds a ':' (a port is not allowed here)"
	}
	if strings.ContainsAny(s, ", ") {
		return "give one address per list entry ([a, b] for several)"
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 && strings.IndexFunc(s, isLetter) >= 0 {
		return "it is a name, not an address (give the IPv4 address a.b.c.d)"
	}
	if len(parts) != 4 {
		return fmt.Sprintf("it is not four numbers a.b.c.d (it has %d)", len(parts))
	}
	for _, p := range parts {
		if msg := whyNotOctet(p); msg != "" {
			return msg
		}
	}
	return "it is not in dotted form a.b.c.d"
}

// whyNotOctet says why p is not one decimal byte of an address, or "".
func whyNotOctet(p string) string {
	if p == "" {
		return "it has an empty part between dots"
	}
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return fmt.Sprintf("%q is not a decimal number", p)
		}
		if n = n*10 + int(c-'0'); n > 255 {
			return fmt.Sprintf("%s is more than 255", p)
		}
	}
	if len(p) > 1 && p[0] == '0' {
		return fmt.Sprintf("%q has a leading zero (ambiguous: octal to some tools)", p)
	}
	return ""
}

// isLetter reports whether r is an ASCII letter.
func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

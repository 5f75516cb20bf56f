package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// maxLinkName is the longest Linux interface name (IFNAMSIZ - 1).
const maxLinkName = 15

// maxPattern bounds an interface pattern.
const maxPattern = 255

// isPattern reports whether name is a pattern (see pattern.go) rather
// than an exact interface name.
func isPattern(name string) bool { return strings.ContainsAny(name, `*?[\{}`) }

// checkLinkName checks an exact Linux interface name the way the kernel's
// dev_valid_name does: 1 to 15 bytes, not "." or "..", no '/', ':' or
// white space (and no control bytes).
func checkLinkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty interface name")
	case len(name) > maxLinkName:
		return fmt.Errorf("interface name %q is longer than %d bytes", name, maxLinkName)
	case name == "." || name == "..":
		return fmt.Errorf("%q is not a valid interface name", name)
	}
	return checkNameBytes(name)
}

// checkNameBytes rejects the bytes no interface name may hold.
func checkNameBytes(name string) error {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c == 0x7f || c == '/' || c == ':' {
			return fmt.Errorf("interface name %q holds %q, which no interface name may", name, c)
		}
	}
	return nil
}

// checkInterfaceName checks an interface entry's name: an exact name, or a
// pattern (path.Match syntax with numeric ranges, see pattern.go).
func checkInterfaceName(name string) error {
	if !isPattern(name) {
		return checkLinkName(name)
	}
	if len(name) > maxPattern {
		return fmt.Errorf("interface pattern %q is longer than %d bytes", name, maxPattern)
	}
	if err := checkNameBytes(name); err != nil {
		return err
	}
	_, err := compilePattern(name)
	return err
}

// parseIPv4 parses s as an IPv4 unicast address: not 0.0.0.0, multicast
// (224.0.0.0/4), or reserved and broadcast (240.0.0.0/4).
func parseIPv4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%q is not an IPv4 address: %s", s, whyNotIPv4(s))
	}
	if !a.Is4() {
		return netip.Addr{}, fmt.Errorf("%q is not an IPv4 address", s)
	}
	if a.IsUnspecified() || a.IsMulticast() || a.As4()[0] >= 240 {
		return netip.Addr{}, fmt.Errorf("%q is not an IPv4 unicast address", s)
	}
	return a, nil
}

// parseHelper parses a helper address. Loopback addresses are allowed: a
// DHCP server on the relay itself is reached through lo.
func parseHelper(s string) (netip.Addr, error) { return parseIPv4(s) }

// parseGIAddr parses a giaddr: an IPv4 unicast address that servers can
// send replies to, so not a loopback one.
func parseGIAddr(s string) (netip.Addr, error) {
	a, err := parseIPv4(s)
	if err != nil {
		return netip.Addr{}, err
	}
	if a.IsLoopback() {
		return netip.Addr{}, fmt.Errorf("%q is a loopback address, which servers cannot reply to", s)
	}
	return a, nil
}

// splitAssignment splits a NAME=VALUE flag value. Without a '=' (or with
// nothing before it) the whole of s is the value and ok is false. For a
// template, a prefix holding '{', '}' or ':' is part of the template, not
// a name, so "hex:..." and "{ifname}=..." stay whole, unless it is an
// interface pattern with a numeric range: "eth0.{10-20}=..." names one.
func splitAssignment(s string, template bool) (name, value string, ok bool) {
	i := strings.IndexByte(s, '=')
	if i <= 0 || template && strings.ContainsAny(s[:i], "{}:") && !isRangePattern(s[:i]) {
		return "", s, false
	}
	return s[:i], s[i+1:], true
}

// isRangePattern reports whether s is a valid interface pattern that holds
// a numeric range.
func isRangePattern(s string) bool {
	return !strings.Contains(s, ":") && strings.Contains(s, "{") && checkInterfaceName(s) == nil
}

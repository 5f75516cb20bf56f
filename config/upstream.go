package config

import (
	"fmt"
	"net/netip"
	"slices"
)

// A pattern names the downstream interfaces an engineer means, not every
// link the kernel has: "*" must not take the link toward the helpers, or
// their replies arrive on a "downstream" interface and are dropped as
// spoofed. So a pattern never takes a link that is loopback or that holds
// the route to a helper; only an entry with the link's exact name does.

// Upstream is what makes a link of this machine upstream rather than a
// downstream interface for a pattern. The zero Upstream is neither.
type Upstream struct {
	// Loopback: the link is lo (IFF_LOOPBACK).
	Loopback bool
	// Helper, when valid, is a helper the kernel routes through the link.
	Helper netip.Addr
}

// IsUpstream reports whether a pattern must leave the link alone.
func (u Upstream) IsUpstream() bool { return u.Loopback || u.Helper.IsValid() }

// String says why, e.g. "it holds the route to helper 198.51.100.2".
func (u Upstream) String() string {
	switch {
	case u.Loopback:
		return "it is loopback"
	case u.Helper.IsValid():
		return fmt.Sprintf("it holds the route to helper %s", u.Helper)
	}
	return "it is downstream"
}

// MatchLink is Match for a link of this machine that up describes: an
// upstream link is taken only by an entry with its exact name. excluded is
// the pattern that would have taken it otherwise (nil if none). Safe for
// concurrent use.
func (c *Config) MatchLink(name string, up Upstream) (in *Interface, ok bool, excluded *Interface) {
	in, ok = c.Match(name)
	if ok && in.IsPattern() && up.IsUpstream() {
		return nil, false, in
	}
	return in, ok, nil
}

// AllHelpers returns every helper address of every entry, once each, in
// address order.
func (c *Config) AllHelpers() []netip.Addr {
	var out []netip.Addr
	for i := range c.Interfaces {
		out = append(out, c.Interfaces[i].Helpers...)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

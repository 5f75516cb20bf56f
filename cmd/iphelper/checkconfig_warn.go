package main

import (
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sort"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
)

// linkWarnings returns what cfg holds that this machine's links show to
// be almost surely a mistake: a helper that is one of the machine's own
// addresses (the relay would send requests to itself; loopback helpers,
// for a DHCP server on the relay, are meant) or the broadcast address of
// one of its subnets (every host there would get the requests). Each is
// led by the config path of the helper, for config.Locate.
func linkWarnings(cfg *config.Config, links map[string]iface.Link) []string {
	names := make([]string, 0, len(links))
	for n := range links {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, in := range cfg.Interfaces {
		for j, h := range in.Helpers {
			where := fmt.Sprintf("interface %q: helper-addresses[%d]: ", in.Name, j)
			for _, n := range names {
				if w := helperOnLink(h, links[n]); w != "" && !slices.Contains(out, where+w) {
					out = append(out, where+w)
				}
			}
		}
	}
	return out
}

// helperOnLink says what is wrong with helper h given link l, or "".
func helperOnLink(h netip.Addr, l iface.Link) string {
	for _, p := range l.Addrs {
		switch {
		case p.Addr() == h && !h.IsLoopback():
			return fmt.Sprintf("%s is an address of this machine (%s): the relay would send requests to itself", h, l.Name)
		case p.Bits() < 31 && lastAddr(p) == h:
			return fmt.Sprintf("%s is the broadcast address of %s's subnet %s: every host there would get the requests; give the DHCP servers' own addresses", h, l.Name, p.Masked())
		}
	}
	return ""
}

// lastAddr returns the last address of prefix p (its broadcast address).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	for i := p.Bits(); i < 32; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom4(b)
}

// logWarnings logs the configuration's warnings (run logs them at start,
// where check-config prints them).
func logWarnings(log *slog.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings {
		log.Warn("configuration warning", "warning", w)
	}
}

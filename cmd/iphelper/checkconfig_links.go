package main

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
)

// machineLink is what check-config needs to know of a link of this machine.
type machineLink struct {
	Name     string
	Index    int
	Loopback bool
}

// machineLinks returns this machine's links and, by link index, a helper
// of cfg that each routes; an error leaves the listing out.
func machineLinks(cfg *config.Config) ([]machineLink, map[int]netip.Addr, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, nil, fmt.Errorf("failed to list this machine's interfaces: %w", err)
	}
	links := make([]machineLink, 0, len(ifs))
	for _, ifi := range ifs {
		links = append(links, machineLink{Name: ifi.Name, Index: ifi.Index, Loopback: ifi.Flags&net.FlagLoopback != 0})
	}
	routed, _ := iface.HelperRoutes(iface.NetlinkRoutes{}, cfg.AllHelpers()) // a helper without a route marks no link
	return links, routed, nil
}

// patternReport says, as YAML comments, which links of this machine each
// pattern entry serves, and which it leaves alone and why.
func patternReport(cfg *config.Config, links []machineLink, routed map[int]netip.Addr) string {
	links = slices.Clone(links)
	slices.SortFunc(links, func(a, b machineLink) int { return strings.Compare(a.Name, b.Name) })
	served := map[string][]string{}
	left := map[string][]string{}
	for _, l := range links {
		up := config.Upstream{Loopback: l.Loopback, Helper: routed[l.Index]}
		in, ok, excluded := cfg.MatchLink(l.Name, up)
		switch {
		case excluded != nil:
			left[excluded.Name] = append(left[excluded.Name], fmt.Sprintf("not %s: %s (name it exactly to serve it)", l.Name, up))
		case ok && in.IsPattern():
			served[in.Name] = append(served[in.Name], l.Name)
		}
	}
	var b strings.Builder
	for i := range cfg.Interfaces {
		in := &cfg.Interfaces[i]
		if !in.IsPattern() {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("# what each pattern serves on this machine:\n")
		}
		matched := "no interface"
		if s := served[in.Name]; len(s) > 0 {
			matched = strings.Join(s, ", ")
		}
		fmt.Fprintf(&b, "#   %q: %s\n", in.Name, matched)
		for _, why := range left[in.Name] {
			fmt.Fprintf(&b, "#     %s\n", why)
		}
	}
	return b.String()
}

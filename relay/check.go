package relay

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay/fallback"
)

// CheckConfig checks cfg against links, the links of this machine as the
// netlink watcher reports them, the way the relay will apply it: every link
// the relay will serve must give a state the relay can serve (its option-82
// templates expand, its option 82 encodes), and a fallback scope must fit
// the subnet of the link's primary IPv4 address, the address the relay
// serves it on, and be a scope the fallback server accepts, built as the
// relay builds it (the appliance's other addresses on that subnet left
// out, server-id-override shared). The links served are those reconcile
// picks: routes, asked of the kernel's routing table (nil: none known),
// tell which links hold the route to a helper, and a pattern never takes
// those nor loopback. Links without an IPv4 address are checked again when
// they get one. check-config, the daemon at start and every reload run it,
// so that a file one accepts is never one that another silently applies
// with an interface or a fallback scope switched off. The error lists every
// problem, one per line, each naming the interface (and the pattern that
// matched it); it is nil when there is none. It only reads its arguments.
func CheckConfig(cfg *config.Config, links map[string]iface.Link, routes iface.RouteFinder) error {
	names := make([]string, 0, len(links))
	ours := make(map[netip.Addr]bool)
	for name, l := range links {
		names = append(names, name)
		for _, p := range l.Addrs {
			ours[p.Addr()] = true
		}
	}
	slices.Sort(names)
	sel, _ := selectorFor(cfg, routes) // a helper without a route marks no link, as in reconcile
	var errs []error
	for _, name := range names {
		ifc, ok := sel.match(links[name])
		if !ok {
			continue
		}
		if err := checkLink(cfg, ifc, links[name], links, ours); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, checkForwardBroadcasts(ifc, links[name], links, sel)...)
	}
	return errors.Join(errs...)
}

// checkForwardBroadcasts checks the helpers of link's forwarded UDP ports
// that are the directed broadcast of a subnet of this machine: the
// broadcast leaves as a link-layer broadcast only on a served interface
// with directed-broadcast (IOS `ip directed-broadcast`), and never on the
// link the broadcast came in on.
func checkForwardBroadcasts(ifc *config.Interface, link iface.Link, links map[string]iface.Link, sel *linkSelector) []error {
	var errs []error
	for _, port := range ifc.ForwardPorts {
		for _, h := range ifc.ForwardHelpers(port) {
			owner, subnet, ok := broadcastOwner(links, h)
			if !ok {
				continue
			}
			where := fmt.Sprintf("interface %q: forward-protocol udp:%d: helper %s is the broadcast of %s on %q", link.Name, port, h, subnet, owner)
			out, served := sel.match(links[owner])
			switch {
			case owner == link.Name:
				errs = append(errs, fmt.Errorf("%s, the interface it came in on", where))
			case !served:
				errs = append(errs, fmt.Errorf("%s, which is not a served interface: a broadcast leaves only on one with directed-broadcast: true", where))
			case !out.DirectedBroadcast:
				errs = append(errs, fmt.Errorf("%s, which does not allow it: give it directed-broadcast: true (IOS ip directed-broadcast)", where))
			}
		}
	}
	return errs
}

// broadcastOwner finds the link that has a subnet whose directed
// broadcast is a, in name order.
func broadcastOwner(links map[string]iface.Link, a netip.Addr) (string, netip.Prefix, bool) {
	names := make([]string, 0, len(links))
	for n := range links {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		for _, p := range links[n].Addrs {
			if subnetBroadcast(p) == a {
				return n, p.Masked(), true
			}
		}
	}
	return "", netip.Prefix{}, false
}

// checkLink checks the configuration one link gets; ours holds every
// address of every link.
func checkLink(cfg *config.Config, ifc *config.Interface, link iface.Link, links map[string]iface.Link, ours map[netip.Addr]bool) error {
	where, matched := fmt.Sprintf("interface %q", link.Name), ""
	if ifc.IsPattern() {
		matched = fmt.Sprintf(" (matched by %q)", ifc.Name)
		where += matched
	}
	st, err := buildState(link, stateInput{cfg: cfg, ifc: ifc, links: links, counters: new(ifaceCounters)})
	if err != nil {
		return fmt.Errorf("%w%s", err, matched) // it names the interface
	}
	if ifc.Fallback == nil || !st.addr.IsValid() {
		return nil
	}
	prefix := fmt.Sprintf("%s: address %s: ", where, st.addr)
	if err := ifc.Fallback.CheckSubnet(st.addr); err != nil {
		return prefixLines(prefix, err)
	}
	if err := fallback.CheckScope(fallbackScope(link.Name, newScopeInput(st.addr, ifc, ours))); err != nil {
		return prefixLines(prefix, err)
	}
	return nil
}

// prefixLines puts prefix before every line of err.
func prefixLines(prefix string, err error) error {
	return errors.New(prefix + strings.ReplaceAll(err.Error(), "\n", "\n"+prefix))
}

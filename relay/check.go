package relay

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
)

// CheckConfig checks cfg against links, the links of this machine as the
// netlink watcher reports them, the way the relay will apply it: every link
// the configuration matches must give a state the relay can serve (its
// option-82 templates expand, its option 82 encodes), and a fallback scope
// must fit the subnet of the link's primary IPv4 address, the address the
// relay serves it on. Links without an IPv4 address are checked again when
// they get one. check-config, the daemon at start and every reload run it,
// so that a file one accepts is never one that another silently applies
// with an interface or a fallback scope switched off. The error lists every
// problem, one per line, each naming the interface (and the pattern that
// matched it); it is nil when there is none. It only reads its arguments.
func CheckConfig(cfg *config.Config, links map[string]iface.Link) error {
	names := make([]string, 0, len(links))
	for name := range links {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		ifc, ok := cfg.Match(name)
		if !ok {
			continue
		}
		if err := checkLink(cfg, ifc, links[name], links); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkLink checks the configuration one link gets.
func checkLink(cfg *config.Config, ifc *config.Interface, link iface.Link, links map[string]iface.Link) error {
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
	if err := ifc.Fallback.CheckSubnet(st.addr); err != nil {
		return prefixLines(fmt.Sprintf("%s: address %s: ", where, st.addr), err)
	}
	return nil
}

// prefixLines puts prefix before every line of err.
func prefixLines(prefix string, err error) error {
	return errors.New(prefix + strings.ReplaceAll(err.Error(), "\n", "\n"+prefix))
}

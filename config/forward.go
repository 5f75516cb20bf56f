package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// IOSForwardPorts are the UDP ports Cisco IOS forwards by default once an
// interface has an `ip helper-address`, besides BOOTP (67, 68), which the
// DHCP path relays anyway: Time (37), IEN-116 name server (42), TACACS (49),
// DNS (53), TFTP (69), NetBIOS name (137) and datagram (138) service. The
// keyword ios-defaults of forward-protocol adds them all.
var IOSForwardPorts = []uint16{37, 42, 49, 53, 69, 137, 138}

// MaxForwardPorts bounds the UDP ports one interface forwards: each is a
// test in the interface's packet filter, whose jumps reach at most 255
// instructions.
const MaxForwardPorts = 64

// forwardPortNames are the port names forward-protocol takes after "udp:",
// as IOS's `ip forward-protocol udp NAME` does.
var forwardPortNames = map[string]uint16{
	"echo": 7, "discard": 9, "time": 37, "nameserver": 42, "tacacs": 49,
	"domain": 53, "tftp": 69, "netbios-ns": 137, "netbios-dgm": 138,
}

// forwardEdit is one entry of a forward-protocol list: ports added, or
// removed (a "no" form).
type forwardEdit struct {
	ports  []uint16
	remove bool
}

// forwardLayer is one layer's forward-protocol list, applied in order on
// top of the layers below it.
type forwardLayer []forwardEdit

// parseForwardProtocol parses one forward-protocol entry: "ios-defaults",
// "udp:PORT" (a number or a name such as "tftp"), or either after "no "
// or "no-" to remove the ports again (IOS's `no ip forward-protocol udp
// PORT`).
func parseForwardProtocol(s string) (forwardEdit, error) {
	var e forwardEdit
	v := strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(v, "no "); ok {
		e.remove, v = true, strings.TrimSpace(rest)
	} else if rest, ok := strings.CutPrefix(v, "no-"); ok {
		e.remove, v = true, rest
	}
	if v == "ios-defaults" {
		e.ports = slices.Clone(IOSForwardPorts)
		return e, nil
	}
	name, ok := strings.CutPrefix(v, "udp:")
	if !ok {
		return e, fmt.Errorf("%q is neither ios-defaults nor udp:PORT (with \"no \" to remove)", s)
	}
	p, err := parseForwardPort(name)
	if err != nil {
		return e, fmt.Errorf("%q: %w", s, err)
	}
	e.ports = []uint16{p}
	return e, nil
}

// parseForwardPort parses a UDP port number or name that may be
// forwarded: not 0, and not BOOTP's 67 or 68, which the DHCP path owns.
func parseForwardPort(s string) (uint16, error) {
	p, named := forwardPortNames[s]
	if !named {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("port %q is not a number from 1 to 65535 nor a known name", s)
		}
		p = uint16(n)
	}
	switch p {
	case 0:
		return 0, fmt.Errorf("port 0 is not a port")
	case 67, 68:
		return 0, fmt.Errorf("port %d is BOOTP/DHCP, which is always relayed", p)
	}
	return p, nil
}

// parseForwardList parses a layer's forward-protocol list; where prefixes
// errors (key names the key or flag).
func parseForwardList(list []string, key, where string, errs *errList) forwardLayer {
	l := forwardLayer{}
	for i, s := range list {
		e, err := parseForwardProtocol(s)
		if err != nil {
			errs.addf(where, "%s[%d]: %w", key, i, err)
			continue
		}
		l = append(l, e)
	}
	return l
}

// parsePortHelpers parses a port-helpers: block (Junos "forwarding-options
// helpers port N server ADDR"): per UDP port, the servers its broadcasts
// go to instead of the interface's helper-addresses.
func parsePortHelpers(raw map[string][]string, where string, errs *errList) map[uint16][]netip.Addr {
	out := make(map[uint16][]netip.Addr, len(raw))
	for k, list := range raw {
		p, err := parseForwardPort(k)
		if err != nil {
			errs.addf(where, "port-helpers: %w", err)
			continue
		}
		if _, dup := out[p]; dup {
			errs.addf(where, "port-helpers: port %d is given twice", p)
			continue
		}
		if len(list) == 0 {
			errs.addf(where, "port-helpers: %s: no servers", k)
			continue
		}
		var addrs []netip.Addr
		for i, s := range list {
			a, err := parseHelper(s)
			switch {
			case err != nil:
				errs.addf(where, "port-helpers: %s[%d]: %w", k, i, err)
			case slices.Contains(addrs, a):
				errs.addf(where, "port-helpers: %s[%d]: %q is given twice", k, i, s)
			default:
				addrs = append(addrs, a)
			}
		}
		out[p] = addrs
	}
	return out
}

// resolveForward applies the forward-protocol layers, most specific first
// in layers, from the least specific up, and adds the ports of
// portHelpers. It returns the ports in ascending order.
func resolveForward(name string, layers []forwardLayer, portHelpers map[uint16][]netip.Addr, errs *errList) []uint16 {
	set := map[uint16]bool{}
	for i := len(layers) - 1; i >= 0; i-- {
		for _, e := range layers[i] {
			for _, p := range e.ports {
				if e.remove {
					delete(set, p)
				} else {
					set[p] = true
				}
			}
		}
	}
	for p := range portHelpers {
		set[p] = true
	}
	if len(set) == 0 {
		return nil
	}
	ports := make([]uint16, 0, len(set))
	for p := range set {
		ports = append(ports, p)
	}
	slices.Sort(ports)
	if len(ports) > MaxForwardPorts {
		errs.addf("", "interface %q: forwards %d UDP ports, more than %d", name, len(ports), MaxForwardPorts)
	}
	return ports
}

// ForwardHelpers returns the servers a broadcast to UDP port p from this
// interface goes to: the port's own list (port-helpers) if it has one,
// else the interface's helper-addresses. The slice must not be modified.
func (in *Interface) ForwardHelpers(p uint16) []netip.Addr {
	if hs, ok := in.PortHelpers[p]; ok {
		return hs
	}
	return in.Helpers
}

// FormatForwardPorts writes ports as a forward-protocol list.
func FormatForwardPorts(ports []uint16) []string {
	out := make([]string, len(ports))
	for i, p := range ports {
		out[i] = "udp:" + strconv.Itoa(int(p))
	}
	return out
}

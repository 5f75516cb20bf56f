package lab

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// maxIfName is the kernel's limit on interface names (IFNAMSIZ - 1).
const maxIfName = 15

// Veth connects two namespaces with a veth pair, ifA in nsA and ifB in nsB, and
// brings both ends up. Both namespaces must be the lab's: a veth end never lands
// in the root namespace.
func (l *Lab) Veth(nsA, ifA, nsB, ifB string) {
	l.t.Helper()
	l.checkIfName(ifA)
	l.checkIfName(ifB)
	l.ipIn(nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB)
	l.Up(nsA, ifA)
	l.Up(nsB, ifB)
}

// VLAN creates the 802.1Q sub-interface name with VLAN id on parent in ns, and
// brings it up. It fails the test when the kernel has no 802.1Q support; see
// TryVLAN.
func (l *Lab) VLAN(ns, parent, name string, id int) {
	l.t.Helper()
	if !l.TryVLAN(ns, parent, name, id) {
		l.t.Fatalf("failed to create VLAN %d on %s: this kernel has no 802.1Q support (CONFIG_VLAN_8021Q)", id, at(ns, parent))
	}
}

// TryVLAN is VLAN for kernels that may lack 802.1Q support: it reports false,
// having created nothing, when the kernel does not know the vlan link type, and
// fails the test on any other error.
func (l *Lab) TryVLAN(ns, parent, name string, id int) bool {
	l.t.Helper()
	l.checkIfName(name)
	out, err := runCmd("ip", "-n", ns, "link", "add", "link", parent, "name", name, "type", "vlan", "id", strconv.Itoa(id))
	if err != nil && strings.Contains(out, "Unknown device type") {
		return false
	}
	if err != nil {
		l.t.Fatalf("%v", err)
	}
	l.Up(ns, name)
	return true
}

// Bridge creates a bridge in ns, enslaves ports to it and brings it up.
func (l *Lab) Bridge(ns, name string, ports ...string) {
	l.t.Helper()
	l.checkIfName(name)
	l.ipIn(ns, "link", "add", name, "type", "bridge")
	for _, p := range ports {
		l.ipIn(ns, "link", "set", p, "master", name)
	}
	l.Up(ns, name)
}

// Addr adds an address in CIDR form ("203.0.113.1/25") to ifname in ns.
func (l *Lab) Addr(ns, ifname, cidr string) {
	l.t.Helper()
	l.ipIn(ns, "addr", "add", cidr, "dev", ifname)
}

// Up brings ifname up in ns.
func (l *Lab) Up(ns, ifname string) {
	l.t.Helper()
	l.ipIn(ns, "link", "set", ifname, "up")
}

// Down takes ifname down in ns.
func (l *Lab) Down(ns, ifname string) {
	l.t.Helper()
	l.ipIn(ns, "link", "set", ifname, "down")
}

// Route adds a route to dst ("default" or a CIDR) via gateway in ns.
func (l *Lab) Route(ns, dst, via string) {
	l.t.Helper()
	l.ipIn(ns, "route", "add", dst, "via", via)
}

// Forwarding enables IPv4 forwarding in ns (the relay namespace).
func (l *Lab) Forwarding(ns string) {
	l.t.Helper()
	l.Exec(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
}

// Exec runs a short command inside ns and returns its combined output; an error
// or a run longer than 30 s fails the test.
func (l *Lab) Exec(ns string, args ...string) string {
	l.t.Helper()
	return l.run(append([]string{"ip", "netns", "exec", ns}, args...)...)
}

// MAC returns the hardware address of ifname in ns.
func (l *Lab) MAC(ns, ifname string) net.HardwareAddr {
	l.t.Helper()
	out := l.ipIn(ns, "-j", "link", "show", "dev", ifname)
	var links []struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		l.t.Fatalf("failed to read the MAC of %q in %s: %v: %s", ifname, ns, err, out)
	}
	mac, err := net.ParseMAC(links[0].Address)
	if err != nil {
		l.t.Fatalf("failed to read the MAC of %q in %s: %v", ifname, ns, err)
	}
	return mac
}

// IfIndex returns the interface index of ifname in ns.
func (l *Lab) IfIndex(ns, ifname string) int {
	l.t.Helper()
	out := l.ipIn(ns, "-j", "link", "show", "dev", ifname)
	var links []struct {
		Index int `json:"ifindex"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		l.t.Fatalf("failed to read the index of %q in %s: %v: %s", ifname, ns, err, out)
	}
	return links[0].Index
}

// ipIn runs `ip -n ns args…`: the ip command switches to ns itself, so nothing
// it does lands in the root namespace.
func (l *Lab) ipIn(ns string, args ...string) string {
	l.t.Helper()
	if ns == "" {
		l.t.Fatalf("refusing to run ip %q without a namespace", args)
	}
	return l.run(append([]string{"ip", "-n", ns}, args...)...)
}

func (l *Lab) checkIfName(name string) {
	l.t.Helper()
	if name == "" || len(name) > maxIfName {
		l.t.Fatalf("bad interface name %q: must be 1..%d characters", name, maxIfName)
	}
}

// String renders a namespace/interface pair for messages.
func at(ns, ifname string) string { return fmt.Sprintf("%s in %s", ifname, ns) }

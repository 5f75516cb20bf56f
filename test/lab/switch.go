package lab

import "net"

// SwitchBridge is the bridge that makes the client namespace of a switched
// topology an Ethernet switch.
const SwitchBridge = "br0"

// Host is one machine on the client segment of a switched topology: a
// namespace of its own, plugged into the switch.
type Host struct {
	// NS is the host's namespace.
	NS string
	// If is the host's interface (ClientIf), a port of the switch at the
	// other end.
	If string
	// MAC is the interface's hardware address.
	MAC net.HardwareAddr
}

// Switched builds the standard lab (see Standard) with the client namespace
// turned into an Ethernet switch: bridge br0 with eth0, the link to the
// relay's down0, as its first port. Nothing runs in the switch namespace;
// the machines of the client segment are hosts added with AddHost, each in
// a namespace of its own, so that every client has its own MAC, addresses
// and routes.
func (l *Lab) Switched() *Topology {
	l.t.Helper()
	tp := l.Standard()
	l.Bridge(tp.Client, SwitchBridge, ClientIf)
	return tp
}

// AddHost adds a host to the switch of a topology built by Switched: a
// namespace for role (see NS) whose eth0 is a veth pair with port p<role>
// of the switch. The host has no address; clients and captures run on
// Host.If.
func (l *Lab) AddHost(tp *Topology, role string) Host {
	l.t.Helper()
	return l.plugHost(tp.Client, role)
}

// plugHost adds a host namespace for role whose eth0 is a veth pair with
// port p<role> of the bridge SwitchBridge in the switch namespace sw.
func (l *Lab) plugHost(sw, role string) Host {
	l.t.Helper()
	ns := l.NS(role)
	port := "p" + role
	l.Veth(ns, ClientIf, sw, port)
	l.ipIn(sw, "link", "set", port, "master", SwitchBridge)
	return Host{NS: ns, If: ClientIf, MAC: l.MAC(ns, ClientIf)}
}

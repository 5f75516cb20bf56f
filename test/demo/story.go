package main

import (
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Bounds of the demo's waits.
const (
	leaseTimeout   = 30 * time.Second
	captureTimeout = 10 * time.Second
)

// subOptionNames names the option 82 sub-options the demo decodes.
var subOptionNames = map[uint8]string{
	lab.SubOptCircuitID:        "circuit-id",
	lab.SubOptRemoteID:         "remote-id",
	lab.SubOptLinkSelection:    "link-selection",
	lab.SubOptSubscriberID:     "subscriber-id",
	lab.SubOptRelayFlags:       "relay-flags",
	lab.SubOptServerIDOverride: "server-id-override",
}

// story builds the lab, runs the exchange and prints what happened.
func story(l *lab.Lab, opts options, w io.Writer) {
	tp := l.Standard()
	seg, srv := tp.Segments[0], tp.Servers[0]
	fmt.Fprintf(w, "iphelper demo: a DHCP client, a relay and a server in three network namespaces\n\n")
	fmt.Fprintf(w, "  client  %-24s %s (no address yet)\n", tp.Client, seg.ClientIf)
	fmt.Fprintf(w, "  relay   %-24s %s %s, %s %s — runs %s\n", tp.Relay, seg.RelayIf, seg.Gateway, tp.Upstream, tp.UpstreamAddr, opts.relay)
	fmt.Fprintf(w, "  server  %-24s %s %s — runs %s\n\n", srv.NS, srv.If, srv.Addr, opts.server)

	l.StartServer(opts.server, srv.NS, srv.Addr, tp.ServerConfig(0))
	up := l.Capture(srv.NS, srv.If, lab.DHCPFilter)
	down := l.Capture(tp.Client, seg.ClientIf, lab.DHCPFilter)
	relay := l.StartRelay(opts.relay, tp.Relay, lab.RelaySpec{
		Downstream: tp.Downstream(), Upstream: []string{tp.Upstream}, Helpers: tp.Helpers(),
		IphelperBin: opts.iphelper, IphelperArgs: opts.iphelperArgs,
	})

	fmt.Fprintf(w, "1. dhclient on the client's %s asks for an address…\n", seg.ClientIf)
	lease := l.StartClient(lab.Dhclient, tp.Client, seg.ClientIf).WaitLease(leaseTimeout)
	fmt.Fprintf(w, "   bound: %s mask %s router %s, from server %s, for %s\n\n",
		lease.Addr, lease.Mask, lease.Router, lease.ServerID, lease.LeaseTime)

	isRelayedDiscover := func(p lab.Packet) bool {
		return p.DHCP != nil && p.DHCP.OpCode == dhcpv4.OpcodeBootRequest && p.MessageType() == dhcpv4.MessageTypeDiscover
	}
	disc := up.WaitFor("relayed DISCOVER", captureTimeout, isRelayedDiscover)
	down.WaitFor("ACK to the client", captureTimeout, func(p lab.Packet) bool { return p.MessageType() == dhcpv4.MessageTypeAck })
	up.Stop()
	down.Stop()

	fmt.Fprintf(w, "2. The DISCOVER as the server saw it (tcpdump on %s in %s):\n", srv.If, srv.NS)
	describeRelayed(w, disc)
	fmt.Fprintf(w, "\n3. The whole exchange on the server's side:\n")
	describeAll(w, up.DHCP())
	fmt.Fprintf(w, "\n4. The whole exchange on the client's side (no option 82 may reach it):\n")
	describeAll(w, down.DHCP())
	if relay.ControlSocket != "" {
		fmt.Fprintf(w, "\n5. What the relay says about it (iphelper show statistics, show bindings):\n")
		for _, what := range []string{"statistics", "bindings"} {
			out, err := exec.Command(opts.iphelper, "show", what, "--control-socket", relay.ControlSocket).CombinedOutput()
			if err != nil {
				fmt.Fprintf(w, "   iphelper show %s: %v\n", what, err)
			}
			for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
				fmt.Fprintf(w, "   %s\n", line)
			}
		}
	}
	fmt.Fprintf(w, "\nCleaning up: stopping every process and deleting the namespaces.\n")
}

// describeRelayed prints the relay-visible fields of a relayed request.
func describeRelayed(w io.Writer, p lab.Packet) {
	d := p.DHCP
	fmt.Fprintf(w, "   from    %s to %s\n", p.Src, p.Dst)
	fmt.Fprintf(w, "   xid     %s, client %s\n", d.TransactionID, d.ClientHWAddr)
	fmt.Fprintf(w, "   giaddr  %s (the relay's address on the client segment: the server picks the subnet by it and replies there)\n", d.GatewayIPAddr)
	fmt.Fprintf(w, "   hops    %d\n", d.HopCount)
	subs, err := p.Option82()
	if err != nil {
		fmt.Fprintf(w, "   option 82: %v\n", err)
		return
	}
	fmt.Fprintf(w, "   option 82 (relay agent information), %d sub-options:\n", len(subs))
	for _, s := range subs {
		name := subOptionNames[s.Code]
		if name == "" {
			name = "sub-option"
		}
		fmt.Fprintf(w, "     %-18s (%2d) %s\n", name, s.Code, strings.TrimPrefix(s.String(), fmt.Sprintf("%d=", s.Code)))
	}
}

// describeAll prints one line per captured DHCP packet.
func describeAll(w io.Writer, pkts []lab.Packet) {
	if len(pkts) == 0 {
		fmt.Fprintf(w, "   (nothing)\n")
	}
	for _, p := range pkts {
		fmt.Fprintf(w, "   %s\n", p)
	}
}

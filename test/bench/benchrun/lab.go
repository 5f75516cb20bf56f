package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
)

// The lab run.sh builds (keep the two in step):
//
//	PREFIXcl  eth0 ──veth── down0 PREFIXrelay up0 ──veth── eth0 PREFIXsrv
//	          (loadgen)     203.0.113.1/24   198.51.100.1/24   198.51.100.2/24 (responder)
//
//	PREFIXdcl eth0 ──veth── eth0 PREFIXdsrv 203.0.113.1/24 (responder, no relay)
const (
	clientIf     = "eth0"
	relayDown    = "down0"
	relayUp      = "up0"
	serverIf     = "eth0"
	serverAddr   = "198.51.100.2"
	directAddr   = "203.0.113.1"
	clientPool   = "203.0.113.0/24"
	nsClient     = "cl"
	nsRelay      = "relay"
	nsServer     = "srv"
	nsDirectCl   = "dcl"
	nsDirectSrv  = "dsrv"
	rowNoRelay   = "none"
	noRelayTitle = "no relay (lab ceiling)"
)

// row is one line of the table: a relay, or the no-relay baseline; in
// fallback mode a DHCP server and the tool that drives it.
type row struct {
	Name string // iphelper, dhcrelay, dhcp-helper, none; fallback.go's rows; a pinned relay's ends in pinnedSuffix
	// Base is the relay's name without the pinning: what -only selects.
	Base string
	// Pinned says the process runs under taskset on one CPU (Args start
	// with taskset); the Go runtime then runs with GOMAXPROCS=1.
	Pinned bool
	// Args is the measured process's command line; nil for the no-relay row.
	Args []string
	// Packet is how many AF_PACKET sockets the process opens before it is
	// ready (only used to wait for it).
	Packet int
	// Direct puts the row on the no-relay segment: the load runs in dcl and
	// the process in dsrv. Otherwise the load runs in cl and the process
	// in relay.
	Direct bool
	// Perf drives the row with perfdhcp instead of the loadgen.
	Perf bool
	// Kind says what the process is, for what a cell does around it.
	Kind serverKind
	// PidFile, when set, says the process forks into the background and
	// writes its pid there.
	PidFile string
}

// serverKind is what a row's process is.
type serverKind int

const (
	kindRelay    serverKind = iota // a relay, or nothing (the no-relay row)
	kindFallback                   // iphelper serving from its fallback scope
	kindKea                        // kea-dhcp4
)

// rows returns the rows to run, in the order they are interleaved.
func (o options) rows() []row {
	var rs []row
	for _, ip := range []struct{ name, bin string }{{"iphelper", o.iphelper}, {"iphelper-b", o.iphelperB}} {
		if ip.bin == "" {
			continue
		}
		rs = append(rs, row{Name: ip.name, Base: ip.name, Packet: 1, Args: []string{
			ip.bin, "run", "--allow-root", "--interface", relayDown, "--helper-address", serverAddr,
			// Its own control socket: the default lives in the file system
			// that every namespace shares.
			"--control-socket", filepath.Join(o.dir, "iphelper-control.sock"),
			// The other relays have no rate limits, and the load generator's
			// clients each run many DORAs a second: compare like with like.
			"--rate-limit-client", "off", "--rate-limit-interface", "off",
		}})
	}
	if o.dhcrelay != "" {
		// As it runs in production: in the background, logging to syslog
		// (which nothing reads in the lab). In the foreground (-d) it
		// writes about a dozen lines to stderr per DORA, which would
		// count against it.
		pidFile := filepath.Join(o.dir, "dhcrelay.pid")
		rs = append(rs, row{Name: "dhcrelay", Base: "dhcrelay", Packet: 2, PidFile: pidFile, Args: []string{
			o.dhcrelay, "-4", "-a", "-pf", pidFile, "-iu", relayUp, "-id", relayDown, serverAddr,
		}})
	}
	if o.dhcpHelper != "" {
		rs = append(rs, row{Name: "dhcp-helper", Base: "dhcp-helper", Args: []string{
			o.dhcpHelper, "-d", "-i", relayDown, "-s", serverAddr,
		}})
	}
	return append(pinRows(rs, o.pin, o.pinCPU), row{Name: rowNoRelay, Base: rowNoRelay, Direct: true})
}

// pinnedSuffix ends the name of a pinned relay's row.
const pinnedSuffix = "-pinned"

// pinRows applies the -pin mode to the relay rows rs (the no-relay row
// stays as it is): each relay's pinned twin follows it (pinBoth), or
// replaces it (pinOnly). A pinned row runs its command under
// `taskset -c CPU`, which the relay's forks inherit.
func pinRows(rs []row, mode string, cpu int) []row {
	if mode == pinOff || mode == "" {
		return rs
	}
	var out []row
	for _, r := range rs {
		if r.Args == nil || r.Pinned {
			out = append(out, r)
			continue
		}
		if mode == pinBoth {
			out = append(out, r)
		}
		p := r
		p.Name, p.Pinned = r.Name+pinnedSuffix, true
		p.Args = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, r.Args...)
		out = append(out, p)
	}
	return out
}

// filterRows keeps the rows named in names (a relay's name selects its
// pinned row too), in their original order.
func filterRows(rs []row, names []string) []row {
	var out []row
	for _, r := range rs {
		if slices.Contains(names, r.Name) || slices.Contains(names, r.Base) {
			out = append(out, r)
		}
	}
	return out
}

// title is how the row is named in the table.
func (r row) title() string {
	if r.Name == rowNoRelay {
		return noRelayTitle
	}
	if t, ok := fallbackTitles[r.Name]; ok {
		return t
	}
	if r.Pinned {
		return r.Base + ", pinned (1 CPU)"
	}
	return r.Name
}

// clientNS and serverNS are the namespace roles where the row's load runs
// and where its process lives.
func (r row) clientNS() string {
	if r.Direct {
		return nsDirectCl
	}
	return nsClient
}

func (r row) serverNS() string {
	if r.Direct {
		return nsDirectSrv
	}
	return nsRelay
}

// ns returns the full name of the lab's namespace role.
func (o options) ns(role string) string { return fmt.Sprintf("%s%s", o.prefix, role) }

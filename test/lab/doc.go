// Package lab is iphelper's network-namespace test lab: it builds client ↔ relay ↔
// server topologies out of Linux network namespaces and veth pairs, runs real DHCP
// peers inside them (Kea, ISC dhcpd, dnsmasq, dhclient, udhcpc, dhcpcd, ISC dhcrelay and
// iphelper itself), captures what crosses each link with tcpdump and decodes it, and
// crafts raw frames for the hostile-input scenarios. For the failover pair it
// builds two appliances on one switched segment with a link of their own
// (Pair), runs Kea's HA pair on them (StartKeaHA), starts bursts of clients
// (Burst) and judges a capture by its ACKs (Oracle: duplicate addresses).
//
// The lab is imported only by tests and by the demo program, never by production
// code. It follows the lab's safety rules: everything it creates lives in
// namespaces named iph-<pid>-<id>-<role> that it removes when the test ends, it
// never adds a link, address or route to the root namespace, it addresses
// topologies only from 203.0.113.0/24 (clients) and 198.51.100.0/24 (servers), and
// it stops only the processes it started, by pid.
//
// A Lab is bound to one test (see New) or to one run of a program (see Main). Its
// methods fail the test through TB.Fatalf on any error, so scenarios read as a
// straight line of steps. Methods of one Lab may be called from several goroutines.
package lab

// Package corpus seeds iphelper's fuzz targets with real packets: what
// dhclient, udhcpc and dhcpcd sent and what Kea, ISC dhcpd and dnsmasq
// answered, captured on both sides of iphelper in a namespace lab.
//
// It owns two things. testdata/captures holds the captures: for each server
// a pcap of the client link, a pcap of the server link and a manifest (JSON)
// saying which client ran when. The testdata/fuzz/<FuzzName> directories of
// the targets hold the seed files made from them, in the format `go test`
// writes (see MarshalSeed), so that plain `go test` runs every seed as a
// regression case and `go test -fuzz` starts from them.
//
// # Commands
//
// Check that the seed files are what the checked-in captures give (no root
// needed; part of `go test ./...`):
//
//	go test ./test/corpus
//
// Rewrite the seed files from the checked-in captures (after a change to
// this package, e.g. a new target):
//
//	IPHELPER_UPDATE_CORPUS=seeds go test ./test/corpus -run TestSeedsUpToDate
//
// Capture again and rewrite both captures and seeds: as root, with the
// peers of test/packages.txt installed (dnsmasq from dnsmasq-base), about a
// minute. Without IPHELPER_UPDATE_CORPUS=1 TestCaptureCorpus still runs
// every session (so every client against dnsmasq, Kea and dhcpd through
// iphelper is tested on each run) and checks the fresh captures hold every
// message the corpus needs, but keeps them in a temporary directory.
//
//	IPHELPER_UPDATE_CORPUS=1 go test ./test/corpus -run TestCaptureCorpus -v
//
// # The capture
//
// One lab per server (lab.Standard: client, relay and server namespaces,
// 203.0.113.0/25 and 198.51.100.0/25), all three at once. iphelper runs with
// the circuit-id and remote-id of the relay package's tests (eth1, relay1),
// so that the servers' replies pass that package's reply check, and with
// server-id-override and link-selection, so that renewals, releases and
// informs go through the relay too (Kea and dhcpd are configured with the
// relay's address as server identifier; dnsmasq honours the sub-option).
// dnsmasq runs with --no-daemon, --conf-file=/dev/null, --port=0 and its
// lease and pid files in the lab's directory. The clients run one after
// another: dhclient (INIT-REBOOT of a stale lease, DORA, release; DORA and a
// renewal at T1), udhcpc (DORA; renew and release by signal), udhcpc -B,
// dhcpcd (DORA; DORA with ARP probing and release; INFORM).
//
// # The seeds
//
// A seed is named <sender>-<kind>[-relayed]: the client for a request, the
// server for a reply, e.g. dhclient-discover, udhcpc-request-renew,
// kea-offer-bcast, dnsmasq-nak; "-relayed" marks the copy iphelper sent on
// (a request with giaddr and option 82, a reply delivered to the client).
// ARP frames are <host>-arp-<probe|announce|request|reply>, option 82
// values <agent>-option82-<kind>, capture slices <server>-<side>-dora-pcap
// and helper-health traces <server>-upstream-trace. The first packet of each
// name is kept. Files of other names in those directories (crashers, seeds
// by hand) are left alone.
package corpus

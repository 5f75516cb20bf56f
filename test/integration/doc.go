// Package integration holds iphelper's end-to-end scenarios: real DHCP clients
// and servers on both sides of the relay, in network namespaces built by the
// lab (test/lab), with captures on both sides to check what crossed the wire.
//
// The scenarios run against iphelper, built once per run from ./cmd/iphelper.
// With IPHELPER_TEST_RELAY=dhcrelay they run against ISC dhcrelay instead,
// which proves the lab, the peers and the assertions independently of iphelper;
// the scenarios that need an iphelper feature skip then, saying so.
//
// They need root; they skip without it, except in CI (CI=true), where they fail.
package integration

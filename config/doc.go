// Package config owns iphelper's configuration: the typed, validated Config
// the daemon runs on, the YAML config file (documented by the reference
// deploy/iphelper.yaml), the merge with command-line flags, the defaults and
// the validation. It opens no sockets.
//
// Configuration is built in two layers: a strict decode of the file (unknown
// keys are errors, a nil pointer means "unset"), then validated types
// (netip.Addr, Template, Policy) with the defaults of defaults.go, each
// written beside the RFC or Cisco default that justifies it. Every error
// names where it comes from, e.g.
//
//	interface "eth0.10": helper-addresses[1]: "224.0.0.1" is not an IPv4 unicast address
//
// # Precedence
//
// Daemon-wide settings (max-hops, max-packet-size, lease-db,
// helper-rate-limit, poll-above, log) come from
// the flag, else the file, else the default. For each key of each interface
// entry the first of these that sets it wins:
//
//  1. a per-interface flag: --helper-address NAME=ADDR, --circuit-id
//     NAME=TEMPLATE, --subscriber-id NAME=TEMPLATE, --trusted-interface NAME,
//     --fallback-pool NAME=START-END;
//  2. for an interface named with --interface, the global flags (so
//     "--interface eth1 --helper-address 198.51.100.2" means exactly that),
//     and --fallback-pool START-END, which applies to these only;
//  3. the interface's own block in the file;
//  4. the global flags (--helper-address ADDR, --information-policy, ...);
//  5. the file's defaults: block;
//  6. the built-in defaults.
//
// Lists replace, they do not add up: helpers given at a higher level replace
// those of a lower one. --interface names that the file does not list are
// added after the file's entries. A per-interface flag must name an entry of
// the file or an --interface, written the same way (a pattern as a pattern).
// giaddr and source-interface are one key for this purpose, and mutually
// exclusive within one level.
//
// The keys of an interface's fallback: block (see Fallback) merge key by key
// like the others; an interface has a fallback scope only where some layer
// gives it pools, which the defaults: block may not.
//
// A Config is immutable once built and safe for concurrent reads.
package config

package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/config"
)

// Names of the flags shared by run and check-config.
const (
	flagConfig              = "config"
	flagInterface           = "interface"
	flagHelperAddress       = "helper-address"
	flagInformationOption   = "information-option"
	flagNoInformationOption = "no-information-option"
	flagInformationPolicy   = "information-policy"
	flagInformationCheck    = "information-check"
	flagNoInformationCheck  = "no-information-check"
	flagTrustedInterface    = "trusted-interface"
	flagForwardProtocol     = "forward-protocol"
	flagDirectedBroadcast   = "directed-broadcast"
	flagTrustAll            = "trust-all"
	flagMaxHops             = "max-hops"
	flagSourceInterface     = "source-interface"
	flagGIAddr              = "giaddr"
	flagLinkSelection       = "link-selection"
	flagServerIDOverride    = "server-id-override"
	flagCircuitID           = "circuit-id"
	flagRemoteID            = "remote-id"
	flagSubscriberID        = "subscriber-id"
	flagMaxPacketSize       = "max-packet-size"
	flagLogLevel            = "log-level"
	flagLogFormat           = "log-format"
	flagFallbackPool        = "fallback-pool"
	flagFallbackRouter      = "fallback-router"
	flagFallbackDNS         = "fallback-dns"
	flagFallbackDomain      = "fallback-domain"
	flagFallbackLeaseTime   = "fallback-lease-time"
	flagOfferDelay          = "offer-delay"
	flagLeaseDB             = "lease-db"
	flagLeaseStore          = "lease-store"
	flagEtcdEndpoint        = "etcd-endpoint"
	flagFailback            = "failback"
	flagRateLimitInterface  = "rate-limit-interface"
	flagRateLimitClient     = "rate-limit-client"
	flagHelperRateLimit     = "helper-rate-limit"
	flagPollAbove           = "poll-above"
	flagVerifyCHAddr        = "verify-chaddr"
	flagNoVerifyCHAddr      = "no-verify-chaddr"
	flagFailoverRole        = "failover-role"
	flagFailoverListen      = "failover-listen"
	flagFailoverPeer        = "failover-peer"
	flagFailoverKeyFile     = "failover-key-file"
	flagFailoverMode        = "failover-mode"
	flagFailoverPartnerPool = "failover-partner-pool"
)

// runFlags returns the configuration flags of run and check-config. Each
// call returns new flag values, so each command gets its own.
func runFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: flagConfig, Aliases: []string{"c"}, TakesFile: true,
			Usage: "read the YAML config `FILE` (reference: deploy/iphelper.yaml); flags override its defaults: block (no IOS equivalent)"},
		&cli.GenericFlag{Name: flagInterface, Value: &repeated{},
			Usage: "relay requests from the downstream interface `NAME`, or from every interface matching a pattern such as 'eth0.*' or 'eth0.{10-20}' (VLANs 10 to 20; a pattern never takes lo or the interface toward the helpers); repeatable, or comma-separated (IOS: the interface an ip helper-address is under)"},
		&cli.GenericFlag{Name: flagHelperAddress, Value: &repeated{},
			Usage: "send requests to the DHCP server `ADDR` (every interface), or NAME=ADDR (interface NAME only); repeatable, or comma-separated: NAME=ADDR1,ADDR2 (IOS: ip helper-address)"},
		&cli.BoolFlag{Name: flagInformationOption, DefaultText: "on",
			Usage: "insert option 82 (IOS: ip dhcp relay information option)"},
		&cli.BoolFlag{Name: flagNoInformationOption, DisableDefaultText: true,
			Usage: "do not insert option 82 (IOS: no ip dhcp relay information option)"},
		&cli.StringFlag{Name: flagInformationPolicy, DefaultText: config.DefaultPolicy.String(),
			Usage: "handle an option 82 arriving on a trusted interface by `POLICY`: keep, replace or drop (IOS: ip dhcp relay information policy)"},
		&cli.BoolFlag{Name: flagInformationCheck, DefaultText: "on",
			Usage: "drop replies whose option 82 is not ours (IOS: ip dhcp relay information check)"},
		&cli.BoolFlag{Name: flagNoInformationCheck, DisableDefaultText: true,
			Usage: "do not check the option 82 of replies (IOS: no ip dhcp relay information check)"},
		&cli.GenericFlag{Name: flagTrustedInterface, Value: &repeated{},
			Usage: "trust the agents below interface `NAME`: accept requests relayed by a relay there (giaddr set) and option 82 from a switch there; repeatable, or comma-separated (IOS: ip dhcp relay information trusted)"},
		&cli.GenericFlag{Name: flagForwardProtocol, Value: &repeated{},
			Usage: "also forward UDP broadcasts to `ENTRY`: udp:PORT (a number or tftp, domain, netbios-ns, …), ios-defaults (37, 42, 49, 53, 69, 137, 138), or \"no udp:PORT\" to remove one; NAME=ENTRY for interface NAME only; repeatable (IOS: ip forward-protocol udp)"},
		&cli.GenericFlag{Name: flagDirectedBroadcast, Value: &repeated{},
			Usage: "let forwarded broadcasts whose helper is interface `NAME`'s subnet broadcast leave on it as link-layer broadcasts; repeatable, or comma-separated (IOS: ip directed-broadcast)"},
		&cli.BoolFlag{Name: flagTrustAll, DisableDefaultText: true,
			Usage: "trust relayed requests and option 82 on every interface whose config does not say trusted: false (IOS: ip dhcp relay information trust-all)"},
		&cli.IntFlag{Name: flagMaxHops, DefaultText: strconv.Itoa(config.DefaultMaxHops),
			Usage: fmt.Sprintf("drop requests whose hops count exceeds `N`, 1..%d, RFC 1542 (no IOS equivalent; dhcrelay -c)", config.MaxMaxHops)},
		&cli.StringFlag{Name: flagSourceInterface,
			Usage: "use the primary address of interface `NAME` as giaddr and source (IOS: ip dhcp relay source-interface)"},
		&cli.StringFlag{Name: flagGIAddr,
			Usage: "use `ADDR`, an address of this relay, as giaddr and source (no IOS equivalent)"},
		&cli.BoolFlag{Name: flagLinkSelection, DisableDefaultText: true,
			Usage: "add the link-selection sub-option, RFC 3527 (IOS: added by ip dhcp relay information option server-id-override)"},
		&cli.BoolFlag{Name: flagServerIDOverride, DisableDefaultText: true,
			Usage: "add the server-identifier-override sub-option, RFC 5107 (IOS: ip dhcp relay information option server-id-override)"},
		&cli.GenericFlag{Name: flagCircuitID, Value: &repeated{}, DefaultText: config.DefaultCircuitID,
			Usage: "circuit-id `TEMPLATE` (every interface), or NAME=TEMPLATE, e.g. 'vlan{vlan}' or 'hex:00:04{vlan16}01:01'; repeatable (no IOS equivalent: IOS derives it from the interface)"},
		&cli.StringFlag{Name: flagRemoteID, DefaultText: config.DefaultRemoteID,
			Usage: "remote-id `TEMPLATE` (no IOS equivalent: IOS sends the router's MAC address)"},
		&cli.GenericFlag{Name: flagSubscriberID, Value: &repeated{},
			Usage: "add a subscriber-id, RFC 3993, from `TEMPLATE` (every interface), or NAME=TEMPLATE; repeatable (IOS: ip dhcp relay information option subscriber-id)"},
		&cli.IntFlag{Name: flagMaxPacketSize, DefaultText: strconv.Itoa(config.DefaultMaxPacketSize),
			Usage: fmt.Sprintf("largest relayed DHCP message, `BYTES`, %d..%d; larger requests go without option 82 (no IOS equivalent; dhcrelay -A)", config.MinMaxPacketSize, config.MaxMaxPacketSize)},
		&cli.StringFlag{Name: flagLogLevel, DefaultText: config.DefaultLogLevel,
			Usage: "log `LEVEL`: debug, info, warn or error (no IOS equivalent)"},
		&cli.StringFlag{Name: flagLogFormat, DefaultText: config.DefaultLogFormat,
			Usage: "log `FORMAT`: text or json (no IOS equivalent)"},
	}, append(rateLimitFlags(), append(fallbackFlags(), failoverFlags()...)...)...)
}

// failoverFlags returns the flags of a failover pair's fallback scopes
// (docs/failover.md); role, listen, peer and key-file make the failover:
// block, or set its keys over the file's.
func failoverFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagFailoverRole,
			Usage: "run the fallback scopes as one node of a failover pair, in `ROLE` primary or secondary (IOS: none; ISC dhcpd: failover peer primary|secondary)"},
		&cli.StringFlag{Name: flagFailoverListen,
			Usage: fmt.Sprintf("accept the partner node's connection on `ADDR[:PORT]`, port %d unless given (ISC dhcpd: address, port)", config.DefaultFailoverPort)},
		&cli.StringFlag{Name: flagFailoverPeer,
			Usage: fmt.Sprintf("connect to the partner node at `ADDR[:PORT]`, port %d unless given (ISC dhcpd: peer address, peer port)", config.DefaultFailoverPort)},
		&cli.StringFlag{Name: flagFailoverKeyFile, TakesFile: true,
			Usage: "authenticate the partner by the pre-shared key in `FILE`, an absolute path (certificates: tls-cert, tls-key, tls-ca in the file)"},
		&cli.StringFlag{Name: flagFailoverMode, DefaultText: config.DefaultFailoverMode.String(),
			Usage: "share every fallback scope with the partner node in `MODE`: none, split, hot-standby or load-sharing (Windows: split scope, hot standby, load balance)"},
		&cli.GenericFlag{Name: flagFailoverPartnerPool, Value: &repeated{},
			Usage: "in split mode, the partner node leases interface NAME's clients addresses from the range `NAME=START-END` (START-END alone: for every --interface); repeatable, or comma-separated (Windows: the other server's range of a split scope)"},
	}
}

// rateLimitFlags returns the flags of the rate limits and request checks.
func rateLimitFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagRateLimitInterface, DefaultText: config.FormatRate(config.DefaultInterfaceRate),
			Usage: "accept at most `RATE` requests from each interface: N/s, N/m, N/h or off; burst: the file's interface-burst, else 2s worth (no IOS equivalent)"},
		&cli.StringFlag{Name: flagRateLimitClient, DefaultText: config.FormatRate(config.DefaultClientRate),
			Usage: "accept at most `RATE` requests from each client source MAC: N/s, N/m, N/h or off (IOS: ip dhcp snooping limit rate)"},
		&cli.StringFlag{Name: flagHelperRateLimit, DefaultText: config.FormatRate(config.DefaultHelperRate),
			Usage: "send at most `RATE` requests to each helper address, from all interfaces: N/s, N/m, N/h or off (no IOS equivalent)"},
		&cli.StringFlag{Name: flagPollAbove, DefaultText: config.FormatRate(config.DefaultPollRate),
			Usage: "a socket that receives at least `RATE` packets is busy: batches of up to 32 packets, and after 100 ms a receive ring; N/s or off (no IOS equivalent; like ethtool -C adaptive-rx)"},
		&cli.BoolFlag{Name: flagVerifyCHAddr, DefaultText: "on",
			Usage: "drop requests with giaddr 0 whose chaddr is not their Ethernet source MAC (IOS: ip dhcp snooping verify mac-address)"},
		&cli.BoolFlag{Name: flagNoVerifyCHAddr, DisableDefaultText: true,
			Usage: "do not compare chaddr with the Ethernet source MAC (IOS: no ip dhcp snooping verify mac-address)"},
	}
}

// fallbackFlags returns the flags of the fallback DHCP server.
func fallbackFlags() []cli.Flag {
	return []cli.Flag{
		&cli.GenericFlag{Name: flagFallbackPool, Value: &repeated{},
			Usage: "when the helpers of interface NAME do not answer, lease its clients addresses from the range `NAME=START-END` (START-END alone: for every --interface); repeatable, or comma-separated (IOS: ip dhcp pool with address range; Windows: the address range of a split scope)"},
		&cli.StringFlag{Name: flagFallbackRouter, DefaultText: "the interface's own address",
			Usage: "offer the router `ADDR` from the fallback pools (IOS: default-router; Windows: option 003 Router)"},
		&cli.GenericFlag{Name: flagFallbackDNS, Value: &repeated{},
			Usage: "offer the DNS server `ADDR` from the fallback pools; repeatable, or comma-separated (IOS: dns-server; Windows: option 006 DNS Servers)"},
		&cli.StringFlag{Name: flagFallbackDomain,
			Usage: "offer the domain name `NAME` from the fallback pools (IOS: domain-name; Windows: option 015 DNS Domain Name)"},
		&cli.StringFlag{Name: flagFallbackLeaseTime, DefaultText: config.DefaultFallbackLeaseTime.String(),
			Usage: "lease fallback addresses for `DURATION`, at least 1m, e.g. 10m, 2h or 1d (IOS: lease; Windows: the scope's lease duration)"},
		&cli.StringFlag{Name: flagOfferDelay, DefaultText: config.DefaultOfferDelay.String(),
			Usage: "let the helpers answer a DISCOVER for `DURATION`, under 4s, before the fallback offers (Windows: the split-scope \"delay in offer\"; no IOS equivalent)"},
		&cli.StringFlag{Name: flagLeaseDB, TakesFile: true, DefaultText: config.DefaultLeaseDB,
			Usage: "keep the fallback leases in the database `FILE`, an absolute path (IOS: ip dhcp database)"},
		&cli.StringFlag{Name: flagLeaseStore, DefaultText: config.DefaultLeaseStore,
			Usage: "keep the fallback leases in `STORE`: bolt (this node's lease-db file) or etcd (an etcd cluster the nodes of a site share, see --etcd-endpoint) (no IOS or Windows equivalent)"},
		&cli.GenericFlag{Name: flagEtcdEndpoint, Value: &repeated{},
			Usage: "reach the etcd lease store at the member client `URL`, e.g. http://198.51.100.65:2379; repeat it for each member (no IOS or Windows equivalent)"},
		&cli.StringFlag{Name: flagFailback, DefaultText: config.DefaultFailback.String(),
			Usage: "what to do with fallback leases once the helpers answer again, `MODE`: nak (NAK their renewal, so that the clients move upstream) or keep (renew them until the clients leave) (no IOS or Windows equivalent)"},
	}
}

// flagsToConfig collects the flags of runFlags that c was given; the config
// package parses and validates the values. The --config path is not part
// of it: read it with c.String("config").
func flagsToConfig(c *cli.Context) (config.Flags, error) {
	f := config.Flags{
		Interfaces:        splitCommas(repeatedValues(c, flagInterface), false),
		HelperAddresses:   splitCommas(repeatedValues(c, flagHelperAddress), true),
		TrustedInterfaces: splitCommas(repeatedValues(c, flagTrustedInterface), false),
		TrustAll:          c.Bool(flagTrustAll),
		ForwardProtocols:  repeatedValues(c, flagForwardProtocol),
		DirectedBroadcast: splitCommas(repeatedValues(c, flagDirectedBroadcast), false),
		CircuitIDs:        repeatedValues(c, flagCircuitID),
		SubscriberIDs:     repeatedValues(c, flagSubscriberID),
		InformationPolicy: stringIfSet(c, flagInformationPolicy),
		RemoteID:          stringIfSet(c, flagRemoteID),
		SourceInterface:   stringIfSet(c, flagSourceInterface),
		GIAddr:            stringIfSet(c, flagGIAddr),
		LogLevel:          stringIfSet(c, flagLogLevel),
		LogFormat:         stringIfSet(c, flagLogFormat),
		MaxHops:           intIfSet(c, flagMaxHops),
		MaxPacketSize:     intIfSet(c, flagMaxPacketSize),
		LinkSelection:     boolIfSet(c, flagLinkSelection),
		ServerIDOverride:  boolIfSet(c, flagServerIDOverride),
		FallbackPools:     splitCommas(repeatedValues(c, flagFallbackPool), true),
		FallbackDNS:       splitCommas(repeatedValues(c, flagFallbackDNS), false),
		FallbackRouter:    stringIfSet(c, flagFallbackRouter),
		FallbackDomain:    stringIfSet(c, flagFallbackDomain),
		FallbackLeaseTime: stringIfSet(c, flagFallbackLeaseTime),
		OfferDelay:        stringIfSet(c, flagOfferDelay),
		LeaseDB:           stringIfSet(c, flagLeaseDB),
		LeaseStore:        stringIfSet(c, flagLeaseStore),
		EtcdEndpoints:     repeatedValues(c, flagEtcdEndpoint),
		Failback:          stringIfSet(c, flagFailback),
		InterfaceRate:     stringIfSet(c, flagRateLimitInterface),
		ClientRate:        stringIfSet(c, flagRateLimitClient),
		HelperRate:        stringIfSet(c, flagHelperRateLimit),
		PollAbove:         stringIfSet(c, flagPollAbove),

		FailoverRole:         stringIfSet(c, flagFailoverRole),
		FailoverListen:       stringIfSet(c, flagFailoverListen),
		FailoverPeer:         stringIfSet(c, flagFailoverPeer),
		FailoverKeyFile:      stringIfSet(c, flagFailoverKeyFile),
		FailoverMode:         stringIfSet(c, flagFailoverMode),
		FailoverPartnerPools: splitCommas(repeatedValues(c, flagFailoverPartnerPool), true),
	}
	var err error
	if f.InformationOption, err = boolPair(c, flagInformationOption, flagNoInformationOption); err != nil {
		return config.Flags{}, err
	}
	if f.InformationCheck, err = boolPair(c, flagInformationCheck, flagNoInformationCheck); err != nil {
		return config.Flags{}, err
	}
	if f.VerifyCHAddr, err = boolPair(c, flagVerifyCHAddr, flagNoVerifyCHAddr); err != nil {
		return config.Flags{}, err
	}
	return f, nil
}

// boolPair reads a --NAME / --no-NAME pair: nil when neither was given.
func boolPair(c *cli.Context, yes, no string) (*bool, error) {
	switch y, n := c.IsSet(yes), c.IsSet(no); {
	case y && n:
		return nil, fmt.Errorf("--%s and --%s are mutually exclusive", yes, no)
	case y:
		v := c.Bool(yes)
		return &v, nil
	case n:
		v := !c.Bool(no)
		return &v, nil
	}
	return nil, nil
}

func stringIfSet(c *cli.Context, name string) *string {
	if !c.IsSet(name) {
		return nil
	}
	v := c.String(name)
	return &v
}

func intIfSet(c *cli.Context, name string) *int {
	if !c.IsSet(name) {
		return nil
	}
	v := c.Int(name)
	return &v
}

func boolIfSet(c *cli.Context, name string) *bool {
	if !c.IsSet(name) {
		return nil
	}
	v := c.Bool(name)
	return &v
}

// repeated is a repeatable flag value that keeps every occurrence whole,
// unlike cli.StringSliceFlag, which splits at commas whatever the value:
// templates may hold commas, and a helper list NAME=ADDR1,ADDR2 must keep
// its NAME for every address (see splitCommas).
type repeated struct{ values []string }

// Set appends one occurrence.
func (r *repeated) Set(s string) error {
	r.values = append(r.values, s)
	return nil
}

// String returns the occurrences for help and debugging.
func (r *repeated) String() string { return strings.Join(r.values, " ") }

// repeatedValues returns the occurrences of the repeated flag name.
func repeatedValues(c *cli.Context, name string) []string {
	if r, ok := c.Generic(name).(*repeated); ok && len(r.values) > 0 {
		return append([]string(nil), r.values...)
	}
	return nil
}

// splitCommas splits each value at commas. With named, a value NAME=A,B
// becomes NAME=A and NAME=B, so the name applies to the whole list.
func splitCommas(values []string, named bool) []string {
	var out []string
	for _, v := range values {
		prefix := ""
		if name, rest, ok := strings.Cut(v, "="); named && ok {
			prefix, v = name+"=", rest
		}
		for _, part := range strings.Split(v, ",") {
			out = append(out, prefix+strings.TrimSpace(part))
		}
	}
	return out
}

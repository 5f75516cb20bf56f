package main

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/config"
)

// checkConfigCommand returns "iphelper check-config [FILE]": validate the
// config file and flags as run would, and print the effective config. It
// also checks each fallback scope against the addresses of its interface
// when that interface exists on this machine, and lists which links of
// this machine each pattern serves and which it leaves alone.
func checkConfigCommand() *cli.Command {
	return &cli.Command{
		Name:      "check-config",
		Usage:     "validate the configuration and print it with every default filled in",
		ArgsUsage: "[FILE]",
		Description: "Builds the configuration from FILE (or --config FILE) and the flags exactly as run\n" +
			"does, prints it as YAML on success, and exits with status 1 and every problem found\n" +
			"otherwise. Comments before the YAML list the interfaces of this machine that each\n" +
			"pattern serves, and those it leaves alone (loopback, and the interface that holds the\n" +
			"route to a helper) and why. Give flags before FILE.",
		Flags:  runFlags(),
		Action: checkConfig,
	}
}

// checkConfig is the action of check-config.
func checkConfig(c *cli.Context) error {
	path, err := checkConfigPath(c)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	f, err := flagsToConfig(c)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	cfg, err := config.LoadWithFlags(path, f)
	if err != nil {
		return cli.Exit("invalid configuration:\n"+indentLines(err.Error()), 1)
	}
	if err := cfg.CheckSubnets(livePrefixes); err != nil {
		return cli.Exit("invalid configuration:\n"+indentLines(err.Error()), 1)
	}
	out, err := cfg.Effective()
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	report := ""
	if links, routed, err := machineLinks(cfg); err == nil {
		report = patternReport(cfg, links, routed)
	}
	if _, err := fmt.Fprintf(c.App.Writer, "# iphelper effective configuration\n%s%s", report, out); err != nil {
		return cli.Exit(fmt.Sprintf("failed to print the configuration: %v", err), 1)
	}
	return nil
}

// livePrefixes returns the addresses of the interface called name on
// this machine, for config.CheckSubnets; ok is false when it has no such
// interface (or they cannot be read: check-config then skips the check).
func livePrefixes(name string) (prefixes []netip.Prefix, ok bool) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, false
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return nil, false
	}
	for _, a := range addrs {
		ipn, isNet := a.(*net.IPNet)
		if !isNet {
			continue
		}
		addr, okAddr := netip.AddrFromSlice(ipn.IP)
		ones, bits := ipn.Mask.Size()
		if !okAddr || bits == 0 {
			continue
		}
		if addr = addr.Unmap(); addr.Is4() && bits == 128 {
			ones -= 96 // an IPv4 address with a 16-byte mask
		}
		prefixes = append(prefixes, netip.PrefixFrom(addr, ones))
	}
	return prefixes, true
}

// checkConfigPath returns the config file named by the FILE argument or
// --config, which must agree if both are given.
func checkConfigPath(c *cli.Context) (string, error) {
	path := c.String(flagConfig)
	switch c.NArg() {
	case 0:
		return path, nil
	case 1:
		arg := c.Args().First()
		if path != "" && path != arg {
			return "", fmt.Errorf("two config files: %s and --config %s", arg, path)
		}
		return arg, nil
	}
	return "", fmt.Errorf("check-config takes at most one FILE, got %d arguments (give flags before FILE)", c.NArg())
}

// indentLines indents every line of s by two spaces.
func indentLines(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

package main

import (
	"fmt"
	"strings"

	"github.com/iphelper/iphelper/config"
	"github.com/urfave/cli/v2"
)

// checkConfigCommand returns "iphelper check-config [FILE]": validate the
// config file and flags as run would, and print the effective config. It
// also checks the configuration against the interfaces of this machine
// as run and every reload do (relay.CheckConfig), and lists which links of
// this machine each pattern serves and which it leaves alone.
func checkConfigCommand() *cli.Command {
	return &cli.Command{
		Name:      "check-config",
		Usage:     "validate the configuration and print it with every default filled in",
		ArgsUsage: "[--partner PARTNER_FILE] [FILE]",
		Description: "Builds the configuration from FILE (or --config FILE) and the flags exactly as run\n" +
			"does, prints it as YAML on success, and exits with status 1 and every problem found\n" +
			"otherwise (status 2 for a command line it cannot use). Comments before the YAML list\n" +
			"the interfaces of this machine that each pattern serves, and those it leaves alone\n" +
			"(loopback, and the interface that holds the route to a helper) and why. Give flags\n" +
			"before FILE.\n\n" +
			"With --partner, PARTNER_FILE is the config file of the other node of a failover pair\n" +
			"(flags apply to FILE only): both are checked against each other, roles, addresses,\n" +
			"authentication, mclt, split, standby-share and every failover scope, and each\n" +
			"mismatch is listed with both files' values (status 1). Scopes are matched by their\n" +
			"addresses, not by interface name: a scope's subnet is known only at run time.\n\n" +
			"Every problem is led by FILE:LINE:COLUMN where the file holds what it is about.\n" +
			"Warnings (legal but almost surely wrong: a helper that is this machine's own or a\n" +
			"subnet's broadcast address, a pool that is wholly excluded) go to stderr and do not\n" +
			"change the status. With --quiet nothing else is printed.",
		Flags: append(runFlags(),
			&cli.StringFlag{Name: flagPartner, TakesFile: true, Usage: "check this config against the failover partner's config `FILE`"},
			&cli.BoolFlag{Name: flagQuiet, Aliases: []string{"q"}, Usage: "print nothing when the configuration is valid, only problems and warnings (for scripts and ExecStartPre)"}),
		Action: checkConfig,
	}
}

// checkConfig is the action of check-config.
func checkConfig(c *cli.Context) error {
	path, err := checkConfigPath(c)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	f, err := flagsToConfig(c)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	cfg, err := loadChecked(path, f, liveLinks)
	if err != nil {
		msgs := config.Locate(path, strings.Split(err.Error(), "\n"))
		return cli.Exit("invalid configuration:\n"+indentLines(strings.Join(msgs, "\n")), exitFailure)
	}
	printWarnings(c, path, cfg)
	report := ""
	if partner := c.String(flagPartner); partner != "" {
		ok, err := checkPartner(cfg, path, partner)
		if err != nil {
			return cli.Exit(err.Error(), exitFailure)
		}
		report = ok
	}
	if c.Bool(flagQuiet) {
		return nil
	}
	out, err := cfg.Effective()
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if links, routed, err := machineLinks(cfg); err == nil {
		report = patternReport(cfg, links, routed) + report
	}
	if _, err := fmt.Fprintf(c.App.Writer, "# iphelper effective configuration\n%s%s", report, out); err != nil {
		return cli.Exit(fmt.Sprintf("failed to print the configuration: %v", err), 1)
	}
	return nil
}

// flagQuiet is check-config's --quiet.
const flagQuiet = "quiet"

// printWarnings writes the configuration's warnings, and those this
// machine's links show, to stderr, one "warning: " line each.
func printWarnings(c *cli.Context, path string, cfg *config.Config) {
	warns := cfg.Warnings
	if ls, err := liveLinks(); err == nil {
		warns = append(warns, config.Locate(path, linkWarnings(cfg, ls))...)
	}
	for _, w := range warns {
		fmt.Fprintf(c.App.ErrWriter, "warning: %s\n", w)
	}
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

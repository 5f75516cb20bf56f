package main

import (
	"fmt"
	"net"
	"strings"

	"github.com/urfave/cli/v2"
)

// The exit statuses, as the man page's EXIT STATUS and the unit's
// RestartPreventExitStatus know them.
const (
	// exitFailure: the relay cannot work (capabilities, UDP port 67, a
	// listener that cannot be bound), a command against the daemon
	// failed, or check-config finds the configuration invalid.
	exitFailure = 1
	// exitUsage: the command line is wrong (an unknown command or flag, a
	// flag value that does not parse, an argument where none is taken, a
	// listen address or socket path that cannot be one), or run is given
	// an invalid configuration. systemd does not restart the unit on it:
	// the same command line would fail again.
	exitUsage = 2
)

// maxSocketPath is the longest path a unix socket address holds
// (sun_path is 108 bytes with its terminating NUL).
const maxSocketPath = 107

// usageExit makes every command-line error of the command tree exit with
// exitUsage: flags that do not parse, and unknown commands.
func usageExit(app *cli.App) {
	app.OnUsageError = onUsageError
	app.Action = func(c *cli.Context) error {
		if c.NArg() == 0 {
			return cli.ShowAppHelp(c)
		}
		return unknownCommand(c)
	}
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			if c.OnUsageError == nil {
				c.OnUsageError = onUsageError
			}
			if len(c.Subcommands) > 0 && c.Action == nil {
				c.Action = unknownCommand
			}
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)
}

func onUsageError(c *cli.Context, err error, _ bool) error {
	return cli.Exit(fmt.Sprintf("%v (see %s --help)", err, c.Command.HelpName), exitUsage)
}

// unknownCommand is the action of the app and of each command with
// subcommands: without an argument it shows the help, with one it fails.
func unknownCommand(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.ShowSubcommandHelp(c)
	}
	return cli.Exit(fmt.Sprintf("unknown command %q (see %s --help)", c.Args().First(), c.Command.HelpName), exitUsage)
}

// checkDaemonOptions checks the listen address and socket path of run
// before anything starts: a mistake there is a usage error, not a daemon
// that logs "started" and then exits.
func checkDaemonOptions(d daemonOptions) error {
	var errs []string
	if p := d.controlSocket; p != "" && (len(p) > maxSocketPath || strings.IndexByte(p, 0) >= 0) {
		errs = append(errs, fmt.Sprintf("--control-socket %q: a unix socket path has at most %d bytes and no NUL, this one has %d", p, maxSocketPath, len(p)))
	}
	if a := d.metricsListen; a != "" {
		if err := checkListenAddr(a); err != nil {
			errs = append(errs, fmt.Sprintf("--metrics-listen %q: %v", a, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

// checkListenAddr checks a TCP listen address: host:port, the host an
// address, a name or empty (every address), the port a number or a
// service name.
func checkListenAddr(a string) error {
	_, port, err := net.SplitHostPort(a)
	if err != nil {
		return fmt.Errorf("want HOST:PORT, such as 127.0.0.1:9467 (or :9467 for every address): %w", err)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("bad port: %w", err)
	}
	return nil
}

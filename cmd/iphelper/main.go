// Command iphelper is the iphelper DHCPv4 relay agent appliance: `iphelper
// run` relays DHCP from the downstream interfaces to the helper addresses,
// `iphelper check-config` validates a configuration. main only wires flags,
// configuration and the daemon's tasks together; the protocol lives in the
// relay package.
//
// docs/README.md is the design of record and maps every behaviour to its
// package and file.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func main() {
	if err := runArgs(newApp(), os.Args); err != nil {
		code := exitFailure
		var exit cli.ExitCoder
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		}
		fmt.Fprintf(os.Stderr, "iphelper: %v\n", err)
		os.Exit(code)
	}
}

func newApp() *cli.App {
	app := &cli.App{
		Name:    "iphelper",
		Usage:   "DHCPv4 relay agent (ip helper-address) for Linux routers",
		Version: buildLine(thisBuild()),
		Commands: []*cli.Command{
			runCommand(),
			checkConfigCommand(),
			showCommand(),
			clearCommand(),
			debugCommand(),
			manCommand(),
			completionCommand(),
			reloadCommand(),
			failoverCommand(),
			versionCommand(),
		},
		HideHelpCommand: true,
	}
	usageExit(app)
	return app
}

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
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintf(os.Stderr, "iphelper: %v\n", err)
		os.Exit(exitFailure)
	}
}

func newApp() *cli.App {
	app := &cli.App{
		Name:  "iphelper",
		Usage: "DHCPv4 relay agent (ip helper-address) for Linux routers",
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
		},
		HideHelpCommand: true,
	}
	usageExit(app)
	return app
}

package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/relay/control"
)

// clearCommand returns "iphelper clear statistics".
func clearCommand() *cli.Command {
	return &cli.Command{
		Name:  "clear",
		Usage: "reset the running daemon's state over its control socket",
		Flags: []cli.Flag{socketFlag()},
		Subcommands: []*cli.Command{{
			Name:    control.ClearStatistics,
			Aliases: []string{"counters"},
			Usage:   "set every relay counter back to zero (IOS: clear ip dhcp relay statistics)",
			Flags:   clientFlags(),
			Action:  clearStatistics,
		}},
	}
}

func clearStatistics(c *cli.Context) error {
	if c.NArg() > 0 {
		return cli.Exit(fmt.Sprintf("clear statistics: unexpected arguments %q", c.Args().Slice()), 2)
	}
	cl, err := dialControl(c)
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := cl.Clear(c.Context); err != nil {
		return clientError(err)
	}
	if c.Bool(clientFlagJSON) {
		_, err = fmt.Fprintln(c.App.Writer, `{"cleared":"statistics"}`)
	} else {
		_, err = fmt.Fprintln(c.App.Writer, "Statistics cleared.")
	}
	return err
}

package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/relay/control"
)

// clearCommand returns "iphelper clear statistics|conflicts".
func clearCommand() *cli.Command {
	return &cli.Command{
		Name:  "clear",
		Usage: "reset the running daemon's state over its control socket",
		Flags: []cli.Flag{socketFlag()},
		Subcommands: []*cli.Command{clearConflictsCommand(), {
			Name:    control.ClearStatistics,
			Aliases: []string{"counters"},
			Usage: "start the counters that show displays over, every counter or INTERFACE's only; the Prometheus " +
				"counters do not move (IOS: clear ip dhcp relay statistics)",
			ArgsUsage: "[INTERFACE]",
			Flags:     clientFlags(),
			Action:    clearStatistics,
		}},
	}
}

func clearStatistics(c *cli.Context) error {
	if c.NArg() > 1 {
		return cli.Exit(fmt.Sprintf("clear statistics: unexpected arguments %q, want at most an interface", c.Args().Slice()), exitUsage)
	}
	iface := c.Args().First()
	cl, err := dialControl(c)
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := cl.Clear(c.Context, iface); err != nil {
		return clientError(err)
	}
	switch {
	case c.Bool(clientFlagJSON) && iface != "":
		data, _ := json.Marshal(map[string]string{"cleared": "statistics", "interface": iface})
		_, err = fmt.Fprintf(c.App.Writer, "%s\n", data)
	case c.Bool(clientFlagJSON):
		_, err = fmt.Fprintln(c.App.Writer, `{"cleared":"statistics"}`)
	case iface != "":
		_, err = fmt.Fprintf(c.App.Writer, "Statistics of %s cleared.\n", clean(iface))
	default:
		_, err = fmt.Fprintln(c.App.Writer, "Statistics cleared.")
	}
	return err
}

func clearConflictsCommand() *cli.Command {
	return &cli.Command{
		Name: control.ClearConflicts,
		Usage: "free the addresses the fallback server quarantined after a DECLINE or an answered ARP probe: ADDR, " +
			"or * (or nothing) for every one (IOS: clear ip dhcp conflict)",
		ArgsUsage: "[ADDR|*]",
		Flags:     clientFlags(),
		Action:    clearConflicts,
	}
}

func clearConflicts(c *cli.Context) error {
	if c.NArg() > 1 {
		return cli.Exit(fmt.Sprintf("clear conflicts: unexpected arguments %q, want an address or *", c.Args().Slice()), exitUsage)
	}
	cl, err := dialControl(c)
	if err != nil {
		return err
	}
	defer cl.Close()
	freed, err := cl.ClearConflicts(c.Context, c.Args().First())
	if err != nil {
		return clientError(err)
	}
	if c.Bool(clientFlagJSON) {
		data, err := json.Marshal(control.ClearedConflicts{Freed: freed})
		if err != nil {
			return err
		}
		return printJSON(c.App.Writer, data)
	}
	if len(freed) == 0 {
		_, err = fmt.Fprintln(c.App.Writer, "No quarantined address to free.")
		return err
	}
	_, err = fmt.Fprintf(c.App.Writer, "Freed %d quarantined address(es): %s\n", len(freed), addrList(freed))
	return err
}

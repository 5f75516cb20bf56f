package main

import (
	"encoding/json"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/relay"
	"github.com/iphelper/iphelper/relay/control"
)

const debugFlagInterface = "interface"

// debugCommand returns "iphelper debug packets [--interface NAME]".
func debugCommand() *cli.Command {
	flags := append(clientFlags(), &cli.StringFlag{Name: debugFlagInterface, Aliases: []string{"i"},
		Usage: "trace only the downstream interface `NAME`"})
	return &cli.Command{
		Name:  "debug",
		Usage: "watch the running daemon live over its control socket",
		Flags: []cli.Flag{socketFlag()},
		Subcommands: []*cli.Command{{
			Name:  control.DebugPackets,
			Usage: "print each packet the relay handles and what it did with it, until Ctrl-C (IOS: debug ip dhcp server packet)",
			Description: "One line per packet: time, interface, direction, message type, xid, chaddr, giaddr, and the\n" +
				"decision (relayed to which helpers, delivered to whom, or dropped and why). With --json, one\n" +
				"JSON object per line. Tracing costs the relay nothing while nobody watches.",
			Flags:  flags,
			Action: debugPackets,
		}},
	}
}

func debugPackets(c *cli.Context) error {
	if c.NArg() > 0 {
		return cli.Exit(fmt.Sprintf("debug packets: unexpected arguments %q (use --interface NAME)", c.Args().Slice()), 2)
	}
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cl, err := dialControl(c)
	if err != nil {
		return err
	}
	iface := c.String(debugFlagInterface)
	asJSON := c.Bool(clientFlagJSON)
	enc := json.NewEncoder(c.App.Writer)
	err = cl.TraceStarted(ctx, iface, func(st control.TraceStart) {
		fmt.Fprintln(c.App.ErrWriter, traceBanner(iface, st.State))
	}, func(e control.TraceEvent) {
		if asJSON {
			_ = enc.Encode(e)
			return
		}
		fmt.Fprintln(c.App.Writer, clean(e.Line))
	})
	if err != nil {
		return clientError(err)
	}
	return nil
}

// traceBanner is the line that tells where the trace listens.
func traceBanner(iface, state string) string {
	switch {
	case iface == "":
		return "Tracing DHCP packets on every interface; press Ctrl-C to stop."
	case state == relay.StateWaitingLink.String():
		return fmt.Sprintf("Interface %s is configured but does not exist yet: tracing its packets once it appears; press Ctrl-C to stop.", clean(iface))
	}
	return fmt.Sprintf("Tracing DHCP packets on interface %s; press Ctrl-C to stop.", clean(iface))
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/relay/control"
)

// Flag of failover partner-down: the operator confirms.
const failoverFlagYes = "yes"

// partnerDownWarning is what partner-down without --yes prints: what it
// would do (docs/failover.md, "Operating it").
const partnerDownWarning = `failover partner-down: not done without --yes.
It tells this node that its failover partner is down (powered off, or cut off from the
clients as well as from this node). This node then serves every client of the pair, and
once MCLT has passed it allocates every free address, the partner's too: if the partner
still serves clients, an address may be given twice. It is taken in STARTUP and
COMMUNICATIONS-INTERRUPTED only (see iphelper show failover).
Run it again with --yes to do it.`

// failoverCommand returns "iphelper failover partner-down".
func failoverCommand() *cli.Command { return failoverCommandWith(defaultClientEnv()) }

func failoverCommandWith(env clientEnv) *cli.Command {
	flags := append(clientFlags(), &cli.BoolFlag{Name: failoverFlagYes, DisableDefaultText: true,
		Usage: "confirm: without it the command only says what it would do, and exits with status 2"})
	return &cli.Command{
		Name:  "failover",
		Usage: "command the running daemon's failover pair over its control socket",
		Flags: []cli.Flag{socketFlag()},
		Subcommands: []*cli.Command{{
			Name: control.FailoverPartnerDown,
			Usage: "state that the failover partner is down: this node serves every client of the pair, and after MCLT " +
				"every address (ISC dhcpd: local-state partner-down over OMAPI)",
			Flags:  flags,
			Action: env.partnerDown,
		}},
	}
}

func (env clientEnv) partnerDown(c *cli.Context) error {
	if c.NArg() > 0 {
		return cli.Exit(fmt.Sprintf("failover partner-down: unexpected arguments %q (give flags before arguments)", c.Args().Slice()), exitUsage)
	}
	if !c.Bool(failoverFlagYes) {
		return cli.Exit(partnerDownWarning, exitUsage)
	}
	cl, err := dialControl(c)
	if err != nil {
		return err
	}
	defer cl.Close()
	f, err := cl.PartnerDown(c.Context)
	if err != nil {
		if errors.Is(err, &control.Error{Code: control.CodeRefused}) {
			return cli.Exit(fmt.Sprintf("%v\nnothing changed; see iphelper show failover", err), exitFailure)
		}
		return clientError(err)
	}
	if c.Bool(clientFlagJSON) {
		b, err := json.Marshal(f)
		if err != nil {
			return clientError(fmt.Errorf("failed to encode the answer: %w", err))
		}
		return printJSON(c.App.Writer, b)
	}
	return writePartnerDown(c.App.Writer, f)
}

// writePartnerDown tells the operator the pair's state after partner-down.
func writePartnerDown(w io.Writer, f control.Failover) error {
	mclt := mcltOf(f)
	_, err := fmt.Fprintf(w, "Failover %s: %s since %s; this node serves every client of the pair,\nand every free address from %s (MCLT %s after PARTNER-DOWN began).\n",
		pairName(f), clean(f.State), stamp(f.Since), stamp(f.PartnerDownSince.Add(mclt)), humanDuration(mclt))
	return err
}

// pairName names the pair in the CLI's sentences.
func pairName(f control.Failover) string {
	if f.Name == "" {
		return "pair"
	}
	return "pair " + clean(f.Name)
}

func mcltOf(f control.Failover) time.Duration {
	return time.Duration(f.MCLTSeconds * float64(time.Second)).Round(time.Second)
}

// renderFailover prints `show failover`: the pair, its scopes, its
// transitions and its counters.
func (env clientEnv) renderFailover(w io.Writer, data json.RawMessage, _ string) error {
	f, err := decode[control.Failover](data)
	if err != nil {
		return err
	}
	for _, write := range []func(io.Writer, control.Failover) error{env.writePair, writeFailoverScopes, writeTransitions, writeFailoverCounters} {
		if err := write(w, f); err != nil {
			return err
		}
	}
	return nil
}

// writePair lists this node's state and the partner's, one per line.
func (env clientEnv) writePair(w io.Writer, f control.Failover) error {
	if _, err := fmt.Fprintf(w, "Failover %s\n", pairName(f)); err != nil {
		return err
	}
	partner := f.PartnerState
	if partner == "" {
		partner = "unknown (no contact since start)"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, kv := range [][2]string{
		{"Role", clean(f.Role)},
		{"State", clean(f.State) + " since " + stamp(f.Since)},
		{"Partner state", clean(partner)},
		{"Connected", yesNo(f.Connected)},
		{"Last contact", env.ago(f.LastContact)},
		{"Listen", addrPortOrDash(f.Listen)},
		{"Peer", addrPortOrDash(f.Peer)},
		{"MCLT", humanDuration(mcltOf(f))},
		{"Partner down since", stamp(f.PartnerDownSince)},
		{"Pending updates", strconv.Itoa(f.PendingUpdates)},
	} {
		fmt.Fprintf(tw, "  %s\t%s\n", kv[0], kv[1])
	}
	return tw.Flush()
}

// ago is a time in UTC and how long ago it was: "2026-03-01T14:01:08Z
// (1m3s ago)"; "-" for none.
func (env clientEnv) ago(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return stamp(t) + " (" + humanDuration(max(env.now().Sub(t), 0)) + " ago)"
}

func addrPortOrDash(a netip.AddrPort) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}

// writeFailoverScopes lists each scope in failover with the addresses each
// node owns, and the scopes not served in failover because the partner's
// differs.
func writeFailoverScopes(w io.Writer, f control.Failover) error {
	if _, err := fmt.Fprintln(w); err != nil {
		return err
	}
	t := newTable(w, "Interface", "Subnet", "Mode", "Owned", "Partner owns", "Mismatch")
	for _, s := range f.Scopes {
		t.row(orDashString(clean(s.Interface)), prefixOrDash(s.Subnet), clean(s.Mode), strconv.Itoa(s.Owned), strconv.Itoa(s.PartnerOwned), yesNo(s.Mismatch))
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, s := range f.Scopes {
		switch {
		case s.Mismatch:
			if _, err := fmt.Fprintf(w, "%s: configured differently on the partner: not served in failover\n", prefixOrDash(s.Subnet)); err != nil {
				return err
			}
		case s.PartnerMissing:
			if _, err := fmt.Fprintf(w, "%s: the partner does not serve it (yet): it refuses this scope's lease updates\n", prefixOrDash(s.Subnet)); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeTransitions lists the last state changes, oldest first.
func writeTransitions(w io.Writer, f control.Failover) error {
	if len(f.Transitions) == 0 {
		_, err := fmt.Fprintln(w, "\nNo state change since start.")
		return err
	}
	if _, err := fmt.Fprintln(w, "\nState changes (oldest first)"); err != nil {
		return err
	}
	t := newTable(w, "At", "From", "To", "Reason")
	for _, tr := range f.Transitions {
		t.row(stamp(tr.At), clean(tr.From), clean(tr.To), clean(tr.Reason))
	}
	return t.flush()
}

// writeFailoverCounters lists every counter of the pair by name.
func writeFailoverCounters(w io.Writer, f control.Failover) error {
	if _, err := fmt.Fprintln(w, "\nCounters"); err != nil {
		return err
	}
	names := make([]string, 0, len(f.Counters))
	for n := range f.Counters {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range names {
		fmt.Fprintf(tw, "  %s\t%d\n", clean(n), f.Counters[n])
	}
	return tw.Flush()
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/relay/control"
)

// Flags of the control-socket client commands (show, clear, debug).
const (
	clientFlagSocket = "control-socket"
	clientFlagJSON   = "json"
)

// clientFlags returns new flags for one client command.
func clientFlags() []cli.Flag {
	return []cli.Flag{
		socketFlag(),
		&cli.BoolFlag{Name: clientFlagJSON, DisableDefaultText: true,
			Usage: "print JSON for scripts instead of a table"},
	}
}

// socketFlag returns a new --control-socket flag. The client commands
// and the groups above them (show, clear, debug, failover) each take it:
// "iphelper show --control-socket PATH interfaces" works as well as
// "iphelper show interfaces --control-socket PATH".
func socketFlag() cli.Flag {
	return &cli.StringFlag{Name: clientFlagSocket, Value: control.DefaultPath, TakesFile: true,
		Usage: "talk to the daemon over the control socket `PATH`"}
}

// socketPath is the --control-socket given closest to the command, or
// the default path.
func socketPath(c *cli.Context) string {
	for _, cc := range c.Lineage() {
		if slices.Contains(cc.LocalFlagNames(), clientFlagSocket) {
			return cc.String(clientFlagSocket)
		}
	}
	return control.DefaultPath
}

// clientEnv is what the client commands take from their surroundings:
// the clock that says how long is left until an expiry.
type clientEnv struct {
	now func() time.Time
}

func defaultClientEnv() clientEnv { return clientEnv{now: time.Now} }

// dialControl connects to the daemon named by --control-socket.
func dialControl(c *cli.Context) (*control.Client, error) {
	path := socketPath(c)
	cl, err := control.Dial(path)
	if err != nil {
		return nil, cli.Exit(fmt.Sprintf("%v\n(is iphelper running, and may you open %s? the daemon's socket is owner-only)", err, path), 1)
	}
	return cl, nil
}

// clientError turns a failed request into the command's exit.
func clientError(err error) error { return cli.Exit(err.Error(), 1) }

// showCommand returns "iphelper show …".
func showCommand() *cli.Command { return showCommandWith(defaultClientEnv()) }

func showCommandWith(env clientEnv) *cli.Command {
	sub := func(name, usage string, render renderFunc) *cli.Command {
		return &cli.Command{Name: name, Usage: usage, Flags: clientFlags(), Action: env.showAction(name, render)}
	}
	helpers := sub(control.ShowHelpers, "each helper address and its counters", renderHelpers)
	helpers.Aliases = []string{control.ShowUpstreams}
	bindings := sub(control.ShowBindings, "the relay's binding table, learned from the ACKs it relayed: address, MAC, interface, VLAN, host name, expiry", env.renderBindings)
	bindings.ArgsUsage = "[ADDR|MAC]"
	return &cli.Command{
		Name:  "show",
		Usage: "show the running daemon's state over its control socket",
		Flags: []cli.Flag{socketFlag()},
		Subcommands: []*cli.Command{
			sub(control.ShowInterfaces, "each downstream interface: state, giaddr, helpers, option-82 settings, packets and drops", renderInterfaces),
			helpers,
			sub(control.ShowStatistics, "counters per interface and per drop reason, and per helper", renderStatistics),
			bindings,
			sub(control.ShowLeases, "the fallback server's leases", env.renderLeases),
			sub(control.ShowPools, "each fallback scope's addresses: size, leased, offered, quarantined, free and utilisation (IOS: show ip dhcp pool)", renderPools),
			sub(control.ShowConflicts, "the addresses the fallback server quarantined after a DECLINE or an answered ARP probe, and until when (IOS: show ip dhcp conflict)", renderConflicts),
			sub(control.ShowVersion, "the daemon's version, commit, Go version, uptime and configuration hash", renderVersion),
			sub(control.ShowFailover, "the failover pair: role, state and since, the partner's state, the connection, each scope's mode and addresses per node, the last state changes and the counters", env.renderFailover),
			sub(control.ShowDDNS, "each fallback scope's dynamic DNS: updates pending, addresses registered, updates done, conflicts, failures by reason, per zone", renderDDNS),
		},
	}
}

// renderFunc prints the data of a show target as a table. arg is the
// command's argument (show bindings ADDR|MAC).
type renderFunc func(w io.Writer, data json.RawMessage, arg string) error

// showAction runs one show target: fetch, then print as JSON or a table.
func (env clientEnv) showAction(what string, render renderFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.NArg() > 1 || (c.NArg() == 1 && what != control.ShowBindings) {
			return cli.Exit(fmt.Sprintf("show %s: unexpected arguments %q", what, c.Args().Slice()), exitUsage)
		}
		arg := c.Args().First()
		cl, err := dialControl(c)
		if err != nil {
			return err
		}
		defer cl.Close()
		data, err := cl.Show(c.Context, what, arg)
		if err != nil {
			return clientError(err)
		}
		if c.Bool(clientFlagJSON) {
			return printJSON(c.App.Writer, data)
		}
		return render(c.App.Writer, data, arg)
	}
}

// printJSON prints data indented, with a final newline.
func printJSON(w io.Writer, data json.RawMessage) error {
	var b bytes.Buffer
	if err := json.Indent(&b, data, "", "  "); err != nil {
		return clientError(fmt.Errorf("daemon sent malformed JSON: %w", err))
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// decode unmarshals the data of a show target.
func decode[T any](data json.RawMessage) (T, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return v, clientError(fmt.Errorf("failed to decode the daemon's answer: %w", err))
	}
	return v, nil
}

// table writes tab-separated rows as aligned columns.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) { fmt.Fprintln(t.tw, strings.Join(cells, "\t")) }

func (t *table) flush() error { return t.tw.Flush() }

func renderInterfaces(w io.Writer, data json.RawMessage, _ string) error {
	ifs, err := decode[[]control.Interface](data)
	if err != nil {
		return err
	}
	t := newTable(w, "Interface", "State", "VLAN", "Address", "Giaddr", "Helpers", "Option 82", "Trusted", "Policy", "Circuit-ID", "In", "Relayed", "Out", "Drops")
	for _, i := range ifs {
		opt82 := "off"
		if i.Option82 {
			opt82 = "insert"
		}
		t.row(clean(i.Name), stateText(i), orDash(i.VLAN), prefixOrDash(i.Address), addrOrDash(i.GIAddr), addrList(i.Helpers),
			opt82, yesNo(i.Trusted), i.Policy, orDashString(clean(i.CircuitID)),
			u64(i.Counters.RequestsReceived), u64(i.Counters.RequestsRelayed), u64(i.Counters.RepliesDelivered), u64(i.Counters.TotalDrops()))
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, i := range ifs {
		if i.LeaseStoreQuorumLostSince != nil {
			if _, err := fmt.Fprintf(w, "%s: fallback lease store: quorum lost since %s: no fallback lease is acknowledged\n",
				clean(i.Name), i.LeaseStoreQuorumLostSince.Format(time.RFC3339)); err != nil {
				return err
			}
		}
		if i.Fallback != "disabled" {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s: fallback disabled: %s\n", clean(i.Name), clean(i.FallbackReason)); err != nil {
			return err
		}
	}
	return nil
}

// stateText is an interface's state, and how its socket is read when a
// storm makes its loop busy (batches of up to 32 packets; the word stays
// "polling", which scripts read) and gives it a ring: "up (polling, ring)".
func stateText(i control.Interface) string {
	var how []string
	if i.Polling {
		how = append(how, "polling")
	}
	if i.ReceiveRing {
		how = append(how, "ring")
	}
	if len(how) == 0 {
		return i.State
	}
	return i.State + " (" + strings.Join(how, ", ") + ")"
}

func renderHelpers(w io.Writer, data json.RawMessage, _ string) error {
	hs, err := decode[[]control.Helper](data)
	if err != nil {
		return err
	}
	return writeHelpers(w, hs)
}

func writeHelpers(w io.Writer, hs []control.Helper) error {
	t := newTable(w, "Helper", "Health", "Since", "Last reply", "Sent", "Replies", "Timed out", "p50 ms", "p99 ms", "Send errors")
	for _, h := range hs {
		health := h.Health
		if health == "" {
			health = "-"
		}
		t.row(h.Addr.String(), health, stamp(h.Since), stamp(h.LastReply), u64(h.Sent), u64(h.Replies),
			u64(h.TimedOut), latencyMs(h.LatencyP50Ms, h.LatencySamples), latencyMs(h.LatencyP99Ms, h.LatencySamples), u64(h.SendErrors))
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, h := range hs {
		if h.Health == "down" && h.Reason != "" {
			if _, err := fmt.Fprintf(w, "%s is down: %s\n", h.Addr, h.Reason); err != nil {
				return err
			}
		}
	}
	return writeHelperSets(w, hs)
}

// writeHelperSets lists each helper set the helpers belong to, once: its
// health decides the fallback of its interfaces.
func writeHelperSets(w io.Writer, hs []control.Helper) error {
	var sets []control.HelperSet
	seen := make(map[string]bool)
	for _, h := range hs {
		for _, s := range h.Sets {
			if id := addrList(s.Helpers); !seen[id] {
				seen[id] = true
				sets = append(sets, s)
			}
		}
	}
	if len(sets) == 0 {
		return nil
	}
	sort.Slice(sets, func(i, j int) bool { return addrList(sets[i].Helpers) < addrList(sets[j].Helpers) })
	if _, err := fmt.Fprintln(w, "\nHelper sets (a set is down when none of its helpers answers: its interfaces' fallback then answers at once)"); err != nil {
		return err
	}
	t := newTable(w, "Helpers", "Interfaces", "Health", "Since", "Forwarded", "Answered", "Timed out", "p50 ms", "p99 ms")
	for _, s := range sets {
		t.row(addrList(s.Helpers), clean(strings.Join(s.Interfaces, ",")), s.Health, stamp(s.Since), u64(s.Forwarded), u64(s.Answered),
			u64(s.TimedOut), latencyMs(s.LatencyP50Ms, s.LatencySamples), latencyMs(s.LatencyP99Ms, s.LatencySamples))
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, s := range sets {
		if s.Health == "down" && s.Reason != "" {
			if _, err := fmt.Fprintf(w, "helper set %s is down: %s\n", addrList(s.Helpers), s.Reason); err != nil {
				return err
			}
		}
	}
	return nil
}

func renderStatistics(w io.Writer, data json.RawMessage, _ string) error {
	st, err := decode[control.Statistics](data)
	if err != nil {
		return err
	}
	for _, i := range st.Interfaces {
		fmt.Fprintf(w, "Interface %s (%s)\n", clean(i.Name), i.State)
		if err := writeCounters(w, i.Counters); err != nil {
			return err
		}
		writeNewClients(w, i.NewClients)
		fmt.Fprintln(w)
	}
	if st.Global.TotalDrops() > 0 {
		fmt.Fprintln(w, "Not charged to an interface")
		if err := writeDrops(w, st.Global); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return writeHelpers(w, st.Helpers)
}

// writeCounters lists an interface's counters and every nonzero drop
// reason, like Junos `show dhcp relay statistics`.
func writeCounters(w io.Writer, c control.Counters) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, kv := range []struct {
		name string
		v    uint64
	}{
		{"Requests received", c.RequestsReceived}, {"Requests relayed", c.RequestsRelayed},
		{"Option 82 inserted", c.Option82Inserted}, {"Option 82 omitted (too big)", c.Option82Omitted},
		{"Replies delivered", c.RepliesDelivered}, {"  of which by broadcast", c.RepliesBroadcast},
		{"Fallback server replies", c.FallbackReplies},
	} {
		fmt.Fprintf(tw, "  %s\t%d\n", kv.name, kv.v)
	}
	if len(c.UDPPorts) > 0 {
		fmt.Fprintf(tw, "  UDP broadcasts forwarded\t%d\n", c.UDPForwarded)
		for _, p := range c.UDPPorts {
			fmt.Fprintf(tw, "    udp:%d\treceived %d, forwarded %d, dropped %d\n", p.Port, p.Received, p.Forwarded, p.Dropped)
		}
	}
	writeDropLines(tw, c)
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeMessageTypes(w, c)
}

func writeDrops(w io.Writer, c control.Counters) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	writeDropLines(tw, c)
	return tw.Flush()
}

func writeDropLines(w io.Writer, c control.Counters) {
	fmt.Fprintf(w, "  Dropped\t%d\n", c.TotalDrops())
	reasons := make([]string, 0, len(c.Drops))
	for r, n := range c.Drops {
		if n > 0 {
			reasons = append(reasons, r)
		}
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "    %s\t%d\n", clean(r), c.Drops[r])
	}
}

func (env clientEnv) renderBindings(w io.Writer, data json.RawMessage, arg string) error {
	bs, err := decode[[]control.Binding](data)
	if err != nil {
		return err
	}
	if len(bs) == 0 && arg != "" {
		return cli.Exit(fmt.Sprintf("no binding for %s", arg), 1)
	}
	t := newTable(w, "Address", "MAC", "Interface", "VLAN", "Hostname", "Expires")
	for _, b := range bs {
		t.row(b.Addr.String(), b.MAC.String(), clean(b.Interface), orDash(b.VLAN), orDashString(clean(b.Hostname)), env.expiry(b.Expiry))
	}
	return t.flush()
}

func (env clientEnv) renderLeases(w io.Writer, data json.RawMessage, _ string) error {
	ls, err := decode[[]control.Lease](data)
	if err != nil {
		return err
	}
	t := newTable(w, "Address", "MAC", "Client-ID", "Hostname", "Interface", "Expires", "State")
	for _, l := range ls {
		t.row(l.Addr.String(), l.MAC.String(), orDashString(l.ClientID.String()), orDashString(clean(l.Hostname)),
			clean(l.Interface), env.expiry(l.Expiry), clean(l.State))
	}
	return t.flush()
}

// expiry shows when a lease ends and how long is left:
// "2026-03-01T15:02:11Z (in 1h)".
func (env clientEnv) expiry(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	left := t.Sub(env.now())
	if left < time.Second {
		return stamp(t) + " (expired)"
	}
	return stamp(t) + " (in " + humanDuration(left) + ")"
}

// clean replaces control characters, so that names from the network
// cannot drive the operator's terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func orDash(v int) string {
	if v == 0 {
		return "-"
	}
	return strconv.Itoa(v)
}

func orDashString(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func addrOrDash(a netip.Addr) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}

func prefixOrDash(p netip.Prefix) string {
	if !p.IsValid() {
		return "-"
	}
	return p.String()
}

func addrList(as []netip.Addr) string {
	if len(as) == 0 {
		return "-"
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// writeNewClients lists a fallback scope's offers to new clients and its
// offer cap: a storm of real clients takes its offers, a flood abandons
// them. Nothing for an interface without a scope.
func writeNewClients(w io.Writer, n *control.NewClients) {
	if n == nil {
		return
	}
	limit := func(v int) string {
		if v < 0 {
			return "none"
		}
		return strconv.Itoa(v)
	}
	fmt.Fprintf(w, "  Fallback offers to new clients: %d (%d earned past the cap), %d taken, %d abandoned, %d outstanding; %d DISCOVERs turned away\n",
		n.Offered, n.Earned, n.Taken, n.Abandoned, n.Outstanding, n.Capped)
	fmt.Fprintf(w, "  Fallback offer cap: base %s, earned %s (%s)\n", limit(n.Cap), limit(n.EarnedCap), clean(n.CapState))
}

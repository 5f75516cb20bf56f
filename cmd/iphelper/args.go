package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// runArgs runs app on a command line as an operator types it: normalArgs
// first, then urfave/cli. An ambiguous command is a usage error.
func runArgs(app *cli.App, args []string) error {
	norm, err := normalArgs(app, args)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	return app.Run(norm)
}

// level is one command level of the tree: the app or a command.
type level struct {
	name  string
	cmds  []*cli.Command
	flags []cli.Flag
}

// normalArgs rewrites a command line (args[0] is the program) into the
// form urfave/cli parses, for the habits IOS and Junos operators bring:
//
//   - a command may be shortened to any prefix that names one command of
//     its level, at every level ("sh int" is "show interfaces"); an
//     ambiguous prefix is an error that lists the candidates;
//   - flags may follow the positional arguments ("show bindings
//     203.0.113.10 --json"): each level's flags are moved before its
//     arguments, a flag's value staying with it; after "--" nothing is
//     moved;
//   - a flag given before the subcommand it belongs to moves down to it
//     ("show --json interfaces", "debug -i eth1 packets");
//   - "help CMD…" is "CMD… --help".
//
// Words it does not know (an unknown command or flag) are left in place
// for urfave/cli to report.
func normalArgs(app *cli.App, args []string) ([]string, error) {
	if len(args) == 0 {
		return args, nil
	}
	out := []string{args[0]}
	cur := level{name: app.Name, cmds: app.Commands, flags: app.Flags}
	var flags [][]string // each flag word with its value, if it takes one
	var pos []string
	help := false
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		switch {
		case w == "--":
			pos = append(pos, rest[i:]...)
			i = len(rest)
		case len(w) > 1 && w[0] == '-':
			f := []string{w}
			if i+1 < len(rest) && !strings.Contains(w, "=") && takesValueBelow(cur, flagName(w)) {
				i++
				f = append(f, rest[i])
			}
			flags = append(flags, f)
		case len(pos) == 0 && len(cur.cmds) > 0:
			cmd, err := lookupCommand(cur, w)
			if err != nil {
				return nil, err
			}
			if cmd == nil {
				if w == "help" && !help {
					help = true
					continue
				}
				pos = append(pos, w)
				continue
			}
			here, below := splitFlags(cur.flags, flags)
			out = append(append(out, here...), cmd.Name)
			flags = below
			cur = level{name: cur.name + " " + cmd.Name, cmds: cmd.Subcommands, flags: cmd.Flags}
		default:
			pos = append(pos, w)
		}
	}
	for _, f := range flags {
		out = append(out, f...)
	}
	if help {
		out = append(out, "--help")
	}
	return append(out, pos...), nil
}

// lookupCommand finds the command w names at level l: the command with
// that name or alias, else the one command whose visible name or alias w
// begins. nil without error: no command matches (w is an argument, or
// an unknown command urfave/cli reports).
func lookupCommand(l level, w string) (*cli.Command, error) {
	for _, c := range l.cmds {
		if c.HasName(w) {
			return c, nil
		}
	}
	var found []*cli.Command
	var names []string
	for _, c := range l.cmds {
		if c.Hidden {
			continue
		}
		for _, n := range c.Names() {
			if strings.HasPrefix(n, w) && !slices.Contains(found, c) {
				found = append(found, c)
				names = append(names, n)
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("ambiguous command %q: %s %s could be %s (type more letters)", w, l.name, w, strings.Join(names, ", "))
}

// flagName is the name of the flag word w: without dashes and "=value".
func flagName(w string) string {
	name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
	return name
}

// findFlag returns the flag name among flags; nil when there is none.
func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// takesValueBelow reports whether the flag name, of level l or else of the
// first command below l that has it, is followed by a value.
func takesValueBelow(l level, name string) bool {
	if f := findFlag(l.flags, name); f != nil {
		return takesValue(f)
	}
	for _, c := range l.cmds {
		if takesValueBelow(level{cmds: c.Subcommands, flags: c.Flags}, name) {
			return true
		}
	}
	return false
}

// splitFlags splits the flags given at a level into the words of those
// the level has (and --help), which stay, and the others, which move down
// to the subcommand.
func splitFlags(defined []cli.Flag, flags [][]string) (here []string, below [][]string) {
	for _, f := range flags {
		name := flagName(f[0])
		if findFlag(defined, name) != nil || name == "help" || name == "h" {
			here = append(here, f...)
		} else {
			below = append(below, f)
		}
	}
	return here, below
}

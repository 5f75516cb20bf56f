package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionCommand returns "iphelper completion bash|zsh|fish": print a
// completion script generated from the command tree (the .deb ships the
// bash one as /usr/share/bash-completion/completions/iphelper).
func completionCommand() *cli.Command {
	return &cli.Command{
		Name:            "completion",
		Usage:           "print a shell completion script",
		ArgsUsage:       "SHELL",
		HideHelpCommand: true,
		Action: func(c *cli.Context) error {
			return cli.Exit(fmt.Sprintf("completion: name the shell, one of: bash, zsh, fish (got %q)", c.Args().First()), 2)
		},
		Subcommands: []*cli.Command{
			shellCommand("bash", "source it, or install it as /usr/share/bash-completion/completions/iphelper", writeBashCompletion),
			shellCommand("zsh", "source it, or install it as _iphelper in a directory of $fpath (Debian: /usr/share/zsh/vendor-completions)", writeZshCompletion),
			shellCommand("fish", "source it, or install it as /usr/share/fish/vendor_completions.d/iphelper.fish", writeFishCompletion),
		},
	}
}

// shellCommand returns "completion SHELL", printing write's script.
func shellCommand(shell, install string, write func(io.Writer, *cli.App) error) *cli.Command {
	return &cli.Command{
		Name:  shell,
		Usage: "print the " + shell + " completion script: " + install,
		Action: func(c *cli.Context) error {
			if err := write(c.App.Writer, c.App); err != nil {
				return cli.Exit(fmt.Sprintf("failed to print the completion script: %v", err), 1)
			}
			return nil
		},
	}
}

// completionNode is what the script knows of one command: its path
// ("iphelper show helpers"), the words that may follow it, and which of
// its flags take a value or a file.
type completionNode struct {
	path        string
	subcommands []string
	flags       []string
	valueFlags  []string // flags followed by a value that is not a file
	fileFlags   []string // flags followed by a file name
	fileArgs    bool     // its arguments are file names (ArgsUsage names a FILE)
	ifaceArgs   bool     // its argument is an interface name (ArgsUsage names an INTERFACE)
	ifaceFlags  []string // flags followed by an interface name
	// enums are the values of flags that take one of a few words, by flag.
	enums map[string][]string
	usage map[string]string // each flag's usage, for fish's descriptions
	help  string            // the command's usage, for fish's descriptions
}

// completionTree walks app's visible commands (aliases too) depth first.
// urfave/cli's own "help" commands are left out: --help covers them.
func completionTree(app *cli.App) []completionNode {
	root := completionNode{path: app.Name, subcommands: commandNames(app.Commands)}
	addFlags(&root, app.Flags, app.HideHelp)
	nodes := []completionNode{root}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, cmd := range cmds {
			if !completes(cmd) {
				continue
			}
			for _, name := range cmd.Names() {
				n := completionNode{
					path:        prefix + " " + name,
					subcommands: commandNames(cmd.Subcommands),
					fileArgs:    strings.Contains(cmd.ArgsUsage, "FILE"),
					ifaceArgs:   strings.Contains(cmd.ArgsUsage, "INTERFACE"),
					help:        cmd.Usage,
				}
				addFlags(&n, cmd.Flags, cmd.HideHelp)
				nodes = append(nodes, n)
				walk(n.path, cmd.Subcommands)
			}
		}
	}
	walk(app.Name, app.Commands)
	return nodes
}

// commandNames lists the names and aliases of the commands to complete.
func commandNames(cmds []*cli.Command) []string {
	var names []string
	for _, c := range cmds {
		if completes(c) {
			names = append(names, c.Names()...)
		}
	}
	return names
}

// completes reports whether the script offers c: visible, and not
// urfave/cli's help command.
func completes(c *cli.Command) bool { return !c.Hidden && c.Name != "help" }

// flagValues says what follows the flag name: one of a few words
// (values), or the name of an interface of the machine (iface).
func flagValues(name string) (values []string, iface bool) {
	switch name {
	case flagInterface, flagTrustedInterface, flagDirectedBroadcast, flagSourceInterface:
		return nil, true
	case flagInformationPolicy:
		return []string{"keep", "replace", "drop"}, false
	case flagLogLevel:
		return []string{"debug", "info", "warn", "error"}, false
	case flagLogFormat:
		return []string{"text", "json"}, false
	case flagFailback:
		return []string{"nak", "keep"}, false
	case flagFailoverRole:
		return []string{"primary", "secondary"}, false
	case flagFailoverMode:
		return []string{"none", "split", "hot-standby", "load-sharing"}, false
	}
	return nil, false
}

// addFlags records flags, and --help/-h unless hideHelp, on n.
func addFlags(n *completionNode, flags []cli.Flag, hideHelp bool) {
	seen := make(map[string]bool)
	n.enums, n.usage = make(map[string][]string), make(map[string]string)
	add := func(f cli.Flag) {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			return
		}
		for _, name := range f.Names() {
			opt := "--" + name
			if len(name) == 1 {
				opt = "-" + name
			}
			if seen[opt] {
				continue
			}
			seen[opt] = true
			n.flags = append(n.flags, opt)
			if u, ok := f.(cli.DocGenerationFlag); ok {
				n.usage[opt] = u.GetUsage()
			}
			values, iface := flagValues(f.Names()[0])
			switch {
			case takesFile(f):
				n.fileFlags = append(n.fileFlags, opt)
			case !takesValue(f):
			case iface:
				n.ifaceFlags = append(n.ifaceFlags, opt)
			case values != nil:
				n.enums[opt] = values
			default:
				n.valueFlags = append(n.valueFlags, opt)
			}
		}
	}
	for _, f := range flags {
		add(f)
	}
	if !hideHelp {
		add(cli.HelpFlag)
	}
	sort.Strings(n.flags)
}

// takesValue reports whether f is followed by a value.
func takesValue(f cli.Flag) bool {
	df, ok := f.(cli.DocGenerationFlag)
	return ok && df.TakesValue()
}

// takesFile reports whether f's value is a file name.
func takesFile(f cli.Flag) bool {
	switch f := f.(type) {
	case *cli.StringFlag:
		return f.TakesFile
	case *cli.PathFlag:
		return f.TakesFile
	case *cli.GenericFlag:
		return f.TakesFile
	case *cli.StringSliceFlag:
		return f.TakesFile
	}
	return false
}

// writeBashCompletion writes the bash completion script of app to w.
func writeBashCompletion(w io.Writer, app *cli.App) error {
	nodes := completionTree(app)
	fn := "_" + shellIdent(app.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "# bash completion for %s, generated by `%s completion bash` from its commands and flags.\n", app.Name, app.Name)
	fmt.Fprintf(&b, "# Install as /usr/share/bash-completion/completions/%s, or source it.\n\n", app.Name)
	table := func(name string, value func(completionNode) string) {
		fmt.Fprintf(&b, "declare -gA %s_%s=(\n", fn, name)
		for _, n := range nodes {
			if v := value(n); v != "" || name == "flags" {
				fmt.Fprintf(&b, "\t[%s]=%s\n", shellQuote(n.path), shellQuote(v))
			}
		}
		b.WriteString(")\n")
	}
	writeTables(table)
	fmt.Fprintf(&b, "declare -gA %s_enums=(\n", fn)
	for _, n := range nodes {
		for _, opt := range sortedKeys(n.enums) {
			fmt.Fprintf(&b, "\t[%s]=%s\n", shellQuote(n.path+" "+opt), shellQuote(strings.Join(n.enums[opt], " ")))
		}
	}
	b.WriteString(")\n")
	b.WriteString(strings.NewReplacer("_FN_", fn, "_APP_", shellQuote(app.Name)).Replace(bashCompletionFunc))
	_, err := io.WriteString(w, b.String())
	return err
}

// bashCompletionFunc completes from the tables above (_FN_ is their
// prefix): the command path is the words so far that name commands; after
// a flag that takes a value it offers that flag's words, the machine's
// interfaces, files or nothing, after "-" the path's flags, else its
// subcommands (or files, or interfaces).
const bashCompletionFunc = `
_FN_() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" path=_APP_ i w
	if ((COMP_CWORD > 0)); then prev=${COMP_WORDS[COMP_CWORD-1]}; fi
	# --flag=value: bash splits at '=', so the flag is one word further back.
	if [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then prev=${COMP_WORDS[COMP_CWORD-2]}; fi
	if [[ $cur == "=" ]]; then cur=""; fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w != -* && -n ${_FN__flags["$path $w"]+set} ]]; then path="$path $w"; fi
	done
	COMPREPLY=()
	if [[ " ${_FN__files[$path]} " == *" $prev "* ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	elif [[ -n $prev && -n ${_FN__enums["$path $prev"]} ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${_FN__enums["$path $prev"]}" -- "$cur")
	elif [[ -n $prev && " ${_FN__ifaces[$path]} " == *" $prev "* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_FN__links)" -- "$cur")
	elif [[ -n $prev && " ${_FN__values[$path]} " == *" $prev "* ]]; then
		return 0
	elif [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${_FN__flags[$path]}" -- "$cur")
	elif [[ -n ${_FN__fileargs[$path]} ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	elif [[ -n ${_FN__ifaceargs[$path]} ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_FN__links)" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -W "${_FN__commands[$path]}" -- "$cur")
	fi
	return 0
}
# The machine's interface names (IPHELPER_SYSFS_NET: another directory, for tests).
_FN__links() {
	local d
	for d in "${IPHELPER_SYSFS_NET:-/sys/class/net}"/*; do [[ -e $d ]] && printf '%s\n' "${d##*/}"; done
}
complete -F _FN_ _APP_
`

// shellQuote quotes s for bash with single quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellIdent turns name into a shell identifier.
func shellIdent(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

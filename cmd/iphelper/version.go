package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/iphelper/iphelper/relay/control"
)

// Packaging may stamp the version and the commit into the binary:
//
//	go build -ldflags "-X main.version=1.4.0 -X main.commit=$(git rev-parse HEAD)"
//
// Left empty, they come from the build information Go records: the
// module's version and the VCS revision of the work tree it was built in.
var (
	version string
	commit  string
)

// buildOf is the build of this binary: the -ldflags stamps over the
// build information of info (nil when the binary has none).
func buildOf(info *debug.BuildInfo, ldVersion, ldCommit string) control.Build {
	b := control.Build{Version: ldVersion, Commit: ldCommit}
	if info != nil {
		b.GoVersion = info.GoVersion
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if ldCommit == "" {
					b.Commit = s.Value
				}
			case "vcs.modified":
				b.Modified = ldCommit == "" && s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	return b
}

// thisBuild is the build of the running binary.
func thisBuild() control.Build {
	info, _ := debug.ReadBuildInfo()
	return buildOf(info, version, commit)
}

// buildLine is the one-line version: "1.4.0 (commit 3f2a9c1d7b4e,
// modified, go1.26.0)".
func buildLine(b control.Build) string {
	s := b.Version + " (commit " + orUnknown(shortCommit(b.Commit))
	if b.Modified {
		s += ", modified"
	}
	return s + ", " + orUnknown(b.GoVersion) + ")"
}

// shortCommit is a commit hash cut to 12 hex digits, as git shows it.
func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// versionCommand returns "iphelper version": the same as --version, with
// the full commit hash and --json for scripts.
func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, commit and Go version of this binary (the daemon's: show version)",
		Flags: []cli.Flag{&cli.BoolFlag{Name: clientFlagJSON, DisableDefaultText: true, Usage: "print JSON for scripts"}},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit(fmt.Sprintf("version: unexpected arguments %q", c.Args().Slice()), exitUsage)
			}
			return writeBuild(c.App.Writer, thisBuild(), c.Bool(clientFlagJSON))
		},
	}
}

// writeBuild prints b and then more as lines of "name  value", or b as
// JSON.
func writeBuild(w io.Writer, b control.Build, asJSON bool, more ...[2]string) error {
	if asJSON {
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		return printJSON(w, data)
	}
	t := newTable(w, "Version", b.Version)
	commit := orUnknown(b.Commit)
	if b.Modified {
		commit += " (modified: built from a work tree with uncommitted changes)"
	}
	t.row("Commit", commit)
	t.row("Go", orUnknown(b.GoVersion))
	for _, r := range more {
		t.row(r[0], r[1])
	}
	return t.flush()
}

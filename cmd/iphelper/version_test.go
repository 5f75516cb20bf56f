package main

import (
	"bytes"
	"regexp"
	"runtime/debug"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/control"
)

func TestBuildOf(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "3f2a9c1d7b4e00112233445566778899aabbccdd"}, {Key: "vcs.modified", Value: "true"},
	}}
	tests := []struct {
		name                string
		info                *debug.BuildInfo
		ldVersion, ldCommit string
		want                control.Build
		line                string
	}{
		{"build info", info, "", "", control.Build{Version: "devel", Commit: "3f2a9c1d7b4e00112233445566778899aabbccdd", Modified: true, GoVersion: "go1.26.0"},
			"devel (commit 3f2a9c1d7b4e, modified, go1.26.0)"},
		{"ldflags win", info, "1.4.0", "abc123", control.Build{Version: "1.4.0", Commit: "abc123", GoVersion: "go1.26.0"},
			"1.4.0 (commit abc123, go1.26.0)"},
		{"module version", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}}, "", "",
			control.Build{Version: "v1.2.3", GoVersion: "go1.26.0"}, "v1.2.3 (commit unknown, go1.26.0)"},
		{"no build info", nil, "", "", control.Build{Version: "devel"}, "devel (commit unknown, unknown)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildOf(tt.info, tt.ldVersion, tt.ldCommit)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("buildOf (-want +got):\n%s", diff)
			}
			if l := buildLine(got); l != tt.line {
				t.Errorf("buildLine = %q, want %q", l, tt.line)
			}
		})
	}
}

// TestVersionCommands: --version, version and help run all work.
func TestVersionCommands(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"version", "--json"}, {"help", "run"}} {
		app := newApp()
		out, err := runNormal(app, args...)
		if err != nil || out == "" {
			t.Errorf("iphelper %v: %v, output %q", args, err, out)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {400 * time.Millisecond, "0s"}, {45 * time.Second, "45s"}, {10 * time.Minute, "10m"},
		{90 * time.Second, "1m30s"}, {time.Hour, "1h"}, {time.Hour + 30*time.Second, "1h"},
		{26 * time.Hour, "1d2h"}, {24*time.Hour + 5*time.Minute, "1d"}, {-10 * time.Minute, "-10m"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// Text log lines carry the one time format: RFC 3339, UTC, milliseconds.
func TestTextLogTime(t *testing.T) {
	var b bytes.Buffer
	log, _, err := newLogger(config.Log{Level: "info", Format: "text"}, &b)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello")
	if !regexp.MustCompile(`^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=INFO msg=hello\n$`).MatchString(b.String()) {
		t.Errorf("log line %q is not in the time format", b.String())
	}
}

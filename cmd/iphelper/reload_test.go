package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay"
	"github.com/iphelper/iphelper/relay/control"
)

// fakeApplier records the configurations a reload hands to the relay.
type fakeApplier struct{ got []*config.Config }

func (f *fakeApplier) Reload(cfg *config.Config) { f.got = append(f.got, cfg) }

// TestReloader: a reload runs the check of check-config against the
// daemon's links, so a file check-config rejects (a fallback pool outside
// its interface's subnet) is rejected and never reaches the relay; an
// accepted one sets the log level of the file at once and names the keys
// that wait for a restart (only log.format: the probe settings apply).
func TestReloader(t *testing.T) {
	const running = `
log: {level: info, format: text}
interfaces:
  - {name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.100-203.0.113.110], probe-count: 1}}
`
	links := map[string]iface.Link{"eth1": {Index: 3, Name: "eth1", Up: true, MAC: []byte{2, 0, 0, 0, 0, 1},
		Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.1/25")}}}
	type result struct {
		Err     string
		Applied int
		Level   slog.Level
		Restart []string
		OK      uint64
		Failed  uint64
	}
	tests := []struct {
		name string
		file string
		want result
	}{
		{
			name: "fallback pool outside the interface's subnet",
			file: `
interfaces:
  - {name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.200-203.0.113.210]}}
`,
			want: result{Err: `interface "eth1": address 203.0.113.1/25: fallback.pools[0]: 203.0.113.200-203.0.113.210 is not inside 203.0.113.0/25`,
				Level: slog.LevelInfo, Failed: 1},
		},
		{
			name: "log level",
			file: `
log: {level: debug}
interfaces:
  - {name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.100-203.0.113.110], probe-count: 1}}
`,
			want: result{Applied: 1, Level: slog.LevelDebug, OK: 1},
		},
		{
			name: "keys that wait for a restart",
			file: `
log: {level: warn, format: json}
interfaces:
  - {name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.100-203.0.113.110], probe-count: 2, probe-timeout: 300ms}}
`,
			want: result{Applied: 1, Level: slog.LevelWarn, OK: 1,
				Restart: []string{"log.format"}},
		},
		{
			name: "the failover block waits for a restart",
			file: `
failover: {role: primary, listen: 198.51.100.65, peer: 198.51.100.66, key-file: /etc/iphelper/failover.key}
interfaces:
  - {name: eth1, helper-addresses: [198.51.100.2], fallback: {pools: [203.0.113.100-203.0.113.110], probe-count: 1}}
`,
			want: result{Applied: 1, Level: slog.LevelInfo, OK: 1, Restart: []string{"failover"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseConfig(t, running)
			level := new(slog.LevelVar)
			level.Set(cfg.Log.SlogLevel())
			app := &fakeApplier{}
			load := func() (*config.Config, error) { return config.ParseWithFlags([]byte(tt.file), config.Flags{}) }
			check := func(c *config.Config) error { return relay.CheckConfig(c, links, nil) }
			rl := newReloader(cfg, load, check, app, slog.New(slog.NewTextHandler(io.Discard, nil)), level)
			res, err := rl.Reload()
			_, ok, failed := rl.ReloadStats()
			got := result{Applied: len(app.got), Level: level.Level(), Restart: res.RestartNeeded, OK: ok, Failed: failed}
			if err != nil {
				got.Err = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			again, err := rl.Reload() // what waits for a restart still does
			if err != nil || !cmp.Equal(res, again) {
				t.Errorf("a second reload of the same file: %+v, %v; want %+v", again, err, res)
			}
		})
	}
}

// TestWriteReloaded: `iphelper reload` says what waits for a restart.
func TestWriteReloaded(t *testing.T) {
	var b bytes.Buffer
	if err := writeReloaded(&b, control.ReloadResult{RestartNeeded: []string{"log.format"}}); err != nil {
		t.Fatal(err)
	}
	want := "configuration reloaded\nnot applied until iphelper restarts: log.format\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func parseConfig(t *testing.T, data string) *config.Config {
	t.Helper()
	cfg, err := config.ParseWithFlags([]byte(data), config.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestLoggerLevelIsReloadable: the daemon's logger reads its level from
// the LevelVar a reload sets, in both formats.
func TestLoggerLevelIsReloadable(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			log, level, err := newLogger(config.Log{Level: "info", Format: format}, &b)
			if err != nil {
				t.Fatal(err)
			}
			log.With("iface", "eth1").Debug("before")
			level.Set(slog.LevelDebug)
			log.With("iface", "eth1").Debug("after")
			if got := b.String(); strings.Contains(got, "before") || !strings.Contains(got, "after") {
				t.Errorf("log %q: want only the debug line written after the level changed", got)
			}
		})
	}
}

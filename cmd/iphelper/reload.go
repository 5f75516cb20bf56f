package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay"
	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/metrics"
	"github.com/urfave/cli/v2"
)

// reloader applies a new configuration on SIGHUP and on `iphelper
// reload`: the file is read and validated first, then checked against the
// links the daemon serves (the check of check-config), and a file either
// rejects is rejected with its errors while the running configuration
// stays. It counts both outcomes and keeps the hash of the running
// configuration for metrics. Reload may be called concurrently.
type reloader struct {
	load  func() (*config.Config, error)
	check func(*config.Config) error // nil checks nothing more
	r     applier
	log   *slog.Logger
	level *slog.LevelVar // the running log level, set by each reload; nil: none
	start *config.Config // the configuration at start: what the keys a reload cannot apply still run with

	mu         sync.Mutex
	hash       string
	ok, failed uint64
}

// applier applies a validated configuration: *relay.Relay.
type applier interface {
	Reload(cfg *config.Config)
}

// The relay is what the reloader, the control socket and the metrics
// collector read and drive; they name what they need as interfaces so that
// none of them imports the relay.
var (
	_ applier                = (*relay.Relay)(nil)
	_ control.StatusSource   = (*relay.Relay)(nil)
	_ control.LeaseSource    = (*relay.Relay)(nil)
	_ control.FailoverSource = (*relay.Relay)(nil)
	_ metrics.StatusSource   = (*relay.Relay)(nil)
	_ metrics.FailoverStats  = (*relay.Relay)(nil)
)

func newReloader(cfg *config.Config, load func() (*config.Config, error), check func(*config.Config) error, r applier, log *slog.Logger, level *slog.LevelVar) *reloader {
	return &reloader{load: load, check: check, r: r, log: log, level: level, start: cfg, hash: configHash(cfg)}
}

// Reload re-reads, validates and applies the configuration, log level
// included, and returns the changed keys that only a restart applies.
func (rl *reloader) Reload() (control.ReloadResult, error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	cfg, err := rl.load()
	if err == nil && rl.check != nil {
		err = rl.check(cfg)
	}
	if err != nil {
		rl.failed++
		rl.log.Error("reload rejected: keeping the running configuration", "err", err)
		return control.ReloadResult{}, err
	}
	rl.ok++
	rl.hash = configHash(cfg)
	restart := restartNeeded(rl.start, cfg)
	if rl.level != nil {
		rl.level.Set(cfg.Log.SlogLevel())
	}
	rl.r.Reload(cfg)
	if len(restart) > 0 {
		rl.log.Warn("reloaded configuration changes keys that take effect only at the next start", "keys", restart)
	}
	return control.ReloadResult{RestartNeeded: restart}, nil
}

// restartNeeded names the keys that differ between the configuration the
// daemon started with and a reloaded one and that the running daemon
// cannot apply: the log format (the log handler is made at start) and the
// failover: block (the pair's connection, key and timers are set up at
// start; each scope's failover-mode does apply). Everything else takes
// effect on reload.
func restartNeeded(old, cfg *config.Config) []string {
	var keys []string
	if old.Log.Format != cfg.Log.Format {
		keys = append(keys, "log.format")
	}
	if !reflect.DeepEqual(old.Failover, cfg.Failover) {
		keys = append(keys, "failover")
	}
	return keys
}

// ReloadStats reports the running configuration's hash and the reload
// outcomes so far (metrics).
func (rl *reloader) ReloadStats() (hash string, ok, failed uint64) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.hash, rl.ok, rl.failed
}

// configHash is the first 12 hex digits of the SHA-256 of the effective
// configuration (file, flags and defaults), so that a fleet's dashboards
// can tell which boxes run the same configuration.
func configHash(cfg *config.Config) string {
	b, err := cfg.Effective()
	if err != nil {
		return "unknown"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

func reloadCommand() *cli.Command {
	return &cli.Command{
		Name:  "reload",
		Usage: "make the running daemon re-read and apply its configuration (like SIGHUP); a bad file is rejected and the running configuration stays",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "control-socket", Value: control.DefaultPath, Usage: "the daemon's control socket `PATH`"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit(fmt.Sprintf("reload: unexpected arguments %q", c.Args().Slice()), exitUsage)
			}
			cl, err := control.Dial(c.String("control-socket"))
			if err != nil {
				return cli.Exit(err, 1)
			}
			defer cl.Close()
			res, err := cl.Reload(c.Context)
			if err != nil {
				return cli.Exit(err, 1)
			}
			return writeReloaded(c.App.Writer, res)
		},
	}
}

// writeReloaded tells the user a reload was applied, and what of it waits
// for a restart.
func writeReloaded(w io.Writer, res control.ReloadResult) error {
	if _, err := io.WriteString(w, "configuration reloaded\n"); err != nil {
		return err
	}
	for _, k := range res.RestartNeeded {
		if _, err := fmt.Fprintf(w, "not applied until iphelper restarts: %s\n", clean(k)); err != nil {
			return err
		}
	}
	return nil
}

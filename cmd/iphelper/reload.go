package main

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay"
	"github.com/iphelper/iphelper/relay/control"
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

	mu         sync.Mutex
	hash       string
	ok, failed uint64
}

// applier applies a validated configuration: *relay.Relay.
type applier interface {
	Reload(cfg *config.Config)
}

var _ applier = (*relay.Relay)(nil)

func newReloader(cfg *config.Config, load func() (*config.Config, error), check func(*config.Config) error, r applier, log *slog.Logger) *reloader {
	return &reloader{load: load, check: check, r: r, log: log, hash: configHash(cfg)}
}

// Reload re-reads, validates and applies the configuration.
func (rl *reloader) Reload() error {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	cfg, err := rl.load()
	if err == nil && rl.check != nil {
		err = rl.check(cfg)
	}
	if err != nil {
		rl.failed++
		rl.log.Error("reload rejected: keeping the running configuration", "err", err)
		return err
	}
	rl.ok++
	rl.hash = configHash(cfg)
	rl.r.Reload(cfg)
	return nil
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
			cl, err := control.Dial(c.String("control-socket"))
			if err != nil {
				return cli.Exit(err, 1)
			}
			defer cl.Close()
			if err := cl.Reload(c.Context); err != nil {
				return cli.Exit(err, 1)
			}
			_, err = c.App.Writer.Write([]byte("configuration reloaded\n"))
			return err
		},
	}
}

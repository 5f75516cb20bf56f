package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay"
	"github.com/urfave/cli/v2"
	"golang.org/x/sync/errgroup"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "relay DHCPv4 from the downstream interfaces to the helper addresses",
		UsageText: "iphelper run --interface eth1 --helper-address 198.51.100.2 [options]",
		Flags:     runFlags(),
		Action:    runAction,
	}
}

func runAction(c *cli.Context) error {
	f, err := flagsToConfig(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	cfg, err := config.LoadWithFlags(c.String("config"), f)
	if err != nil {
		return cli.Exit(fmt.Sprintf("invalid configuration:\n%v", err), 2)
	}
	log, err := newLogger(cfg.Log, os.Stderr)
	if err != nil {
		return cli.Exit(err, 2)
	}
	if err := checkPrivileges(); err != nil {
		return cli.Exit(err, 1)
	}
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	load := func() (*config.Config, error) { return config.LoadWithFlags(c.String("config"), f) }
	if err := runDaemon(ctx, cfg, load, log); err != nil {
		return cli.Exit(err, 1)
	}
	return nil
}

// runDaemon runs the daemon's tasks under one errgroup until ctx ends or one
// of them fails. load re-reads the configuration for a reload.
func runDaemon(ctx context.Context, cfg *config.Config, load func() (*config.Config, error), log *slog.Logger) error {
	watcher := iface.NewWatcher(log)
	r := relay.New(cfg, watcher, log, relay.Options{})
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return watcher.Run(ctx) })
	g.Go(func() error { return r.Run(ctx) })
	g.Go(func() error { return reloadOnHangup(ctx, load, r, log) })
	log.Info("iphelper started", "interfaces", len(cfg.Interfaces), "max_hops", cfg.MaxHops)
	err := g.Wait()
	log.Info("iphelper stopped")
	return err
}

// newLogger builds the slog logger the configuration asks for.
func newLogger(l config.Log, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.Level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", l.Level, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// reloadOnHangup applies a new configuration on every SIGHUP: the file is
// read and validated first, and a bad one is rejected with its errors while
// the running configuration stays.
func reloadOnHangup(ctx context.Context, load func() (*config.Config, error), r *relay.Relay, log *slog.Logger) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			cfg, err := load()
			if err != nil {
				log.Error("reload rejected: keeping the running configuration", "err", err)
				continue
			}
			r.Reload(cfg)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"os/user"
	"syscall"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay"
	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/metrics"
	"github.com/iphelper/iphelper/relay/trace"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/urfave/cli/v2"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "relay DHCPv4 from the downstream interfaces to the helper addresses",
		UsageText: "iphelper run --interface eth1 --helper-address 198.51.100.2 [options]",
		Flags:     append(runFlags(), daemonFlags()...),
		Action:    runAction,
	}
}

func runAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return cli.Exit(fmt.Sprintf("run takes no arguments, got %q (give every setting as a flag, before any argument)", c.Args().Slice()), exitUsage)
	}
	f, err := flagsToConfig(c)
	if err != nil {
		return cli.Exit(err, exitUsage)
	}
	d := daemonOptions{controlSocket: c.String("control-socket"), metricsListen: c.String("metrics-listen"), clockOffset: c.Duration("clock-offset"), saveBindings: c.Duration("save-bindings")}
	if err := checkDaemonOptions(d); err != nil {
		return cli.Exit(err, exitUsage)
	}
	cfg, err := loadChecked(c.String("config"), f, liveLinks)
	if err != nil {
		return cli.Exit(fmt.Sprintf("invalid configuration:\n%v", err), exitUsage)
	}
	log, level, err := newLogger(cfg.Log, os.Stderr)
	if err != nil {
		return cli.Exit(err, exitUsage)
	}
	logWarnings(log, cfg)
	if d.controlGroup, err = resolveControlGroup(c, log); err != nil {
		return cli.Exit(err, exitUsage)
	}
	if err := checkNotRoot(os.Geteuid(), c.Bool("allow-root")); err != nil {
		return cli.Exit(err, exitFailure)
	}
	if err := checkPrivileges(); err != nil {
		return cli.Exit(err, exitFailure)
	}
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	load := func() (*config.Config, error) { return config.LoadWithFlags(c.String("config"), f) }
	if err := runDaemon(ctx, cfg, load, d, log, level); err != nil {
		return cli.Exit(err, exitFailure)
	}
	return nil
}

// resolveControlGroup resolves --control-group, warning when the default
// group does not exist.
func resolveControlGroup(c *cli.Context, log *slog.Logger) (control.Group, error) {
	g, warning, err := controlGroup(c.String("control-group"), c.IsSet("control-group"), user.LookupGroup, canChownTo)
	if warning != "" {
		log.Warn(warning)
	}
	return g, err
}

// daemonOptions are the run flags that are not part of the configuration.
type daemonOptions struct {
	controlSocket string        // "" disables the control socket
	metricsListen string        // "" disables the metrics endpoint
	clockOffset   time.Duration // added to the fallback's and the failover pair's clock (a lab's clock fault)
	saveBindings  time.Duration // how often the binding table is written to the lease database; 0: never
	controlGroup  control.Group // the read-only operators of the control socket; zero: none
}

func daemonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "control-socket", Value: control.DefaultPath, Usage: "serve show, clear, debug, reload and failover on the unix socket `PATH`; empty disables it"},
		&cli.StringFlag{Name: "control-group", Value: defaultControlGroup, Usage: "members of group `NAME` (or a numeric gid) may run show and debug on the control socket (mode 0660), not clear, reload or failover; the daemon's user and root may run everything. Empty: the socket is owner-only"},
		&cli.DurationFlag{Name: "save-bindings", Usage: "write the binding table (show bindings) to the lease database every `D` and restore it at start, so a restart keeps it; a crash loses at most the last D of it. 0 keeps it in memory only"},
		&cli.StringFlag{Name: "metrics-listen", Usage: "serve Prometheus metrics on `ADDR` (host:port) at /metrics; off by default"},
		// A lab knob, not an operator's: it models a node whose clock is off
		// (docs/failover.md, "The lease rules": only the rate of two clocks
		// matters to a pair, never their offset).
		&cli.DurationFlag{Name: "clock-offset", Hidden: true, Usage: "run the fallback's and the failover pair's clock `D` ahead of the system's (tests)"},
		&cli.BoolFlag{Name: "allow-root", Usage: "run even as root (uid 0); without it iphelper refuses, and is meant to run as an unprivileged user with only CAP_NET_RAW and CAP_NET_BIND_SERVICE, as the systemd unit does"},
	}
}

// runDaemon runs the daemon's tasks (daemonTasks) until ctx ends or one of
// them fails. load re-reads the configuration for a reload.
func runDaemon(ctx context.Context, cfg *config.Config, load func() (*config.Config, error), d daemonOptions, log *slog.Logger, level *slog.LevelVar) error {
	started := func() { log.Info("iphelper started", "interfaces", len(cfg.Interfaces), "max_hops", cfg.MaxHops) }
	err := runTasks(ctx, daemonTasks(cfg, load, d, log, level), os.Getenv("NOTIFY_SOCKET"), log, started)
	log.Info("iphelper stopped")
	return err
}

// daemonTasks builds the daemon's tasks: the netlink watcher, the relay,
// reloads on SIGHUP, the binding-table sweeper and, when enabled, the
// control socket and the metrics endpoint. Nothing is opened before they
// run.
func daemonTasks(cfg *config.Config, load func() (*config.Config, error), d daemonOptions, log *slog.Logger, level *slog.LevelVar) []task {
	watcher := iface.NewWatcher(log)
	tracer, table := trace.New(0, nil), bindings.New(0)
	opts := relay.Options{Tracer: tracer, Bindings: table, Routes: iface.NetlinkRoutes{}, SaveBindings: d.saveBindings}
	if d.clockOffset != 0 {
		opts.Clock = offsetClock(d.clockOffset)
	}
	r := relay.New(cfg, watcher, log, opts)
	check := func(c *config.Config) error { return relay.CheckConfig(c, watcher.Links(), iface.NetlinkRoutes{}) }
	rl := newReloader(cfg, load, check, r, log, level)
	tasks := []task{watcher, r, hangupReloader{rl}, bindings.NewSweeper(table, 0, nil)}
	if d.controlSocket != "" {
		tasks = append(tasks, control.NewServer(d.controlSocket, control.Sources{Status: r, Bindings: table, Trace: tracer, Leases: r, Conflicts: r, Reload: rl, Failover: r, Config: rl},
			control.Options{Log: log, Build: thisBuild(), Started: time.Now(), ReadOnly: d.controlGroup}))
	}
	if d.metricsListen != "" {
		reg := prometheus.NewRegistry()
		reg.MustRegister(
			metrics.NewCollector(r, metrics.Options{Bindings: table, Trace: tracer, Config: rl, Failover: r}),
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		tasks = append(tasks, metrics.NewServer(d.metricsListen, metrics.Handler(reg), log))
	}
	return tasks
}

// newLogger builds the slog logger the configuration asks for, with its
// level in a LevelVar that a reload sets.
func newLogger(l config.Log, w io.Writer) (*slog.Logger, *slog.LevelVar, error) {
	level := new(slog.LevelVar)
	if err := level.UnmarshalText([]byte(l.Level)); err != nil {
		return nil, nil, fmt.Errorf("log level %q: %w", l.Level, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), level, nil
	}
	opts.ReplaceAttr = utcLogTime
	return slog.New(slog.NewTextHandler(w, opts)), level, nil
}

// logTimeFormat is the time of a text log line: RFC 3339 in UTC to the
// millisecond, as trace lines show it (docs/operations.md, "Times and
// durations").
const logTimeFormat = "2006-01-02T15:04:05.000Z"

// utcLogTime writes the time of a text log record in logTimeFormat.
func utcLogTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
		return slog.String(slog.TimeKey, a.Value.Time().UTC().Format(logTimeFormat))
	}
	return a
}

// reloadOnHangup reloads the configuration on every SIGHUP.
func reloadOnHangup(ctx context.Context, rl *reloader) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			_, _ = rl.Reload() // logged by Reload
		}
	}
}

// offsetClock is the system clock shifted by a fixed offset.
type offsetClock time.Duration

// Now implements fallback.Clock.
func (o offsetClock) Now() time.Time { return time.Now().Add(time.Duration(o)) }

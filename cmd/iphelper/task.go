package main

import (
	"context"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/relay"
	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/metrics"
)

// task is one long-lived part of the daemon, run under its errgroup: Run
// works until ctx ends (then it returns nil) or it fails (its error stops
// every other task); String names it.
type task interface {
	Run(ctx context.Context) error
	String() string
}

// readyTask is a task that says when it serves: Ready is closed once its
// sockets are open. The daemon is ready, and tells systemd READY=1, once
// every readyTask is.
type readyTask interface {
	task
	Ready() <-chan struct{}
}

var (
	_ readyTask = (*iface.Watcher)(nil)
	_ readyTask = (*relay.Relay)(nil)
	_ readyTask = (*control.Server)(nil)
	_ readyTask = (*metrics.Server)(nil)
	_ task      = (*bindings.Sweeper)(nil)
	_ task      = hangupReloader{}
)

// runTasks runs tasks under one errgroup until ctx ends or one of them
// fails, and returns the first error. Once every readyTask among them is
// ready it calls started and sends READY=1 to socket ($NOTIFY_SOCKET; ""
// sends nothing); STOPPING=1 when ctx ends.
func runTasks(ctx context.Context, tasks []task, socket string, log *slog.Logger, started func()) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, t := range tasks {
		g.Go(func() error { return t.Run(ctx) })
	}
	ready := readiness(tasks)
	g.Go(func() error { return notifySystemd(ctx, socket, log, ready...) })
	g.Go(func() error {
		if waitAll(ctx, ready...) {
			started()
		}
		return nil
	})
	return g.Wait()
}

// readiness returns the Ready channels of the tasks that report readiness.
func readiness(tasks []task) []<-chan struct{} {
	var ready []<-chan struct{}
	for _, t := range tasks {
		if rt, ok := t.(readyTask); ok {
			ready = append(ready, rt.Ready())
		}
	}
	return ready
}

// waitAll waits until every channel is closed (true) or ctx ends (false).
func waitAll(ctx context.Context, chans ...<-chan struct{}) bool {
	for _, ch := range chans {
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// hangupReloader is the task that reloads the configuration on every
// SIGHUP.
type hangupReloader struct{ rl *reloader }

func (h hangupReloader) String() string { return "SIGHUP reloader" }

// Run reloads on every SIGHUP until ctx ends; it always returns nil.
func (h hangupReloader) Run(ctx context.Context) error { return reloadOnHangup(ctx, h.rl) }

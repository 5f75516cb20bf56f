package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/config"
)

// TestDaemonTasksReadiness: systemd hears READY=1 only once every task
// that opens a socket serves — the control socket and the metrics endpoint
// included, so that a unit ordered after iphelper can use them — and every
// long-lived part of the daemon runs under the one errgroup.
func TestDaemonTasksReadiness(t *testing.T) {
	cfg, err := config.Parse([]byte("defaults: {helper-addresses: [198.51.100.2]}\ninterfaces:\n  - name: eth1\n"))
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "control.sock")
	d := daemonOptions{controlSocket: sock, metricsListen: "127.0.0.1:0"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tasks := daemonTasks(cfg, nil, d, log, new(slog.LevelVar))
	var all, gating []string
	for _, tk := range tasks {
		all = append(all, tk.String())
		if _, ok := tk.(readyTask); ok {
			gating = append(gating, tk.String())
		}
	}
	wantAll := []string{"netlink watcher", "relay", "SIGHUP reloader", "binding table sweeper", "control socket " + sock, "metrics server 127.0.0.1:0"}
	if diff := cmp.Diff(wantAll, all); diff != "" {
		t.Errorf("tasks (-want +got):\n%s", diff)
	}
	wantGating := []string{"netlink watcher", "relay", "control socket " + sock, "metrics server 127.0.0.1:0"}
	if diff := cmp.Diff(wantGating, gating); diff != "" {
		t.Errorf("tasks READY=1 waits for (-want +got):\n%s", diff)
	}
	if n := len(readiness(tasks)); n != len(wantGating) {
		t.Errorf("readiness returned %d channels, want %d", n, len(wantGating))
	}
}

// fakeTask is a task that closes its ready channel (when it has one) as it
// starts, then runs until ctx ends or returns fail at once.
type fakeTask struct {
	name    string
	ready   chan struct{}
	fail    error
	stopped chan struct{} // closed when Run returns
}

func (f *fakeTask) String() string { return f.name }

func (f *fakeTask) Run(ctx context.Context) error {
	defer close(f.stopped)
	if f.ready != nil {
		close(f.ready)
	}
	if f.fail != nil {
		return f.fail
	}
	<-ctx.Done()
	return nil
}

// readyFake is a fakeTask that reports readiness.
type readyFake struct{ *fakeTask }

func (r readyFake) Ready() <-chan struct{} { return r.ready }

func newFake(name string, ready bool, fail error) *fakeTask {
	f := &fakeTask{name: name, fail: fail, stopped: make(chan struct{})}
	if ready {
		f.ready = make(chan struct{})
	}
	return f
}

func TestRunTasks(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "notify")
	l := notifyListener(t, socket)
	a, b, plain := newFake("a", true, nil), newFake("b", true, nil), newFake("plain", false, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan bool, 1)
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() {
		done <- runTasks(ctx, []task{readyFake{a}, readyFake{b}, plain}, socket, log, func() {
			_, aOpen := <-a.ready
			_, bOpen := <-b.ready
			started <- !aOpen && !bOpen
		})
	}()
	if got := readState(t, l); got != sdReady {
		t.Errorf("first notification %q, want %q", got, sdReady)
	}
	if allReady := <-started; !allReady {
		t.Error("started was called before every ready task was ready")
	}
	cancel()
	if got := readState(t, l); got != sdStopping {
		t.Errorf("notification on stop %q, want %q", got, sdStopping)
	}
	if err := <-done; err != nil {
		t.Errorf("runTasks returned %v, want nil", err)
	}
	for _, f := range []*fakeTask{a, b, plain} {
		<-f.stopped
	}
}

// A task that fails stops the others, and runTasks returns its error.
func TestRunTasksFailure(t *testing.T) {
	boom := errors.New("failed to open the upstream socket")
	other, failing := newFake("other", true, nil), newFake("failing", false, boom)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	err := runTasks(context.Background(), []task{readyFake{other}, failing}, "", log, func() {})
	if !errors.Is(err, boom) {
		t.Errorf("runTasks returned %v, want %v", err, boom)
	}
	<-other.stopped
}

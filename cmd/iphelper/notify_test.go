package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// notifyListener is a stand-in for systemd's notification socket: a unix
// datagram socket at name (a path, or @abstract).
func notifyListener(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("failed to listen on %q: %v", name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readState reads one notification, or fails the test after a timeout.
func readState(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no notification: %v", err)
	}
	return string(buf[:n])
}

// abstractName is an abstract socket name unique to this test run.
func abstractName(t *testing.T) string {
	return fmt.Sprintf("@iphelper-test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))
}

func TestSDNotifySends(t *testing.T) {
	tests := []struct {
		name   string
		socket func(t *testing.T) string
	}{
		{name: "path", socket: func(t *testing.T) string { return filepath.Join(t.TempDir(), "notify") }},
		{name: "abstract", socket: abstractName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			socket := tt.socket(t)
			l := notifyListener(t, socket)
			if err := sdNotify(socket, sdReady); err != nil {
				t.Fatalf("sdNotify: %v", err)
			}
			if diff := cmp.Diff(sdReady, readState(t, l)); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSDNotifyErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nobody-listens")
	tests := []struct {
		name    string
		socket  string
		wantErr string // "" for no error
	}{
		{name: "not under systemd", socket: ""},
		{name: "relative path", socket: "run/notify",
			wantErr: `unsupported NOTIFY_SOCKET "run/notify": want an absolute path or an @abstract name`},
		{name: "vsock", socket: "vsock:2:1234",
			wantErr: `unsupported NOTIFY_SOCKET "vsock:2:1234": want an absolute path or an @abstract name`},
		{name: "nobody listens", socket: missing,
			wantErr: fmt.Sprintf(`failed to reach the notify socket %q: dial unixgram %s: connect: no such file or directory`, missing, missing)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := sdNotify(tt.socket, sdReady); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.wantErr, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNotifySystemd(t *testing.T) {
	tests := []struct {
		name string
		// ready is closed before the context is cancelled.
		ready bool
		want  []string
	}{
		{name: "ready then stopped", ready: true, want: []string{sdReady, sdStopping}},
		{name: "stopped before ready", ready: false, want: []string{sdStopping}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			socket := filepath.Join(t.TempDir(), "notify")
			l := notifyListener(t, socket)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready, notReady := make(chan struct{}), make(chan struct{})
			done := make(chan error, 1)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			go func() { done <- notifySystemd(ctx, socket, log, ready, notReady) }()

			var got []string
			if tt.ready {
				close(ready)
				close(notReady)
				got = append(got, readState(t, l))
			}
			cancel()
			got = append(got, readState(t, l))
			if err := <-done; err != nil {
				t.Errorf("notifySystemd returned %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("notifications (-want +got):\n%s", diff)
			}
		})
	}
}

// A daemon that is not under systemd, or whose notify socket is broken,
// runs on: notifySystemd only returns when its context ends.
func TestNotifySystemdNeverFails(t *testing.T) {
	for _, socket := range []string{"", "relative", filepath.Join(t.TempDir(), "gone")} {
		t.Run(fmt.Sprintf("%q", socket), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			ready := make(chan struct{})
			close(ready)
			done := make(chan error, 1)
			go func() { done <- notifySystemd(ctx, socket, slog.New(slog.NewTextHandler(io.Discard, nil)), ready) }()
			select {
			case err := <-done:
				t.Fatalf("notifySystemd returned %v before its context ended", err)
			case <-time.After(50 * time.Millisecond):
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("notifySystemd returned %v, want nil", err)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/relay/trace"
	"github.com/iphelper/iphelper/relay/wire"
)

// syncBuffer is a bytes.Buffer that a command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func dropEvent(iface string) trace.Event {
	e := trace.Event{
		Time: time.Date(2026, 3, 1, 14, 2, 11, 123e6, time.UTC), Interface: iface, Op: wire.OpRequest, Type: wire.Request,
		XID: 0x1234abcd, HLen: 6, GIAddr: netip.IPv4Unspecified(), Action: trace.Dropped, Reason: "max_hops",
	}
	copy(e.CHAddr[:], []byte{2, 0, 0, 0, 0, 0x99})
	return e
}

func TestDebugPackets(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
		want   string
	}{
		{
			name:   "every interface",
			args:   nil,
			stderr: "Tracing DHCP packets on every interface; press Ctrl-C to stop.\n",
			want: "2026-03-01T14:02:11.123Z eth2 in  REQUEST xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 dropped: max_hops\n" +
				"2026-03-01T14:02:11.123Z eth1 in  REQUEST xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 dropped: max_hops\n",
		},
		{
			name:   "one interface",
			args:   []string{"--interface", "eth1"},
			stderr: "Tracing DHCP packets on interface eth1; press Ctrl-C to stop.\n",
			want:   "2026-03-01T14:02:11.123Z eth1 in  REQUEST xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 dropped: max_hops\n",
		},
		{
			name:   "JSON lines",
			args:   []string{"--json", "-i", "eth1"},
			stderr: "Tracing DHCP packets on interface eth1; press Ctrl-C to stop.\n",
			want: `{"time":"2026-03-01T14:02:11.123Z","interface":"eth1","direction":"in","type":"REQUEST","xid":305441741,` +
				`"chaddr":"02:00:00:00:00:99","giaddr":"0.0.0.0","action":"dropped","reason":"max_hops",` +
				`"line":"2026-03-01T14:02:11.123Z eth1 in  REQUEST xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 dropped: max_hops"}` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := trace.New(0, nil)
			path := startControl(t, control.Sources{Trace: tr})
			var stdout, stderr syncBuffer
			app := clientApp(nil, nil)
			app.Writer, app.ErrWriter = &stdout, &stderr
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			args := append([]string{"iphelper", "debug", "packets", "--control-socket", path}, tt.args...)
			go func() { errc <- app.RunContext(ctx, args) }()
			waitUntil(t, "the trace to start", tr.Enabled)
			tr.Emit(dropEvent("eth2"))
			tr.Emit(dropEvent("eth1"))
			waitUntil(t, "the eth1 line", func() bool { return strings.Contains(stdout.String(), "eth1") })
			cancel()
			if err := <-errc; err != nil {
				t.Fatalf("debug packets after Ctrl-C: %v", err)
			}
			if diff := cmp.Diff(tt.want, stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stderr, stderr.String()); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDebugPacketsWhenDaemonStops(t *testing.T) {
	tr := trace.New(0, nil)
	path := startControlStoppable(t, control.Sources{Trace: tr})
	var out bytes.Buffer
	errc := make(chan error, 1)
	go func() {
		errc <- clientApp(&out, &bytes.Buffer{}).Run([]string{"iphelper", "debug", "packets", "--control-socket", path.path})
	}()
	waitUntil(t, "the trace to start", tr.Enabled)
	path.stop()
	select {
	case err := <-errc:
		if err == nil || err.Error() != "the daemon is stopping (shutting_down)" {
			t.Errorf("debug packets = %v, want the shutting_down error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("debug packets did not end when the daemon stopped")
	}
}

// stoppable is a control server the test can stop early.
type stoppable struct {
	path string
	stop func()
}

func startControlStoppable(t *testing.T, src control.Sources) stoppable {
	t.Helper()
	path := t.TempDir() + "/control.sock"
	s := control.NewServer(path, src, control.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			t.Errorf("control server: %v", err)
		}
	}()
	<-s.Ready()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return stoppable{path: path, stop: stop}
}

// waitUntil polls cond for up to 5 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDebugPacketsInterface: an interface the daemon neither serves nor
// has configured is refused with the names it knows; one configured and
// not there yet is traced once it appears, and the banner says so.
func TestDebugPacketsInterface(t *testing.T) {
	tests := []struct {
		name    string
		iface   string
		stderr  string
		wantErr string
	}{
		{name: "served", iface: "eth1", stderr: "Tracing DHCP packets on interface eth1; press Ctrl-C to stop.\n"},
		{name: "configured, no link yet", iface: "eth2.20",
			stderr: "Interface eth2.20 is configured but does not exist yet: tracing its packets once it appears; press Ctrl-C to stop.\n"},
		{name: "unknown", iface: "eth9",
			wantErr: `no interface "eth9" is served or configured (known: eth1, eth2.20) (bad_argument)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := trace.New(0, nil)
			path := startControl(t, control.Sources{Trace: tr, Status: &fakeRelay{st: clientTestStatus()}})
			var stdout, stderr syncBuffer
			app := clientApp(nil, nil)
			app.Writer, app.ErrWriter = &stdout, &stderr
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() {
				errc <- app.RunContext(ctx, []string{"iphelper", "debug", "packets", "--control-socket", path, "-i", tt.iface})
			}()
			if tt.wantErr != "" {
				select {
				case err := <-errc:
					if err == nil || err.Error() != tt.wantErr {
						t.Errorf("debug packets -i %s = %v, want %q", tt.iface, err, tt.wantErr)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("debug packets did not fail")
				}
				if tr.Enabled() {
					t.Error("the refused trace subscribed")
				}
				return
			}
			waitUntil(t, "the trace to start", tr.Enabled)
			waitUntil(t, "the banner", func() bool { return stderr.String() != "" })
			cancel()
			if err := <-errc; err != nil {
				t.Fatalf("debug packets after Ctrl-C: %v", err)
			}
			if diff := cmp.Diff(tt.stderr, stderr.String()); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

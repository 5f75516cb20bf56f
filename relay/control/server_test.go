package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

func TestShow(t *testing.T) {
	path, _ := startServer(t, Sources{
		Status: &fakeStatus{st: testStatus()}, Bindings: testBindings(),
		Leases: fakeLeases{
			{Addr: addr("203.0.113.201"), MAC: []byte{2, 0, 0, 0, 0, 0x78}, Interface: "eth1", Expiry: t0, State: leasestore.StateReleased},
			{Addr: addr("203.0.113.200"), MAC: []byte{2, 0, 0, 0, 0, 0x77}, ClientID: []byte{1, 2}, Hostname: "pc",
				Interface: "eth1", Expiry: t0.Add(time.Hour), State: leasestore.StateBound},
		},
	}, Options{})
	c := dial(t, path)
	ctx := context.Background()
	eth1Counters := Counters{
		RequestsReceived: 12, RequestsRelayed: 10, Option82Inserted: 10, RepliesDelivered: 9, RepliesBroadcast: 4, FallbackReplies: 1,
		Drops: map[string]uint64{"max_hops": 1, "untrusted_option82": 1},
	}
	helpers := []Helper{{Addr: addr("198.51.100.2"), Sent: 10, Replies: 9}, {Addr: addr("198.51.100.3"), Sent: 10, SendErrors: 1}}
	b50 := Binding{Addr: addr("203.0.113.50"), MAC: Hex{2, 0, 0, 0, 0, 0x50}, ClientID: Hex{1, 2, 0, 0, 0, 0, 0x50},
		Interface: "eth1", Hostname: "pc-50", Expiry: t0.Add(time.Hour)}
	b51 := Binding{Addr: addr("203.0.113.51"), MAC: Hex{2, 0, 0, 0, 0, 0x51}, Interface: "eth1"}
	tests := []struct {
		name string
		call func() (any, error)
		want any
	}{
		{
			name: "interfaces",
			call: func() (any, error) { return c.Interfaces(ctx) },
			want: []Interface{
				{
					Name: "eth1", State: "up", Index: 3, Address: netip.MustParsePrefix("203.0.113.1/25"), GIAddr: addr("203.0.113.1"),
					Helpers: []netip.Addr{addr("198.51.100.2"), addr("198.51.100.3")}, Option82: true, Policy: "replace",
					CircuitID: "eth1", RemoteID: "hex:02:00:00:00:00:01", Counters: eth1Counters,
				},
				{Name: "eth2.20", State: "waiting for link", VLAN: 20, Helpers: []netip.Addr{addr("198.51.100.2")}, Trusted: true, Policy: "keep"},
			},
		},
		{name: "helpers", call: func() (any, error) { return c.Helpers(ctx) }, want: helpers},
		{
			name: "statistics",
			call: func() (any, error) { return c.Statistics(ctx) },
			want: Statistics{
				Interfaces: []InterfaceCounters{{Name: "eth1", State: "up", Counters: eth1Counters}, {Name: "eth2.20", State: "waiting for link"}},
				Helpers:    helpers,
				Global:     Counters{Drops: map[string]uint64{"unknown_giaddr": 3}},
			},
		},
		{name: "bindings, expired left out", call: func() (any, error) { return c.Bindings(ctx, "") }, want: []Binding{b50, b51}},
		{name: "binding by address", call: func() (any, error) { return c.Bindings(ctx, "203.0.113.51") }, want: []Binding{b51}},
		{name: "binding by MAC", call: func() (any, error) { return c.Bindings(ctx, "02:00:00:00:00:50") }, want: []Binding{b50}},
		{name: "binding not found", call: func() (any, error) { return c.Bindings(ctx, "203.0.113.99") }, want: []Binding{}},
		{
			name: "leases",
			call: func() (any, error) { return c.Leases(ctx) },
			want: []Lease{
				{Addr: addr("203.0.113.200"), MAC: Hex{2, 0, 0, 0, 0, 0x77}, ClientID: Hex{1, 2}, Hostname: "pc",
					Interface: "eth1", Expiry: t0.Add(time.Hour), State: "bound"},
				{Addr: addr("203.0.113.201"), MAC: Hex{2, 0, 0, 0, 0, 0x78}, Interface: "eth1", Expiry: t0, State: "released"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // one connection carries every request
			got, err := tt.call()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestClear(t *testing.T) {
	st := &fakeStatus{st: testStatus()}
	path, _ := startServer(t, Sources{Status: st}, Options{})
	if err := dial(t, path).Clear(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.cleared != 1 {
		t.Errorf("ClearStats called %d times, want 1", st.cleared)
	}
}

// rawRequest sends line on a new connection and returns the server's
// answer, or "closed" when the server closed the connection without one.
func rawRequest(t *testing.T, path, line string) string {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
	resp, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "closed"
	}
	return strings.TrimSpace(resp)
}

func TestErrorCodes(t *testing.T) {
	path, _ := startServer(t, Sources{Status: &fakeStatus{st: testStatus()}, Bindings: testBindings()}, Options{})
	tests := []struct {
		name string
		line string
		want string
	}{
		{name: "not JSON", line: "show interfaces\n",
			want: `{"v":1,"ok":false,"code":"bad_request","error":"request is not a JSON object: invalid character 's' looking for beginning of value"}`},
		{name: "no version", line: `{"cmd":"show","what":"interfaces"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unsupported_version","error":"protocol version 0 is not supported, this daemon speaks 1"}`},
		{name: "future version", line: `{"v":2,"cmd":"show","what":"interfaces"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unsupported_version","error":"protocol version 2 is not supported, this daemon speaks 1"}`},
		{name: "unknown command", line: `{"v":1,"cmd":"restart"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unknown_command","error":"unknown command \"restart\", want show, clear, debug, reload or failover"}`},
		{name: "reload without a reloader", line: `{"v":1,"cmd":"reload"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unavailable","error":"reloading is not running in this daemon"}`},
		{name: "unknown show target", line: `{"v":1,"cmd":"show","what":"arp"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unknown_command","error":"unknown show target \"arp\", want one of interfaces, helpers, upstreams, statistics, bindings, leases, failover, ddns"}`},
		{name: "unknown clear target", line: `{"v":1,"cmd":"clear","what":"bindings"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unknown_command","error":"unknown clear target \"bindings\", want statistics"}`},
		{name: "unknown debug target", line: `{"v":1,"cmd":"debug","what":"events"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unknown_command","error":"unknown debug target \"events\", want packets"}`},
		{name: "bad binding query", line: `{"v":1,"cmd":"show","what":"bindings","arg":"pc-50"}` + "\n",
			want: `{"v":1,"ok":false,"code":"bad_argument","error":"bad binding query \"pc-50\": neither an IPv4 address nor a MAC address"}`},
		{name: "no fallback server", line: `{"v":1,"cmd":"show","what":"leases"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unavailable","error":"the fallback server is not running in this daemon"}`},
		{name: "no tracer", line: `{"v":1,"cmd":"debug","what":"packets"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unavailable","error":"the packet tracer is not running in this daemon"}`},
		{name: "too large", line: `{"v":1,"cmd":"show","what":"` + strings.Repeat("x", MaxRequestSize) + `"}` + "\n",
			want: `{"v":1,"ok":false,"code":"request_too_large","error":"request is longer than 4096 bytes"}`},
		{name: "ok without data", line: `{"v":1,"cmd":"clear","what":"statistics"}` + "\n",
			want: `{"v":1,"ok":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, rawRequest(t, path, tt.line)); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientError(t *testing.T) {
	path, _ := startServer(t, Sources{Status: &fakeStatus{st: testStatus()}}, Options{})
	_, err := dial(t, path).Leases(context.Background())
	var cerr *Error
	if !errors.As(err, &cerr) || cerr.Code != CodeUnavailable {
		t.Fatalf("Leases error = %v, want code %s", err, CodeUnavailable)
	}
	if !errors.Is(err, &Error{Code: CodeUnavailable}) {
		t.Error("errors.Is does not match the code")
	}
	if want := "the fallback server is not running in this daemon (unavailable)"; err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}

func TestSocketPermissions(t *testing.T) {
	path, _ := startServer(t, Sources{}, Options{})
	tests := []struct {
		name string
		path string
		want os.FileMode
	}{
		{name: "socket is owner-only", path: path, want: os.ModeSocket | 0o600},
		{name: "created directory", path: filepath.Dir(path), want: os.ModeDir | 0o750},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fi, err := os.Lstat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode() & (os.ModeType | os.ModePerm); got != tt.want {
				t.Errorf("mode %v, want %v", got, tt.want)
			}
		})
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("socket directory holds %d entries, want only the socket", len(entries))
	}
}

func TestStartOverExistingFile(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr string
	}{
		{
			name: "stale socket is replaced",
			prepare: func(t *testing.T, path string) {
				ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
				if err != nil {
					t.Fatal(err)
				}
				ln.SetUnlinkOnClose(false)
				ln.Close()
			},
		},
		{
			name: "live socket is an error",
			prepare: func(t *testing.T, path string) {
				ln, err := net.Listen("unix", path)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { ln.Close() })
			},
			wantErr: `control socket "PATH" is in use: is another iphelper running?`,
		},
		{
			name: "regular file is an error",
			prepare: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: `control socket path "PATH" exists and is not a socket`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "control.sock")
			tt.prepare(t, path)
			ctx, cancel := context.WithCancel(context.Background())
			s := NewServer(path, Sources{}, Options{})
			errc := make(chan error, 1)
			go func() { errc <- s.Run(ctx) }()
			if tt.wantErr != "" {
				err := <-errc
				cancel()
				if want := strings.ReplaceAll(tt.wantErr, "PATH", path); err == nil || err.Error() != want {
					t.Fatalf("Run error = %v, want %q", err, want)
				}
				return
			}
			<-s.Ready()
			c := dial(t, path)
			if err := c.Clear(context.Background()); !errors.Is(err, &Error{Code: CodeUnavailable}) {
				t.Errorf("Clear = %v, want code unavailable", err)
			}
			cancel()
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRunRemovesSocket(t *testing.T) {
	path, stop := startServer(t, Sources{}, Options{})
	c := dial(t, path) // an open connection must not block the stop
	stop()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket still there after Run returned: %v", err)
	}
	if _, err := c.Helpers(context.Background()); err == nil {
		t.Error("request after stop succeeded")
	}
}

func TestBoundedConnections(t *testing.T) {
	path, _ := startServer(t, Sources{Status: &fakeStatus{st: testStatus()}}, Options{MaxConns: 2})
	ctx := context.Background()
	first, second := dial(t, path), dial(t, path)
	for _, c := range []*Client{first, second} {
		if _, err := c.Helpers(ctx); err != nil { // both are being served
			t.Fatal(err)
		}
	}
	third := dial(t, path)
	if _, err := third.Helpers(ctx); !errors.Is(err, &Error{Code: CodeBusy}) {
		t.Fatalf("third connection: %v, want code busy", err)
	}
	first.Close()
	waitFor(t, "a free connection slot", func() bool {
		c, err := Dial(path)
		if err != nil {
			return false
		}
		defer c.Close()
		_, err = c.Helpers(ctx)
		return err == nil
	})
}

func TestIdleTimeout(t *testing.T) {
	path, _ := startServer(t, Sources{}, Options{IdleTimeout: 50 * time.Millisecond})
	if got := rawRequest(t, path, ""); got != "closed" {
		t.Errorf("idle connection got %q, want it closed", got)
	}
}

func TestHexText(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    Hex
		wantErr string
	}{
		{name: "MAC", text: "02:00:00:00:00:0a", want: Hex{2, 0, 0, 0, 0, 10}},
		{name: "empty", text: "", want: nil},
		{name: "one byte", text: "ff", want: Hex{0xff}},
		{name: "bad digit", text: "02:zz", wantErr: `bad hex byte string "02:zz": encoding/hex: invalid byte: U+007A 'z'`},
		{name: "short byte", text: "02:0", wantErr: `bad hex byte string "02:0": byte 1 is "0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Hex
			err := json.Unmarshal([]byte(`"`+tt.text+`"`), &got)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if back := got.String(); back != tt.text {
				t.Errorf("String() = %q, want %q", back, tt.text)
			}
		})
	}
}

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
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
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

// TestClear: clear statistics starts what show displays over, for every
// interface or one, while the relay's counters (which the metrics export)
// never move; latency percentiles start over with the counts.
func TestClear(t *testing.T) {
	st := &fakeStatus{st: testStatus()}
	hist := func(buckets ...uint64) status.LatencyHistogram {
		var h status.LatencyHistogram
		for i, n := range buckets {
			h.Buckets[i] = n
			h.Count += n
		}
		return h
	}
	st.set(func(s *status.Status) {
		s.Helpers[0].Latency, s.Helpers[0].LatencyP50 = hist(0, 0, 0, 0, 0, 0, 0, 9), 200*time.Millisecond
		s.Interfaces[0].Counters.In = map[string]uint64{"discover": 6, "request": 6}
	})
	path, _ := startServer(t, Sources{Status: st}, Options{})
	c := dial(t, path)
	statistics := func() Statistics {
		t.Helper()
		data, err := c.Show(context.Background(), ShowStatistics, "")
		if err != nil {
			t.Fatal(err)
		}
		var s Statistics
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := c.Clear(context.Background(), "eth1"); err != nil {
		t.Fatal(err)
	}
	s := statistics()
	if got := []uint64{s.Interfaces[0].Counters.RequestsReceived, s.Interfaces[1].Counters.RequestsReceived, s.Helpers[0].Sent}; !slices.Equal(got, []uint64{0, 0, 10}) {
		t.Errorf("after clear eth1: eth1 received, eth2.20 received, helper sent = %v, want [0 0 10]", got)
	}
	if err := c.Clear(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if h := statistics().Helpers[0]; h.Sent != 0 || h.LatencySamples != 0 || h.LatencyP50Ms != 0 {
		t.Errorf("after clear: helper sent %d, latency samples %d, p50 %v ms, want 0, 0, 0", h.Sent, h.LatencySamples, h.LatencyP50Ms)
	}
	st.set(func(s *status.Status) {
		s.Interfaces[0].Counters.RequestsIn += 2
		s.Interfaces[0].Counters.In = map[string]uint64{"discover": 7, "request": 7}
		s.Global.Drops["unknown_giaddr"]++
		s.Helpers[0].Sent += 2
		s.Helpers[0].Latency = hist(2, 0, 0, 0, 0, 0, 0, 9) // two answers within 1ms since the clear
	})
	s = statistics()
	want := []uint64{2, 1, 1, 1, 2, 2}
	got := []uint64{s.Interfaces[0].Counters.RequestsReceived, s.Interfaces[0].Counters.In["discover"], s.Interfaces[0].Counters.In["request"],
		s.Global.Drops["unknown_giaddr"], s.Helpers[0].Sent, s.Helpers[0].LatencySamples}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts since the clear (-want +got):\n%s", diff)
	}
	if p := s.Helpers[0].LatencyP50Ms; p <= 0 || p > 1 {
		t.Errorf("p50 since the clear = %v ms, want within the 1ms bucket", p)
	}
	if got := st.Status().Interfaces[0].Counters.RequestsIn; got != 14 {
		t.Errorf("the relay's own counter = %d, want 14: clear must not touch it", got)
	}
	err := c.Clear(context.Background(), "eth9")
	if want := `no downstream interface "eth9"; the interfaces are eth1, eth2.20 (bad_argument)`; err == nil || err.Error() != want {
		t.Errorf("clear eth9 = %v, want %q", err, want)
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
			want: `{"v":1,"ok":false,"code":"unknown_command","error":"unknown show target \"arp\", want one of interfaces, helpers, upstreams, statistics, bindings, leases, conflicts, pools, failover, version, ddns"}`},
		{name: "unknown clear target", line: `{"v":1,"cmd":"clear","what":"bindings"}` + "\n",
			want: `{"v":1,"ok":false,"code":"unknown_command","error":"unknown clear target \"bindings\", want statistics or conflicts"}`},
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
			if err := c.Clear(context.Background(), ""); !errors.Is(err, &Error{Code: CodeUnavailable}) {
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

// fakeConflicts frees the quarantined addresses it holds.
type fakeConflicts struct {
	mu   sync.Mutex
	quar []netip.Addr
}

func (f *fakeConflicts) ClearConflicts(addr netip.Addr) []netip.Addr {
	f.mu.Lock()
	defer f.mu.Unlock()
	var freed, kept []netip.Addr
	for _, a := range f.quar {
		if !addr.IsValid() || a == addr {
			freed = append(freed, a)
		} else {
			kept = append(kept, a)
		}
	}
	f.quar = kept
	return freed
}

func TestClearConflicts(t *testing.T) {
	fc := &fakeConflicts{quar: []netip.Addr{addr("203.0.113.100"), addr("203.0.113.101"), addr("203.0.113.102")}}
	path, _ := startServer(t, Sources{Conflicts: fc}, Options{})
	c := dial(t, path)
	tests := []struct {
		arg     string
		want    []netip.Addr
		wantErr string
	}{
		{arg: "203.0.113.101", want: []netip.Addr{addr("203.0.113.101")}},
		{arg: "203.0.113.101"},
		{arg: "*", want: []netip.Addr{addr("203.0.113.100"), addr("203.0.113.102")}},
		{arg: "bogus", wantErr: `"bogus" is not an IPv4 address or * (bad_argument)`},
		{arg: "2001:db8::1", wantErr: `"2001:db8::1" is not an IPv4 address or * (bad_argument)`},
	}
	for _, tt := range tests {
		got, err := c.ClearConflicts(context.Background(), tt.arg)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("clear conflicts %s: %v, want %q", tt.arg, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Errorf("clear conflicts %s (-want +got):\n%s", tt.arg, diff)
		}
	}
	path2, _ := startServer(t, Sources{}, Options{})
	if _, err := dial(t, path2).ClearConflicts(context.Background(), ""); !errors.Is(err, &Error{Code: CodeUnavailable}) {
		t.Errorf("clear conflicts without a fallback server: %v, want unavailable", err)
	}
}

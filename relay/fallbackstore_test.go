package relay

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
	"github.com/iphelper/iphelper/relay/fallback"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
)

// TestLeaseDBUnavailableKeepsRelaying: a lease database that cannot be
// opened (garbage bytes, a file cut short, a path that cannot be created)
// disables only the fallback scope: Run goes on, a DISCOVER is relayed,
// the interface's status says why its fallback is disabled, and once the
// file is repaired a reload serves the scope again.
func TestLeaseDBUnavailableKeepsRelaying(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (path, fix string) // the lease-db path, and what to remove to repair it
		want  string                                            // in the status's reason
	}{
		{
			name: "garbage bytes",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "leases.db")
				writeFile(t, p, []byte(strings.Repeat("not a bbolt file\x00\xff", 512)))
				return p, p
			},
			want: "lease database unavailable: failed to open lease database",
		},
		{
			name: "truncated",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "leases.db")
				s, err := leasestore.OpenBolt(p, time.Second)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				if err := os.Truncate(p, 100); err != nil {
					t.Fatal(err)
				}
				return p, p
			},
			want: "lease database unavailable: failed to open lease database",
		},
		{
			name: "directory cannot be created",
			setup: func(t *testing.T, dir string) (string, string) {
				parent := filepath.Join(dir, "state")
				writeFile(t, parent, []byte("a file where the directory should be"))
				return filepath.Join(parent, "leases.db"), parent
			},
			want: "lease database unavailable: failed to create the lease database directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, fix := tt.setup(t, t.TempDir())
			cfg := testConfig(t, config.Flags{FallbackPools: []string{"eth1=203.0.113.100-203.0.113.110"}, LeaseDB: &path})
			cfg.Interfaces[0].Fallback.ProbeCount = 0
			r, conn, up := startStoreRig(t, cfg)

			frame := discoverFrame(t)
			if err := conn.Deliver(frame, iface.FrameInfo{}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, up.sent, "the relayed DISCOVER")
			is := eth1Status(t, r)
			if !is.Fallback || !strings.HasPrefix(is.FallbackDisabled, tt.want) {
				t.Errorf("eth1's fallback: has %v, disabled %q; want disabled with a reason starting %q", is.Fallback, is.FallbackDisabled, tt.want)
			}

			if err := os.RemoveAll(fix); err != nil {
				t.Fatal(err)
			}
			r.Reload(cfg)
			deadline := time.Now().Add(3 * time.Second)
			for eth1Status(t, r).FallbackDisabled != "" || len(r.Status().Scopes) != 1 {
				if time.Now().After(deadline) {
					t.Fatalf("fallback still not served after the file was repaired and a reload: %q", eth1Status(t, r).FallbackDisabled)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// startStoreRig runs a Relay for cfg over fakes with the lease database
// its configuration names, and returns it with eth1's socket and the
// upstream.
func startStoreRig(t *testing.T, cfg *config.Config) (*Relay, *ifacetest.Conn, *fakeUpstream) {
	t.Helper()
	r, c, up, _ := startStoreRigLinks(t, cfg)
	return r, c, up
}

// startStoreRigLinks is startStoreRig that also returns the links.
func startStoreRigLinks(t *testing.T, cfg *config.Config) (*Relay, *ifacetest.Conn, *fakeUpstream, *ifacetest.Links) {
	t.Helper()
	links := ifacetest.NewLinks()
	conns := make(chan *ifacetest.Conn, 1)
	up := newFakeUpstream()
	r := New(cfg, links, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Upstream: up,
		Listen:   listenInto(conns),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	links.Set(upstreamLnk, testLink)
	select {
	case c := <-conns:
		return r, c, up, links
	case err := <-done:
		done <- nil // for the cleanup
		t.Fatalf("Run ended before it served eth1: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for eth1's packet socket")
	}
	return nil, nil, nil, nil
}

// eth1Status returns eth1's row of the relay's status.
func eth1Status(t *testing.T, r *Relay) status.InterfaceStatus {
	t.Helper()
	for _, is := range r.Status().Interfaces {
		if is.Name == "eth1" {
			return is
		}
	}
	t.Fatal("eth1 is not in the status")
	return status.InterfaceStatus{}
}

// discoverFrame is a client's broadcast DISCOVER frame.
func discoverFrame(t *testing.T) []byte {
	t.Helper()
	frame, err := iface.BuildUDP4(make([]byte, 2048), iface.UDP4Header{
		SrcMAC: clientMAC, DstMAC: macBroadcast[:], Src: zeroAddr, Dst: ipBroadcast, SrcPort: 68, DstPort: 67,
	}, discover(t))
	if err != nil {
		t.Fatal(err)
	}
	return frame
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReloadSwitchesLeaseDB: a reload that names another lease database
// closes the old file (its lock is free again) and serves the fallback
// scope from the new one; it used to be only logged.
func TestReloadSwitchesLeaseDB(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	mk := func(path string) *config.Config {
		cfg := testConfig(t, config.Flags{FallbackPools: []string{"eth1=203.0.113.100-203.0.113.110"}, LeaseDB: &path})
		cfg.Interfaces[0].Fallback.ProbeCount = 0
		return cfg
	}
	r, _, _ := startStoreRig(t, mk(first))
	waitServing := func(what string) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for eth1Status(t, r).FallbackDisabled != "" || len(r.Status().Scopes) != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: fallback not served: %q", what, eth1Status(t, r).FallbackDisabled)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitServing("at start")
	if _, err := leasestore.OpenBolt(first, 50*time.Millisecond); err == nil {
		t.Fatal("the first lease database is not locked by the relay")
	}

	r.Reload(mk(second))
	deadline := time.Now().Add(3 * time.Second)
	for {
		if _, err := os.Stat(second); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the relay did not open %s after the reload", second)
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitServing("after the reload")
	s, err := leasestore.OpenBolt(first, time.Second)
	if err != nil {
		t.Fatalf("the first lease database is still held after the reload: %v", err)
	}
	s.Close()
}

// TestReloadRemovesFallbackScope: a reload that removes an interface's
// fallback scope stops its server: no scope in the status, the interface
// relays only. The server used to go on answering.
func TestReloadRemovesFallbackScope(t *testing.T) {
	rig := startFallbackRig(t)
	deadline := time.Now().Add(3 * time.Second)
	for len(rig.r.Status().Scopes) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("no fallback scope at start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rig.r.Reload(testConfig(t, config.Flags{}))
	for deadline = time.Now().Add(3 * time.Second); len(rig.r.Status().Scopes) != 0 || eth1Status(t, rig.r).Fallback; {
		if time.Now().After(deadline) {
			t.Fatalf("the fallback scope is still served after a reload removed it: %+v", rig.r.Status().Scopes)
		}
		time.Sleep(10 * time.Millisecond)
	}
	rig.sendDiscover(t, 9)
	waitFor(t, rig.up.sent, "the relayed DISCOVER")
	select {
	case f := <-rig.conn.Sent():
		t.Errorf("the removed fallback answered: %d bytes", len(f.Data))
	case <-time.After(500 * time.Millisecond): // offer-delay is 200ms
	}
}

// TestReloadAppliesProbeSettings: a reload that changes probe-count or
// probe-timeout gives the running fallback server a prober with them; the
// prober used to be made once, when the server started.
func TestReloadAppliesProbeSettings(t *testing.T) {
	mk := func(count int) *config.Config {
		cfg := testConfig(t, config.Flags{FallbackPools: []string{"eth1=203.0.113.100-203.0.113.110"}})
		fc := *cfg.Interfaces[0].Fallback
		fc.ProbeCount = count
		cfg.Interfaces[0].Fallback = &fc
		return cfg
	}
	counts := make(chan int, 8)
	links := ifacetest.NewLinks()
	r := New(mk(1), links, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Upstream: newFakeUpstream(), LeaseStore: leasestore.NewMemStore(),
		Listen: func(l iface.Link) (iface.FrameConn, error) { return ifacetest.NewConn(l.Index, 16), nil },
		Prober: func(_ iface.Link, _ netip.Addr, fc *config.Fallback) fallback.Prober {
			counts <- fc.ProbeCount
			return nil
		},
	})
	runRelay(t, r)
	links.Set(upstreamLnk, testLink)
	if got := waitFor(t, counts, "the first prober"); got != 1 {
		t.Fatalf("first prober made for probe-count %d, want 1", got)
	}
	r.Reload(mk(3))
	if got := waitFor(t, counts, "a prober for the reloaded settings"); got != 3 {
		t.Errorf("prober made for probe-count %d after the reload, want 3", got)
	}
}

// TestAddressOutsideScopeStopsFallback: when the interface's address moves
// to a subnet its scope does not fit, the fallback server stops (it would
// hand out addresses of the old subnet), and the status says why.
func TestAddressOutsideScopeStopsFallback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leases.db")
	cfg := testConfig(t, config.Flags{FallbackPools: []string{"eth1=203.0.113.100-203.0.113.110"}, LeaseDB: &path})
	cfg.Interfaces[0].Fallback.ProbeCount = 0
	r, _, _, links := startStoreRigLinks(t, cfg)
	deadline := time.Now().Add(3 * time.Second)
	for len(r.Status().Scopes) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("no fallback scope at start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	moved := testLink
	moved.Addrs = []netip.Prefix{netip.MustParsePrefix("198.51.100.129/25")}
	links.Update(moved)
	const want = "the scope does not fit the interface's subnet 198.51.100.128/25: fallback.pools[0]: 203.0.113.100-203.0.113.110 is not inside 198.51.100.128/25"
	for deadline = time.Now().Add(3 * time.Second); len(r.Status().Scopes) != 0 || eth1Status(t, r).FallbackDisabled != want; {
		if time.Now().After(deadline) {
			t.Fatalf("after the address moved: scopes %+v, reason %q; want none and %q", r.Status().Scopes, eth1Status(t, r).FallbackDisabled, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

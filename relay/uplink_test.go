package relay

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/iface"
	"github.com/iphelper/iphelper/iface/ifacetest"
)

// TestPatternLeavesUplinkAlone: a pattern serves neither loopback nor the
// link that holds the route to a helper; an entry with the exact name
// does.
func TestPatternLeavesUplinkAlone(t *testing.T) {
	lo := iface.Link{Index: 1, Name: "lo", Up: true, Loopback: true, Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}}
	eth2 := iface.Link{Index: 5, Name: "eth2.5", MAC: testMAC, Up: true, Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.129/25")}}
	tests := []struct {
		name    string
		file    string
		routes  ifacetest.Routes
		want    []string
		wantLog []string
	}{
		{
			name:   "star takes only the client links",
			file:   "interfaces:\n  - name: '*'\n",
			routes: ifacetest.Routes{helperAddr: upstreamLnk.Index},
			want:   []string{"eth1", "eth2.5"},
			wantLog: []string{
				`iface=eth2 why="pattern * leaves it alone: it holds the route to helper 198.51.100.2"`,
				`iface=lo why="pattern * leaves it alone: it is loopback"`,
			},
		},
		{
			name:   "an exact name still serves the uplink",
			file:   "interfaces:\n  - name: '*'\n  - name: eth2\n",
			routes: ifacetest.Routes{helperAddr: upstreamLnk.Index},
			want:   []string{"eth1", "eth2", "eth2.5"},
			wantLog: []string{
				`iface=lo why="pattern * leaves it alone: it is loopback"`,
			},
		},
		{
			name:   "no route to the helper: only loopback is known",
			file:   "interfaces:\n  - name: 'eth*'\n  - name: 'l?'\n",
			routes: ifacetest.Routes{},
			want:   []string{"eth1", "eth2", "eth2.5"},
			wantLog: []string{
				`iface=lo why="pattern l? leaves it alone: it is loopback"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.ParseWithFlags([]byte("defaults: {helper-addresses: [198.51.100.2]}\n"+tt.file), config.Flags{})
			if err != nil {
				t.Fatal(err)
			}
			var logs lockedBuffer
			links := ifacetest.NewLinks()
			r := New(cfg, links, slog.New(slog.NewTextHandler(&logs, nil)), Options{
				Upstream: newFakeUpstream(),
				Listen:   func(l iface.Link) (iface.FrameConn, error) { return ifacetest.NewConn(l.Index, 16), nil },
				Routes:   tt.routes,
			})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- r.Run(ctx) }()
			links.Set(lo, upstreamLnk, testLink, eth2)
			waitFor(t, r.Ready(), "the relay to be ready")
			var got []string
			for _, st := range *r.published.Load() {
				got = append(got, st.name)
			}
			slices.Sort(got)
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("served (-want +got):\n%s", diff)
			}
			var lines []string
			for _, l := range strings.Split(logs.String(), "\n") {
				if i := strings.Index(l, "iface="); i >= 0 && strings.Contains(l, "interface is not served") {
					lines = append(lines, l[i:])
				}
			}
			slices.Sort(lines)
			if diff := cmp.Diff(tt.wantLog, lines); diff != "" {
				t.Errorf("log (-want +got):\n%s", diff)
			}
		})
	}
}

// movingRoutes is a RouteFinder whose routes a test changes while the
// relay runs.
type movingRoutes struct {
	mu sync.Mutex
	r  map[netip.Addr]int
}

func (m *movingRoutes) RouteLink(dst netip.Addr) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if idx, ok := m.r[dst]; ok {
		return idx, nil
	}
	return 0, errors.New("no route")
}

func (m *movingRoutes) set(dst netip.Addr, idx int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.r[dst] = idx
}

// TestPatternFollowsRouteChanges: a route to a helper that appears with no
// link or address event (the default route added after the addresses)
// still takes its link away from a pattern.
func TestPatternFollowsRouteChanges(t *testing.T) {
	cfg, err := config.ParseWithFlags([]byte("defaults: {helper-addresses: [198.51.100.2]}\ninterfaces:\n  - name: 'eth*'\n"), config.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	routes := &movingRoutes{r: map[netip.Addr]int{}}
	links := ifacetest.NewLinks()
	r := New(cfg, links, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Upstream: newFakeUpstream(),
		Listen:   func(l iface.Link) (iface.FrameConn, error) { return ifacetest.NewConn(l.Index, 16), nil },
		Routes:   routes,
	})
	r.routeEvery = 5 * time.Millisecond
	runRelay(t, r)
	links.Set(upstreamLnk, testLink)
	waitFor(t, r.Ready(), "the relay to be ready")
	served := func() []string {
		var names []string
		for _, st := range *r.published.Load() {
			names = append(names, st.name)
		}
		slices.Sort(names)
		return names
	}
	if diff := cmp.Diff([]string{"eth1", "eth2"}, served()); diff != "" {
		t.Fatalf("served before the route exists (-want +got):\n%s", diff)
	}
	routes.set(helperAddr, upstreamLnk.Index)
	deadline := time.After(5 * time.Second)
	for !slices.Equal(served(), []string{"eth1"}) {
		select {
		case <-deadline:
			t.Fatalf("still serving %v after the route to the helper moved to eth2", served())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

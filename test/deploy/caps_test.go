package deploy

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/test/lab"
)

// Bounds of the waits.
const (
	leaseTimeout = 30 * time.Second
	startTimeout = 15 * time.Second
	exitTimeout  = 10 * time.Second
)

// The fallback scope of the fallback case, inside the standard client
// segment 203.0.113.0/25 and outside the lab server's pool (hosts 32–47).
var (
	fbFirst = netip.MustParseAddr("203.0.113.100")
	fbLast  = netip.MustParseAddr("203.0.113.110")
)

// capsLab is a standard lab with the tools the capability tests need.
func capsLab(t *testing.T, tools ...[2]string) (*lab.Lab, *lab.Topology) {
	t.Helper()
	lab.Require(t)
	t.Parallel()
	for _, tool := range append([][2]string{{"setpriv", "util-linux"}, {"ss", "iproute2"}, {"sysctl", "procps"}}, tools...) {
		requireTool(t, tool[0], tool[1])
	}
	l := lab.New(t)
	return l, l.Standard()
}

// The requirement: "Running as an unprivileged user with only the unit's
// capabilities (e.g. via setpriv), the relay works." iphelper runs as
// nobody with exactly the unit's AmbientCapabilities, its lease database
// and control socket in a directory only nobody may write (the unit's
// StateDirectory and RuntimeDirectory), and a client gets a lease through
// the relay from Kea, or, with no server, from the fallback (an ARP probe
// on the packet socket, a write to the lease database).
func TestRelayWithUnitCapabilities(t *testing.T) {
	tests := []struct {
		name     string
		server   bool
		fallback bool
	}{
		{name: "relayed to kea", server: true},
		{name: "fallback server", fallback: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := iphelperBin(t)
			l, tp := capsLab(t, [2]string{"kea-dhcp4", "kea-dhcp4-server"}, [2]string{"dhclient", "isc-dhcp-client"})
			seg, srv := tp.Segments[0], tp.Servers[0]
			if tt.server {
				l.StartServer(lab.Kea, srv.NS, srv.Addr, tp.ServerConfig(0))
			}
			dir := nobodyDir(t)
			ctl, db := filepath.Join(dir, "control.sock"), filepath.Join(dir, "leases.db")
			args := append(setprivArgs(unitCapabilities(t)), bin, "run", "--log-level", "debug",
				"--interface", seg.RelayIf, "--helper-address", srv.Addr.String(),
				"--control-socket", ctl, "--lease-db", db)
			if tt.fallback {
				args = append(args, "--fallback-pool", seg.RelayIf+"="+fbFirst.String()+"-"+fbLast.String())
			}
			// StartIphelper runs "BIN ARGS…": here setpriv is BIN.
			r := l.StartIphelper(tp.Relay, args[0], args[1:]...)
			r.WaitListening(1, startTimeout)
			checkRunsAs(t, r.Proc.Pid(), unitCapabilities(t))
			checkOwnedByNobody(t, ctl, 0o600)

			lease := l.StartClient(lab.Dhclient, tp.Client, seg.ClientIf).WaitLease(leaseTimeout)
			wantServer := srv.Addr
			if tt.fallback {
				wantServer = seg.Gateway
				if lease.Addr.Less(fbFirst) || fbLast.Less(lease.Addr) {
					t.Errorf("leased %s, want an address of the fallback pool %s-%s", lease.Addr, fbFirst, fbLast)
				}
			}
			if lease.ServerID != wantServer {
				t.Errorf("bound by server %s, want %s; iphelper:\n%s", lease.ServerID, wantServer, r.Proc.Log())
			}
			if tt.fallback {
				r.Proc.Stop() // it holds the database's lock
				checkOwnedByNobody(t, db, 0o600)
				checkStored(t, db, seg.RelayIf, lease.Addr)
			}
		})
	}
}

// Without the unit's capabilities, iphelper stops at once and says which
// one is missing.
func TestRelayWithoutCapabilities(t *testing.T) {
	tests := []struct {
		name string
		caps []string
		want string
	}{
		{name: "none", caps: nil,
			want: "missing capabilities: CAP_NET_RAW (packet sockets), CAP_NET_BIND_SERVICE (udp port 67); grant them (systemd: AmbientCapabilities=CAP_NET_RAW CAP_NET_BIND_SERVICE) or run as root with --allow-root"},
		{name: "only net_raw", caps: []string{"net_raw"},
			want: "missing capabilities: CAP_NET_BIND_SERVICE (udp port 67); grant them"},
		{name: "only net_bind_service", caps: []string{"net_bind_service"},
			want: "missing capabilities: CAP_NET_RAW (packet sockets); grant them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := iphelperBin(t)
			l, tp := capsLab(t)
			dir := nobodyDir(t)
			args := append(setprivArgs(tt.caps), bin, "run",
				"--interface", tp.Segments[0].RelayIf, "--helper-address", tp.Servers[0].Addr.String(),
				"--control-socket", filepath.Join(dir, "control.sock"), "--lease-db", filepath.Join(dir, "leases.db"))
			p := l.StartProc(lab.ProcSpec{NS: tp.Relay, Name: "iphelper", Args: args})
			err := p.Wait(exitTimeout)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("iphelper without %v ended with %v, want exit status 1; log:\n%s", tt.caps, err, p.Log())
			}
			if !strings.Contains(p.Log(), tt.want) {
				t.Errorf("iphelper without %v said:\n%s\nwant %q", tt.caps, p.Log(), tt.want)
			}
		})
	}
}

// As root, iphelper refuses to start unless --allow-root says so: least
// privilege is the default (docs/trust-model.md).
func TestRelayRefusesRoot(t *testing.T) {
	bin := iphelperBin(t)
	l, tp := capsLab(t)
	dir := t.TempDir()
	args := []string{bin, "run", "--interface", tp.Segments[0].RelayIf, "--helper-address", tp.Servers[0].Addr.String(),
		"--control-socket", filepath.Join(dir, "control.sock"), "--lease-db", filepath.Join(dir, "leases.db")}
	p := l.StartProc(lab.ProcSpec{NS: tp.Relay, Name: "iphelper-as-root", Args: args})
	err := p.Wait(exitTimeout)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("iphelper as root without --allow-root ended with %v, want exit status 1; log:\n%s", err, p.Log())
	}
	if want := "refusing to run as root"; !strings.Contains(p.Log(), want) {
		t.Errorf("iphelper as root said:\n%s\nwant %q", p.Log(), want)
	}
	if _, err := os.Stat(filepath.Join(dir, "leases.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused daemon created its lease database: %v", err)
	}
}

// checkRunsAs checks that process pid runs as nobody with exactly caps
// (setpriv names) effective.
func checkRunsAs(t *testing.T, pid int, caps []string) {
	t.Helper()
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		t.Fatalf("%v", err)
	}
	want := map[string]string{
		"Uid:":    "65534\t65534\t65534\t65534",
		"Gid:":    "65534\t65534\t65534\t65534",
		"CapEff:": capMask(caps),
		"CapBnd:": capMask(caps),
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, _ := strings.Cut(line, "\t")
		if w, ok := want[k]; ok && strings.TrimSpace(v) != w {
			t.Errorf("iphelper's %s %q, want %q", k, strings.TrimSpace(v), w)
		}
	}
}

// capMask is the /proc/PID/status mask of caps.
func capMask(caps []string) string {
	bits := map[string]uint{"net_bind_service": 10, "net_raw": 13}
	var m uint64
	for _, c := range caps {
		m |= 1 << bits[c]
	}
	return fmt.Sprintf("%016x", m)
}

// checkOwnedByNobody checks that path belongs to nobody with mode perm.
func checkOwnedByNobody(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid != nobodyUID || fi.Mode().Perm() != perm {
		t.Errorf("%s: mode %v, owner %v; want %v owned by uid %d", path, fi.Mode().Perm(), fi.Sys(), perm, nobodyUID)
	}
}

// checkStored checks that the lease database holds a lease of addr on
// ifname.
func checkStored(t *testing.T, db, ifname string, addr netip.Addr) {
	t.Helper()
	st, err := leasestore.OpenBolt(db, 2*time.Second)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer st.Close()
	leases, err := st.Load(ifname)
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, l := range leases {
		if l.Addr == addr {
			return
		}
	}
	t.Errorf("no lease of %s on %s in %s: %v", addr, ifname, db, leases)
}

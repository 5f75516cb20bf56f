package lab

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// KeaHAMode is the HA hook's mode.
type KeaHAMode string

// The HA modes the lab runs.
const (
	KeaHotStandby    KeaHAMode = "hot-standby"
	KeaLoadBalancing KeaHAMode = "load-balancing"
)

// KeaHATimers are the HA hook's failure detection settings.
type KeaHATimers struct {
	// HeartbeatDelay is the time between heartbeats.
	HeartbeatDelay time.Duration
	// MaxResponseDelay is how long without a reply from the partner before
	// communication counts as interrupted.
	MaxResponseDelay time.Duration
	// MaxAckDelay is how long a client's request may go unanswered (by its
	// secs field) before the client counts as unacked.
	MaxAckDelay time.Duration
	// MaxUnackedClients is how many unacked clients make the survivor take
	// over; 0 takes over as soon as communication is interrupted.
	MaxUnackedClients int
}

// KeaHADefaultTimers are Kea 2.2's defaults.
var KeaHADefaultTimers = KeaHATimers{
	HeartbeatDelay: 10 * time.Second, MaxResponseDelay: time.Minute, MaxAckDelay: 10 * time.Second, MaxUnackedClients: 10,
}

// KeaHATunedTimers detect a dead partner within seconds, taking over
// without waiting for unacked clients.
var KeaHATunedTimers = KeaHATimers{
	HeartbeatDelay: time.Second, MaxResponseDelay: 3 * time.Second, MaxAckDelay: time.Second, MaxUnackedClients: 0,
}

// KeaHAOptions configure a Kea HA pair.
type KeaHAOptions struct {
	Mode   KeaHAMode
	Timers KeaHATimers
	// PoolFirst and PoolLast bound the shared pool on the client segment
	// (default 203.0.113.10-203.0.113.250).
	PoolFirst, PoolLast netip.Addr
	// LeaseTime is the lease lifetime (default one hour).
	LeaseTime time.Duration
	// QuietLeases keeps the per-lease lines (logger kea-dhcp4.leases) out
	// of the log, for load runs; the HA hook's lines stay.
	QuietLeases bool
}

// KeaHA is a Kea HA pair on the nodes of a Pair: node A is the primary,
// node B the standby (hot-standby) or secondary (load-balancing).
type KeaHA struct {
	Primary, Standby *KeaHANode
}

// KeaHANode is one kea-dhcp4 of an HA pair.
type KeaHANode struct {
	Node PairNode
	// Proc is the server; its log holds the HA hook's state transitions.
	Proc *Proc
	// ConfigPath is its configuration; LeaseFile its memfile lease file.
	ConfigPath, LeaseFile string
}

// keaHAPort is the HA hook's dedicated HTTP listener port on the link
// between the nodes.
const keaHAPort = 8001

// keaHAReady bounds how long the pair takes to reach its serving state.
const keaHAReady = 60 * time.Second

// StartKeaHA starts kea-dhcp4 with the HA hook on both nodes of p, serving
// the client segment directly (raw sockets on RelayDown, memfile leases in
// the lab's directory) and talking HA over the link between the nodes
// (the hook's own HTTP listener, multi-threaded: Kea 2.2 needs no control
// agent that way). It returns once both are in the mode's serving state.
func (l *Lab) StartKeaHA(p *Pair, o KeaHAOptions) *KeaHA {
	l.t.Helper()
	o = o.withDefaults()
	ha := &KeaHA{}
	hooks := keaHooksDir(l)
	for i, n := range p.Nodes() {
		node := l.startKeaHANode(p, n, o, hooks)
		if i == 0 {
			ha.Primary = node
		} else {
			ha.Standby = node
		}
	}
	state := strings.ToUpper(string(o.Mode))
	for _, n := range []*KeaHANode{ha.Primary, ha.Standby} {
		if !WaitFor(func() bool { return n.Proc.Exited() || n.StateTime(state) != (time.Time{}) }, keaHAReady) || n.Proc.Exited() {
			l.t.Fatalf("kea HA on %s did not reach %s within %s:\n%s", n.Node, state, keaHAReady, tail(n.Proc.Log(), logTail))
		}
	}
	return ha
}

func (o KeaHAOptions) withDefaults() KeaHAOptions {
	if o.Mode == "" {
		o.Mode = KeaHotStandby
	}
	if o.Timers == (KeaHATimers{}) {
		o.Timers = KeaHADefaultTimers
	}
	if !o.PoolFirst.IsValid() {
		o.PoolFirst, o.PoolLast = offset(PairClientNet.Addr(), 10), offset(PairClientNet.Addr(), 250)
	}
	if o.LeaseTime <= 0 {
		o.LeaseTime = time.Hour
	}
	return o
}

// keaHooksDir finds Kea's hook libraries (Debian's multiarch directory).
func keaHooksDir(l *Lab) string {
	l.t.Helper()
	found, _ := filepath.Glob("/usr/lib/*/kea/hooks/libdhcp_ha.so")
	if len(found) == 0 {
		l.t.Fatalf("failed to find Kea's HA hook (libdhcp_ha.so, Debian package kea-dhcp4-server) under /usr/lib/*/kea/hooks")
	}
	return filepath.Dir(found[0])
}

// startKeaHANode writes, checks and starts one server of the pair.
func (l *Lab) startKeaHANode(p *Pair, n PairNode, o KeaHAOptions, hooks string) *KeaHANode {
	l.t.Helper()
	dir := l.nextName("kea-ha-"+n.Name, "")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		l.t.Fatalf("failed to create kea directory: %v", err)
	}
	node := &KeaHANode{Node: n, ConfigPath: filepath.Join(dir, "kea-dhcp4.json"), LeaseFile: filepath.Join(dir, "leases4.csv")}
	conf, err := json.MarshalIndent(keaHAConfig(p, n, o, hooks, node.LeaseFile), "", "  ")
	if err != nil {
		l.t.Fatalf("failed to build kea HA config: %v", err)
	}
	if err := os.WriteFile(node.ConfigPath, conf, 0o600); err != nil {
		l.t.Fatalf("failed to write kea HA config: %v", err)
	}
	env := []string{"KEA_PIDFILE_DIR=" + dir, "KEA_LOCKFILE_DIR=" + dir}
	l.Exec(n.NS, append(append([]string{"env"}, env...), "kea-dhcp4", "-t", node.ConfigPath)...)
	node.Proc = l.StartProc(ProcSpec{NS: n.NS, Name: "kea-ha-" + n.Name, Env: env, Args: []string{"kea-dhcp4", "-c", node.ConfigPath}})
	return node
}

// keaHAConfig is the kea-dhcp4 configuration of node n.
func keaHAConfig(p *Pair, n PairNode, o KeaHAOptions, hooks, leaseFile string) map[string]any {
	lease := int(o.LeaseTime / time.Second)
	peer := func(m PairNode, role string) map[string]any {
		return map[string]any{"name": m.Name, "url": fmt.Sprintf("http://%s:%d/", m.Link, keaHAPort), "role": role, "auto-failover": true}
	}
	second := "standby"
	if o.Mode == KeaLoadBalancing {
		second = "secondary"
	}
	ms := func(d time.Duration) int { return int(d / time.Millisecond) }
	ha := map[string]any{
		"this-server-name":    n.Name,
		"mode":                string(o.Mode),
		"heartbeat-delay":     ms(o.Timers.HeartbeatDelay),
		"max-response-delay":  ms(o.Timers.MaxResponseDelay),
		"max-ack-delay":       ms(o.Timers.MaxAckDelay),
		"max-unacked-clients": o.Timers.MaxUnackedClients,
		"multi-threading": map[string]any{
			"enable-multi-threading": true, "http-dedicated-listener": true,
			"http-listener-threads": 1, "http-client-threads": 1,
		},
		"peers": []map[string]any{peer(p.A, "primary"), peer(p.B, second)},
	}
	return map[string]any{"Dhcp4": map[string]any{
		"interfaces-config": map[string]any{"interfaces": []string{RelayDown}, "dhcp-socket-type": "raw"},
		"lease-database":    map[string]any{"type": "memfile", "persist": true, "name": leaseFile, "lfc-interval": 0},
		"multi-threading":   map[string]any{"enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 256},
		"valid-lifetime":    lease,
		"renew-timer":       lease / 2,
		"rebind-timer":      lease * 7 / 8,
		"hooks-libraries": []map[string]any{
			{"library": filepath.Join(hooks, "libdhcp_lease_cmds.so")},
			{"library": filepath.Join(hooks, "libdhcp_ha.so"), "parameters": map[string]any{"high-availability": []any{ha}}},
		},
		"subnet4": []map[string]any{{
			"id": 1, "subnet": PairClientNet.String(),
			"pools":       []map[string]any{{"pool": o.PoolFirst.String() + " - " + o.PoolLast.String()}},
			"option-data": []map[string]any{{"name": "routers", "data": n.Down.String()}},
		}},
		"loggers": keaHALoggers(o.QuietLeases),
	}}
}

// keaHALoggers log at INFO to stderr, with the per-lease lines only at
// WARN when quiet.
func keaHALoggers(quiet bool) []map[string]any {
	out := []map[string]any{{"output": "stderr", "pattern": keaLogPattern}}
	loggers := []map[string]any{{"name": "kea-dhcp4", "severity": "INFO", "output_options": out}}
	if quiet {
		loggers = append(loggers, map[string]any{"name": "kea-dhcp4.leases", "severity": "WARN", "output_options": out})
	}
	return loggers
}

// keaLogPattern starts every Kea log line with a local time stamp to the
// millisecond, which LogTime reads.
const keaLogPattern = "%D{%Y-%m-%d %H:%M:%S.%q} %-5p [%c] %m\n"

// keaLogTime is the layout of keaLogPattern's time stamp.
const keaLogTime = "2006-01-02 15:04:05.000"

// LogTime returns the time stamp of the first log line that contains every
// one of substrs, and the zero time when there is none yet.
func (n *KeaHANode) LogTime(substrs ...string) time.Time {
	for _, line := range strings.Split(n.Proc.Log(), "\n") {
		if len(line) < len(keaLogTime) || !containsEvery(line, substrs) {
			continue
		}
		t, err := time.ParseInLocation(keaLogTime, line[:len(keaLogTime)], time.Local)
		if err == nil {
			return t
		}
	}
	return time.Time{}
}

// StateTime is when the server entered the HA state (upper case, as Kea
// logs it: HOT-STANDBY, PARTNER-DOWN…), and zero when it has not.
func (n *KeaHANode) StateTime(state string) time.Time {
	return n.LogTime("HA_STATE_TRANSITION", "to "+state+" state")
}

// containsEvery reports whether s contains every one of substrs.
func containsEvery(s string, substrs []string) bool {
	for _, sub := range substrs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// The operating scenarios drive the daemon the way an operator
// does: `iphelper show|clear|debug` over the control socket, a Prometheus
// scrape of --metrics-listen, interfaces created and deleted under a
// pattern, SIGHUP reloads.

// opsCtl runs the iphelper client commands against one relay's control
// socket. The commands run inside the relay's namespace (the socket is a
// file, so any namespace would do; nothing runs in the root namespace).
type opsCtl struct {
	t     *testing.T
	l     *lab.Lab
	relay *lab.Relay
	ns    string
}

// newOpsCtl returns the client of relay, which runs in ns.
func newOpsCtl(t *testing.T, l *lab.Lab, relay *lab.Relay, ns string) *opsCtl {
	t.Helper()
	if relay.ControlSocket == "" {
		t.Fatalf("the relay has no control socket")
	}
	return &opsCtl{t: t, l: l, relay: relay, ns: ns}
}

// run runs `iphelper CMD SUB --control-socket PATH FLAGS… ARGS…` and returns
// its output; a failure fails the test.
func (c *opsCtl) run(cmd, sub string, flags []string, args ...string) string {
	c.t.Helper()
	argv := append([]string{build.bin, cmd, sub, "--control-socket", c.relay.ControlSocket}, flags...)
	return c.l.Exec(c.ns, append(argv, args...)...)
}

// opsShow runs `iphelper show WHAT --json [ARG]` and decodes its answer.
func opsShow[T any](c *opsCtl, what, arg string) T {
	c.t.Helper()
	var args []string
	if arg != "" {
		args = []string{arg}
	}
	out := c.run("show", what, []string{"--json"}, args...)
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		c.t.Fatalf("show %s %s --json: failed to decode %q: %v", what, arg, out, err)
	}
	return v
}

// interfaces is `show interfaces`, keyed by name.
func (c *opsCtl) interfaces() map[string]control.Interface {
	c.t.Helper()
	out := make(map[string]control.Interface)
	for _, i := range opsShow[[]control.Interface](c, control.ShowInterfaces, "") {
		out[i.Name] = i
	}
	return out
}

// statistics is `show statistics`.
func (c *opsCtl) statistics() control.Statistics {
	c.t.Helper()
	return opsShow[control.Statistics](c, control.ShowStatistics, "")
}

// helpers is `show helpers`, keyed by address.
func (c *opsCtl) helpers() map[netip.Addr]control.Helper {
	c.t.Helper()
	out := make(map[netip.Addr]control.Helper)
	for _, h := range opsShow[[]control.Helper](c, control.ShowHelpers, "") {
		out[h.Addr] = h
	}
	return out
}

// opsPollTimeout bounds one control-socket request of a polling loop.
const opsPollTimeout = 2 * time.Second

// pollInterfaces asks the daemon for its interfaces directly through the
// control-socket client library (no process to start, so a loop can poll
// every 50 ms and time what it sees). It may be called from any goroutine.
func (c *opsCtl) pollInterfaces() ([]control.Interface, error) {
	cl, err := control.Dial(c.relay.ControlSocket)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), opsPollTimeout)
	defer cancel()
	return cl.Interfaces(ctx)
}

// opsAtLeast records a failure unless got ≥ want.
func opsAtLeast(t *testing.T, what string, got, want uint64) {
	t.Helper()
	if got < want {
		t.Errorf("%s = %d, want at least %d", what, got, want)
	}
}

// opsCheckCounters checks an interface's counters: at least received
// requests and delivered (or fallback-answered) replies, and no drop.
func opsCheckCounters(t *testing.T, name string, c control.Counters, received, relayed, delivered, fallback uint64) {
	t.Helper()
	opsAtLeast(t, name+": requests_received", c.RequestsReceived, received)
	opsAtLeast(t, name+": requests_relayed", c.RequestsRelayed, relayed)
	opsAtLeast(t, name+": replies_delivered", c.RepliesDelivered, delivered)
	opsAtLeast(t, name+": fallback_replies", c.FallbackReplies, fallback)
	if n := c.TotalDrops(); n != 0 {
		t.Errorf("%s: %d drops %v, want none", name, n, c.Drops)
	}
}

// opsSegment adds a client segment on a link of its own: a namespace for
// role whose eth0 is a veth pair with the relay's relayIf, the relay at the
// first address of prefix. It is appended to the topology's segments.
func opsSegment(l *lab.Lab, tp *lab.Topology, role, relayIf string, prefix netip.Prefix) (string, lab.Segment) {
	ns := l.NS(role)
	l.Veth(tp.Relay, relayIf, ns, lab.ClientIf)
	gw := prefix.Masked().Addr().Next()
	l.Addr(tp.Relay, relayIf, netip.PrefixFrom(gw, prefix.Bits()).String())
	seg := lab.Segment{RelayIf: relayIf, ClientIf: lab.ClientIf, Prefix: prefix, Gateway: gw}
	tp.Segments = append(tp.Segments, seg)
	return ns, seg
}

// opsWriteFile writes a config file, failing the test on error.
func opsWriteFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatalf("failed to write %s: %v", path, err)
	}
}

// opsLogCount counts the lines of a process log that contain substr.
func opsLogCount(p *lab.Proc, substr string) int {
	return strings.Count(p.Log(), substr)
}

// opsHostname is the host name, iphelper's default remote-id.
func opsHostname(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	if err != nil {
		t.Fatalf("failed to read the host name: %v", err)
	}
	return h
}

// opsMAC renders a MAC the way the control socket does.
func opsMAC(hw []byte) string { return control.Hex(hw).String() }

// opsDuration formats a duration in milliseconds for timing logs.
func opsDuration(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

// opsDiff is cmp.Diff with the lab's netip comparer and opts.
func opsDiff(want, got any, opts ...cmp.Option) string {
	return cmp.Diff(want, got, append([]cmp.Option{lab.CmpNetip()}, opts...)...)
}

package lab

import (
	"path/filepath"
	"slices"
	"syscall"
)

// Node is iphelper running on one node of a pair. Its methods fail the test
// on error, so call them from the test's goroutine.
type Node struct {
	// PairNode is where it runs.
	PairNode
	// Relay is the running iphelper (replaced by Restart).
	Relay *Relay
	// DB is its lease database; a test may delete it while the node is
	// down, to restart it with its data lost.
	DB string

	p    *Pair
	bin  string
	args []string
}

// StartNode starts iphelper (binary bin) on node n: `run --log-level debug
// --interface down0 --helper-address <server> --lease-db <DB>` and args
// (fallback scope, failover flags…), and waits until it listens. The lease
// database is node-<name>.db in the lab's directory.
func (p *Pair) StartNode(n PairNode, bin string, args ...string) *Node {
	p.l.t.Helper()
	node := &Node{PairNode: n, DB: filepath.Join(p.l.dir, "node-"+n.Name+".db"), p: p, bin: bin, args: slices.Clone(args)}
	node.start()
	return node
}

// start runs iphelper with the node's flags.
func (n *Node) start() {
	n.p.l.t.Helper()
	base := []string{"run", "--log-level", "debug", "--interface", RelayDown,
		"--helper-address", PairServer.String(), "--lease-db", n.DB}
	n.Relay = n.p.l.StartIphelper(n.NS, n.bin, append(base, n.args...)...)
	n.Relay.WaitListening(1, relayStart)
	// A frozen node would sit out the lab's SIGTERM grace period: thaw it
	// before the lab stops it.
	relay := n.Relay
	n.p.l.onClose(func() { _ = relay.Proc.Send(syscall.SIGCONT) })
}

// Kill sends sig (SIGKILL: the node dies without a word; SIGTERM: it
// shuts down) and waits until the process is gone.
func (n *Node) Kill(sig syscall.Signal) {
	n.p.l.t.Helper()
	n.Relay.Proc.Signal(sig)
	n.p.l.Logf("%s: iphelper ended by %s", n.PairNode, sig)
}

// Pause freezes the node (SIGSTOP): its sockets stay open, nothing is
// answered, its partner's connection neither closes nor gets a reply.
func (n *Node) Pause() {
	n.p.l.t.Helper()
	if err := n.Relay.Proc.Send(syscall.SIGSTOP); err != nil {
		n.p.l.t.Fatalf("%v", err)
	}
	n.p.l.Logf("%s: paused", n.PairNode)
}

// Resume thaws a paused node (SIGCONT).
func (n *Node) Resume() {
	n.p.l.t.Helper()
	if err := n.Relay.Proc.Send(syscall.SIGCONT); err != nil {
		n.p.l.t.Fatalf("%v", err)
	}
	n.p.l.Logf("%s: resumed", n.PairNode)
}

// Restart stops the node if it still runs (SIGTERM) and starts it again
// with the same lease database, with args instead of its flags when any are
// given.
func (n *Node) Restart(args ...string) {
	n.p.l.t.Helper()
	n.Relay.Proc.Stop()
	if len(args) > 0 {
		n.args = slices.Clone(args)
	}
	n.start()
}

// Log is the node's iphelper log so far (of the current process).
func (n *Node) Log() string { return n.Relay.Proc.Log() }

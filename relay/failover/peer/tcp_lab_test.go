package peer

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"github.com/iphelper/iphelper/relay/failover/wire"
	"github.com/iphelper/iphelper/test/lab"
)

// nsTransport opens the TCP transport's sockets inside a network namespace.
type nsTransport struct {
	ns    string
	inner Transport
}

func (n nsTransport) Listen(ctx context.Context) (l net.Listener, err error) {
	err = lab.InNS(n.ns, func() error {
		l, err = n.inner.Listen(ctx)
		return err
	})
	return l, err
}

func (n nsTransport) Dial(ctx context.Context) (c net.Conn, err error) {
	err = lab.InNS(n.ns, func() error {
		c, err = n.inner.Dial(ctx)
		return err
	})
	return c, err
}

// TestTCPPairLink: two Peers over real TCP on port 647, each in its own
// namespace joined by a veth pair (the pair link), authenticate by
// certificates, exchange a binding, and reconnect when the link goes down
// and up.
func TestTCPPairLink(t *testing.T) {
	lab.Require(t)
	l := lab.New(t)
	nsA, nsB := l.NS("fa"), l.NS("fb")
	l.Veth(nsA, "pair0", nsB, "pair0")
	l.Addr(nsA, "pair0", "198.51.100.1/30")
	l.Addr(nsB, "pair0", "198.51.100.2/30")
	l.Up(nsA, "pair0")
	l.Up(nsB, "pair0")
	addrA := netip.MustParseAddrPort("198.51.100.1:647")
	addrB := netip.MustParseAddrPort("198.51.100.2:647")
	ca := newCA(t, "pair CA")

	mk := func(ns string, role wire.Role, self, partner netip.AddrPort, rec *recorder) *Peer {
		tcp, err := TCP(self, partner)
		if err != nil {
			t.Fatalf("TCP: %v", err)
		}
		cfg := testConfig(t, role, ca.auth(t, role.String(), ca), nsTransport{ns: ns, inner: tcp}, rec)
		return start(t, cfg)
	}
	recA, recB := newRecorder(), newRecorder()
	a := mk(nsA, wire.RolePrimary, addrA, addrB, recA)
	mk(nsB, wire.RoleSecondary, addrB, addrA, recB)
	if h := recB.waitUp(t, "secondary"); h.NodeName != "node-primary" {
		t.Errorf("secondary's partner is %q, want node-primary", h.NodeName)
	}
	recA.waitUp(t, "primary")
	waitFor(t, "live connection", func() bool { return a.live.Load() != nil })
	if err := a.Send(upd); err != nil {
		t.Fatalf("Send: %v", err)
	}
	recB.waitMessage(t, "secondary")

	l.Down(nsA, "pair0")
	recA.waitDownFor(t, "primary", "no message for 2s")
	l.Up(nsA, "pair0")
	recA.waitUp(t, "primary, after the link came back")
}

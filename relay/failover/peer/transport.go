package peer

import (
	"context"
	"fmt"
	"net"
	"net/netip"
)

// Transport makes the Peer's connections: a listener for the partner's, and
// a connection to the partner. TCP is the product's; tests use in-memory
// pipes or sockets opened in a network namespace.
type Transport interface {
	Listen(ctx context.Context) (net.Listener, error)
	Dial(ctx context.Context) (net.Conn, error)
}

// TCP is the Transport over TCP: it listens on listen and dials peer from
// listen's address, so the connection stays on the pair link. listen must
// be a specific address (never 0.0.0.0) and peer a unicast one.
func TCP(listen, peer netip.AddrPort) (Transport, error) {
	switch {
	case !listen.IsValid() || listen.Addr().IsUnspecified() || listen.Addr().IsMulticast():
		return nil, fmt.Errorf("failover peer: listen address %s: want this node's address on the pair link", listen)
	case !peer.IsValid() || peer.Addr().IsUnspecified() || peer.Addr().IsMulticast() || peer.Port() == 0:
		return nil, fmt.Errorf("failover peer: partner address %s: want the partner's address and port", peer)
	}
	return tcpTransport{listen: listen, peer: peer}, nil
}

type tcpTransport struct{ listen, peer netip.AddrPort }

// Listen listens on the pair-link address. Go sets SO_REUSEADDR on TCP
// listeners, so a restart binds again while old connections linger in
// TIME_WAIT; nothing else is needed.
func (t tcpTransport) Listen(ctx context.Context) (net.Listener, error) {
	var lc net.ListenConfig
	return lc.Listen(ctx, "tcp", t.listen.String())
}

func (t tcpTransport) Dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(t.listen.Addr(), 0))}
	return d.DialContext(ctx, "tcp", t.peer.String())
}

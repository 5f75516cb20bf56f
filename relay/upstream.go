package relay

import (
	"net"
	"net/netip"

	"github.com/iphelper/iphelper/iface"
)

// UpstreamConn is the UDP socket on port 67 toward the helpers: requests are
// sent on it and replies read from it. *net.UDPConn implements it, and so
// does the socket iface.ListenBootReplies opens, which Run uses.
type UpstreamConn interface {
	ReadMsgUDPAddrPort(b, oob []byte) (n, oobn, flags int, addr netip.AddrPort, err error)
	WriteMsgUDPAddrPort(b, oob []byte, addr netip.AddrPort) (n, oobn int, err error)
	Close() error
}

var (
	_ UpstreamConn = (*net.UDPConn)(nil)
	_ UpstreamConn = (*iface.UDPConn)(nil)
)

// pktinfoOOB is the size of the control buffer a reply is read with.
var pktinfoOOB = iface.PktinfoSpace()

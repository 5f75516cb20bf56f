// Package iface owns everything in iphelper that touches the kernel's view of
// links and sockets: AF_PACKET sockets with their classic BPF filters
// (ListenDHCP, PacketConn), the relay's UDP socket on port 67
// (ListenBootReplies, UDPConn, with its IP_PKTINFO control messages), the
// raw IPv4 socket forwarded UDP broadcasts leave on (ListenRawIP, RawIPConn),
// parsing and building Ethernet/IPv4/UDP frames (ParseUDP4, BuildUDP4),
// following links and IPv4 addresses through netlink (Watcher), and asking
// the kernel which link routes a destination (NetlinkRoutes, HelperRoutes).
// It is the only product package that imports unsafe, x/sys/unix and
// x/net/bpf: both sockets read and send with raw, non-blocking,
// allocation-free system calls (recvmsg.go, and package mmsg for
// sendmmsg), with non-blocking tries (TryReadFrame, TryReadMsgUDPAddrPort)
// for a loop that drains its socket.
//
// The package knows Ethernet, IPv4 and UDP, and of BOOTP and DHCP only what
// its filters test (UDP port 67, the BOOTP op byte of a reply): the relay
// hands it payloads and gets payloads back. Callers depend on the small
// interfaces FrameConn, LinkSource and RouteFinder; package ifacetest holds
// in-memory implementations of them for unit tests.
//
// Errors are wrapped with the interface they concern and classified:
// errors.Is(err, ErrLinkNotReady) means the link is down or gone (back off
// and retry), errors.Is(err, ErrPermission) means the process lacks
// CAP_NET_RAW (fatal). Frame parsing returns bare sentinel errors
// (ErrTruncated, ErrFragment, ...) so that dropping a hostile frame costs no
// allocation and callers can count drops per reason.
//
// docs/sockets-and-threads.md describes the sockets this package opens, their
// filters, the receive ring and how the relay's goroutines use them.
package iface

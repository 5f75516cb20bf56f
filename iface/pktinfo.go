package iface

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PktinfoSource returns an IP_PKTINFO control message that makes the kernel
// send from src (Cisco "ip dhcp relay source-interface"). It is built once
// per interface, so sending does not allocate.
func PktinfoSource(src netip.Addr) []byte {
	b := make([]byte, unix.CmsgSpace(unix.SizeofInet4Pktinfo))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level = unix.IPPROTO_IP
	h.Type = unix.IP_PKTINFO
	h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
	pi := (*unix.Inet4Pktinfo)(unsafe.Pointer(&b[unix.CmsgLen(0)]))
	pi.Spec_dst = src.As4()
	return b
}

// PktinfoSpace returns the size of a control buffer that holds one
// IP_PKTINFO message: what a datagram of a ListenBootReplies socket is read
// with, and what PktinfoSource builds.
func PktinfoSpace() int { return unix.CmsgSpace(unix.SizeofInet4Pktinfo) }

// PktinfoIfindex returns the interface index of an IP_PKTINFO control
// message in oob, the control data of a datagram read from a
// ListenBootReplies socket: the interface it arrived on, 0 when there is none. It does not allocate.
func PktinfoIfindex(oob []byte) int {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return 0
		}
		if h.Level == unix.IPPROTO_IP && h.Type == unix.IP_PKTINFO && l >= unix.CmsgLen(unix.SizeofInet4Pktinfo) {
			pi := (*unix.Inet4Pktinfo)(unsafe.Pointer(&oob[unix.CmsgLen(0)]))
			return int(pi.Ifindex)
		}
		next := unix.CmsgSpace(l - unix.CmsgLen(0))
		if next > len(oob) {
			return 0
		}
		oob = oob[next:]
	}
	return 0
}

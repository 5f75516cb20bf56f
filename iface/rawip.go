package iface

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// RawIPConn is an AF_INET SOCK_RAW socket of protocol IPPROTO_RAW, which
// implies IP_HDRINCL: it sends whole IPv4 packets whose header the caller
// wrote, source address included, routed by the kernel by their
// destination. It receives nothing (the kernel delivers no packet to an
// IPPROTO_RAW socket), so it costs nothing while idle. The relay sends
// forwarded UDP broadcasts on it with the client's own source address and
// port (docs/packet-paths.md, "Forwarded UDP broadcasts").
//
// It has no SO_BROADCAST: a packet to an address the kernel routes as a
// broadcast of one of its links fails with EACCES instead of leaving as a
// link-layer broadcast. Needs CAP_NET_RAW. Its methods may be called
// concurrently.
type RawIPConn struct {
	f   *os.File
	raw syscall.RawConn

	mu sync.Mutex // held by WriteIP: one sender
	s  *rawIPSender
}

// ListenRawIP opens a RawIPConn. An error matches ErrPermission when the
// process lacks CAP_NET_RAW.
func ListenRawIP() (*RawIPConn, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		return nil, classify(fmt.Errorf("failed to open raw IPv4 socket: %w", os.NewSyscallError("socket", err)))
	}
	f := os.NewFile(uintptr(fd), "raw-ipv4")
	raw, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("failed to set up raw IPv4 socket: %w", err)
	}
	s := &rawIPSender{}
	s.send = s.sendto
	return &RawIPConn{f: f, raw: raw, s: s}, nil
}

// rawIPSender is the state of one sendto(2), reused so that a write
// allocates nothing.
type rawIPSender struct {
	pkt   []byte
	sa    unix.RawSockaddrInet4
	errno unix.Errno
	send  func(fd uintptr) // s.sendto, bound once
}

// sendto sends s.pkt to s.sa without waiting: a full send buffer is an
// error (EAGAIN), as for the UDP socket toward the helpers.
func (s *rawIPSender) sendto(fd uintptr) {
	for {
		_, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, fd,
			uintptr(unsafe.Pointer(&s.pkt[0])), uintptr(len(s.pkt)), unix.MSG_DONTWAIT,
			uintptr(unsafe.Pointer(&s.sa)), unix.SizeofSockaddrInet4)
		if errno == unix.EINTR {
			continue
		}
		s.errno = errno
		return
	}
}

// WriteIP sends pkt, a whole IPv4 packet (header first), to dst, which
// should be the packet's destination address. The kernel fills in the
// header checksum and total length; everything else is sent as written.
func (c *RawIPConn) WriteIP(pkt []byte, dst netip.Addr) error {
	if len(pkt) < ipv4MinHeaderLen || !dst.Is4() {
		return errors.New("failed to send raw IPv4 packet: no IPv4 header or destination")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	s.pkt, s.errno = pkt, 0
	s.sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: dst.As4()}
	err := c.raw.Control(s.send)
	s.pkt = nil
	if err == nil && s.errno != 0 {
		err = os.NewSyscallError("sendto", s.errno)
	}
	if err != nil {
		return fmt.Errorf("failed to send raw IPv4 packet to %s: %w", dst, err)
	}
	return nil
}

// Close closes the socket; it is idempotent.
func (c *RawIPConn) Close() error {
	if err := c.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("failed to close raw IPv4 socket: %w", err)
	}
	return nil
}

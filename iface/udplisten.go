package iface

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// ErrPortInUse is returned by ListenBootReplies when another process holds UDP
// port 67 (typically another relay or a DHCP server).
var ErrPortInUse = errors.New("udp port 67 is already in use")

// udpRcvBuf is the receive buffer asked for a ListenBootReplies socket. The
// kernel default (~208 KiB) is where existing relays lose replies in a
// storm; 4 MiB holds several thousand replies.
const udpRcvBuf = 4 << 20

// udpSndBuf is the send buffer asked for a ListenBootReplies socket. Datagrams
// to a helper whose address does not resolve wait in the kernel's
// neighbour queue (up to unres_qlen_bytes, about 208 KiB, per neighbour)
// charged to this socket: with the default buffer (~208 KiB) one dead
// helper would leave no room for the live ones.
const udpSndBuf = 4 << 20

// ListenBootReplies opens the relay's upstream UDP socket on 0.0.0.0:port
// (requests are sent to the helpers on it, their replies read from it),
// with large buffers, IP_PKTINFO on (see PktinfoIfindex) and a socket
// filter that lets only BOOTREPLYs through: the kernel also delivers every
// broadcast BOOTREQUEST of the downstream interfaces to this socket, and
// the request path takes those from the packet sockets instead
// (docs/packet-paths.md, "Which socket sees what"). When another process
// holds the port, the error matches ErrPortInUse and names the holder.
func ListenBootReplies(port int) (*UDPConn, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{Port: port})
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("failed to listen on udp port %d: %w%s", port, ErrPortInUse, portOwner(port))
		}
		return nil, fmt.Errorf("failed to listen on udp port %d: %w", port, err)
	}
	if err := setupUpstream(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("failed to set up udp port %d: %w", port, err)
	}
	s, err := newUDPConn(c)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("failed to set up udp port %d: %w", port, err)
	}
	return s, nil
}

func setupUpstream(c *net.UDPConn) error {
	prog, err := bpf.Assemble(replyFilter())
	if err != nil {
		return fmt.Errorf("failed to assemble reply filter: %w", err)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		if e := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, udpRcvBuf); e != nil {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, udpRcvBuf)
		}
		if e := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, udpSndBuf); e != nil {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF, udpSndBuf)
		}
		f := make([]unix.SockFilter, len(prog))
		for i, ins := range prog {
			f[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
		}
		fprog := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
		serr = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog)
		if serr == nil {
			// The ingress interface of each reply: one that arrives on a
			// downstream interface is spoofed, whatever its source says.
			serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_PKTINFO, 1)
		}
	})
	if err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("failed to attach reply filter: %w", serr)
	}
	return nil
}

// replyFilter accepts a datagram only when its BOOTP op byte is 2
// (BOOTREPLY). A filter on a UDP socket sees the datagram from its UDP
// header on, so the op byte is at offset 8.
func replyFilter() []bpf.Instruction {
	return []bpf.Instruction{
		bpf.LoadAbsolute{Off: 8, Size: 1},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 2, SkipFalse: 1},
		bpf.RetConstant{Val: 0xffff},
		bpf.RetConstant{Val: 0},
	}
}

// portOwner names the processes that hold a UDP socket on port, read from
// /proc, as " (held by dhcrelay[1234])"; "" when it cannot tell.
func portOwner(port int) string {
	inodes := udpInodes(port)
	if len(inodes) == 0 {
		return ""
	}
	var owners []string
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	seen := map[string]bool{}
	for _, fd := range procs {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if !inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			continue
		}
		pid := strings.Split(fd, "/")[2]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		comm, _ := os.ReadFile("/proc/" + pid + "/comm")
		owners = append(owners, fmt.Sprintf("%s[%s]", strings.TrimSpace(string(comm)), pid))
	}
	if len(owners) == 0 {
		return ""
	}
	return " (held by " + strings.Join(owners, ", ") + ")"
}

// udpInodes returns the socket inodes bound to a local UDP port. It reads
// the calling thread's network namespace: /proc/net follows the thread-group
// leader's, which differs in tests that switch one thread's namespace.
func udpInodes(port int) map[string]bool {
	data, err := os.ReadFile("/proc/thread-self/net/udp")
	if err != nil {
		if data, err = os.ReadFile("/proc/net/udp"); err != nil {
			return nil
		}
	}
	want := fmt.Sprintf(":%04X", port)
	inodes := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 10 || !strings.HasSuffix(f[1], want) {
			continue
		}
		inodes[f[9]] = true
	}
	return inodes
}

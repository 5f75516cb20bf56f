package lab

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// RawSocket sends hand-built Ethernet frames out of one interface inside a
// namespace, through an AF_PACKET socket that receives nothing. Send may be
// called from several goroutines; the lab closes the socket when the test ends.
type RawSocket struct {
	l      *Lab
	ns     string
	ifname string

	mu sync.Mutex
	fd int // -1 once closed
}

// RawSocket opens a send-only AF_PACKET socket on ifname in ns.
func (l *Lab) RawSocket(ns, ifname string) *RawSocket {
	l.t.Helper()
	r := &RawSocket{l: l, ns: ns, ifname: ifname, fd: -1}
	err := InNS(ns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		// Protocol 0: the socket is bound to the interface for sending only, so
		// nothing queues up on it.
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			return err
		}
		r.fd = fd
		return nil
	})
	if err != nil {
		l.t.Fatalf("failed to open packet socket on %q in %s: %v", ifname, ns, err)
	}
	l.onClose(r.close)
	return r
}

// Send transmits frame as is (it must start with the Ethernet header).
func (r *RawSocket) Send(frame []byte) {
	r.l.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd < 0 {
		r.l.t.Fatalf("failed to send on %q in %s: socket closed", r.ifname, r.ns)
	}
	n, err := unix.Write(r.fd, frame)
	if err != nil {
		r.l.t.Fatalf("failed to send a %d-byte frame on %q in %s: %v", len(frame), r.ifname, r.ns, err)
	}
	if n != len(frame) {
		r.l.t.Fatalf("failed to send on %q in %s: wrote %d of %d bytes", r.ifname, r.ns, n, len(frame))
	}
}

// SendFrame marshals f and sends it.
func (r *RawSocket) SendFrame(f Frame) {
	r.l.t.Helper()
	b, err := f.Marshal()
	if err != nil {
		r.l.t.Fatalf("%v", err)
	}
	r.Send(b)
}

func (r *RawSocket) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd >= 0 {
		unix.Close(r.fd)
		r.fd = -1
	}
}

// SendUDP sends one UDP datagram from the address and port from (which must be
// an address of ns; port 67 is fine while nobody else binds that exact address
// and port) to to, from inside ns.
func (l *Lab) SendUDP(ns string, from, to netip.AddrPort, payload []byte) {
	l.t.Helper()
	err := InNS(ns, func() error {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(from))
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
			return err
		}
		_, err = c.WriteToUDPAddrPort(payload, to)
		return err
	})
	if err != nil {
		l.t.Fatalf("failed to send UDP %s → %s in %s: %v", from, to, ns, err)
	}
}

// String names the socket in messages.
func (r *RawSocket) String() string { return fmt.Sprintf("packet socket on %s", at(r.ns, r.ifname)) }

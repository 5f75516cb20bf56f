package lab

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"golang.org/x/sys/unix"
)

// listenPoll is how long one read of a Listener blocks before it looks at
// its deadline again.
const listenPoll = 100 * time.Millisecond

// Listener receives the IPv4 frames that arrive on one interface inside a
// namespace (whatever their destination MAC: a client without an address
// sees the relay's unicast replies to its chaddr), through an AF_PACKET
// socket of its own. Unlike a Capture it needs no tcpdump and hands each
// packet over as it comes, which suits a load loop that waits for each
// reply in turn. Its methods may be called from one goroutine at a time;
// the lab closes it when the test ends.
type Listener struct {
	l      *Lab
	ns     string
	ifname string

	mu sync.Mutex
	fd int // -1 once closed
}

// Listen opens a Listener on ifname in ns. Frames queue up from this call
// on.
func (l *Lab) Listen(ns, ifname string) *Listener {
	l.t.Helper()
	r := &Listener{l: l, ns: ns, ifname: ifname, fd: -1}
	proto := int(htons(unix.ETH_P_IP))
	err := InNS(ns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
		if err != nil {
			return err
		}
		tv := unix.NsecToTimeval(listenPoll.Nanoseconds())
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			unix.Close(fd)
			return err
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			return err
		}
		r.fd = fd
		return nil
	})
	if err != nil {
		l.t.Fatalf("failed to open a listening packet socket on %s: %v", at(ns, ifname), err)
	}
	l.onClose(r.close)
	return r
}

// errListenerClosed is returned by a Listener closed by the lab.
var errListenerClosed = errors.New("listener closed")

// Next returns the next IPv4/UDP frame that arrived (frames the namespace
// itself sent are skipped), decoded like a captured packet, or an error
// when none came before deadline. Frames that do not parse are skipped.
func (r *Listener) Next(deadline time.Time) (Packet, error) {
	buf := make([]byte, 65536)
	for time.Now().Before(deadline) {
		n, outgoing, err := r.read(buf)
		switch {
		case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return Packet{}, fmt.Errorf("failed to read on %s: %w", r, err)
		case outgoing:
			continue
		}
		f, err := ParseFrame(buf[:n])
		if err != nil {
			continue
		}
		p := Packet{Time: time.Now(), Frame: f}
		if d, err := dhcpv4.FromBytes(f.Payload); err == nil {
			p.DHCP = d
		}
		return p, nil
	}
	return Packet{}, fmt.Errorf("nothing more arrived on %s before the deadline", r)
}

// WaitFor returns the first packet that match accepts among those arriving
// within timeout (others are discarded), and reports whether one came.
func (r *Listener) WaitFor(timeout time.Duration, match func(Packet) bool) (Packet, bool) {
	deadline := time.Now().Add(timeout)
	for {
		p, err := r.Next(deadline)
		if err != nil {
			return Packet{}, false
		}
		if match(p) {
			return p, true
		}
	}
}

// read reads one frame and says whether it was one the interface sent.
func (r *Listener) read(buf []byte) (int, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd < 0 {
		return 0, false, errListenerClosed
	}
	n, from, err := unix.Recvfrom(r.fd, buf, 0)
	if err != nil {
		return 0, false, err
	}
	ll, ok := from.(*unix.SockaddrLinklayer)
	return n, ok && ll.Pkttype == unix.PACKET_OUTGOING, nil
}

func (r *Listener) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd >= 0 {
		unix.Close(r.fd)
		r.fd = -1
	}
}

// String names the listener in messages.
func (r *Listener) String() string {
	return fmt.Sprintf("listening packet socket on %s", at(r.ns, r.ifname))
}

// htons converts a 16-bit value to network byte order.
func htons(v uint16) uint16 { return v<<8 | v>>8 }

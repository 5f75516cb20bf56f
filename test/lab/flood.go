package lab

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"golang.org/x/sys/unix"
)

// floodTick is how often a Flood sends its next batch of frames.
const floodTick = 10 * time.Millisecond

// Flood is a DHCPDISCOVER flood from a fresh, locally administered MAC per
// frame, that MAC both the Ethernet source and chaddr: the starvation attack
// that a check of chaddr against the source and a per-MAC limit cannot catch,
// which only a per-interface limit bounds. It sends from its own goroutine
// until Stop or its duration ends.
type Flood struct {
	done chan struct{}
	stop chan struct{}
	once sync.Once

	// sent and err are valid once done is closed.
	sent int
	err  error
}

// StartFlood sends DISCOVERs out of ifname in ns at about rate frames a second
// for at most d, each from a new MAC.
func (l *Lab) StartFlood(ns, ifname string, rate int, d time.Duration) *Flood {
	l.t.Helper()
	f := l.startFlood(ns, ifname, rate, d, floodFrame)
	l.t.Logf("started a DISCOVER flood of %d/s from random MACs on %s for %s", rate, at(ns, ifname), d)
	return f
}

// StartUDPFlood sends UDP broadcasts from src to 255.255.255.255:port out of
// ifname in ns at about rate frames a second for at most d, each from a new
// MAC (02:f2:…): a broadcast storm on a forwarded port.
func (l *Lab) StartUDPFlood(ns, ifname string, rate int, d time.Duration, src netip.Addr, port uint16) *Flood {
	l.t.Helper()
	f := l.startFlood(ns, ifname, rate, d, func(n uint32) ([]byte, error) {
		mac := net.HardwareAddr{0x02, 0xf2, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
		return Frame{
			DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, SrcMAC: mac,
			Src: netip.AddrPortFrom(src, 40000), Dst: netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), port),
			Payload: []byte("flood"),
		}.Marshal()
	})
	l.t.Logf("started a UDP broadcast flood to port %d of %d/s from random MACs on %s for %s", port, rate, at(ns, ifname), d)
	return f
}

// startFlood sends frame(0), frame(1), … out of ifname in ns.
func (l *Lab) startFlood(ns, ifname string, rate int, d time.Duration, frame func(n uint32) ([]byte, error)) *Flood {
	l.t.Helper()
	var fd int
	err := InNS(ns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			return err
		}
		return nil
	})
	if err != nil {
		l.t.Fatalf("failed to open packet socket on %q in %s: %v", ifname, ns, err)
	}
	f := &Flood{done: make(chan struct{}), stop: make(chan struct{})}
	go func() {
		defer close(f.done)
		defer unix.Close(fd)
		f.sent, f.err = floodLoop(fd, rate, d, f.stop, frame)
		if f.err != nil {
			f.err = fmt.Errorf("flood on %s: %w", at(ns, ifname), f.err)
		}
	}()
	l.onClose(func() { f.Stop() })
	return f
}

// floodLoop sends the frames until stop is closed or d has passed, and
// returns how many it sent.
func floodLoop(fd, rate int, d time.Duration, stop <-chan struct{}, frame func(n uint32) ([]byte, error)) (int, error) {
	perTick := max(1, rate*int(floodTick)/int(time.Second))
	tick := time.NewTicker(floodTick)
	defer tick.Stop()
	end := time.After(d)
	sent := 0
	for {
		select {
		case <-stop:
			return sent, nil
		case <-end:
			return sent, nil
		case <-tick.C:
		}
		for range perTick {
			b, err := frame(uint32(sent))
			if err != nil {
				return sent, err
			}
			if _, err := unix.Write(fd, b); err != nil {
				if errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.EAGAIN) {
					continue
				}
				return sent, fmt.Errorf("failed to send frame %d: %w", sent, err)
			}
			sent++
		}
	}
}

// floodFrame is DISCOVER number n: MAC 02:f1:NN:NN:NN:NN as source and chaddr.
func floodFrame(n uint32) ([]byte, error) {
	mac := net.HardwareAddr{0x02, 0xf1, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	d, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeDiscover), dhcpv4.WithTransactionID(XID(n)), dhcpv4.WithHwAddr(mac))
	if err != nil {
		return nil, fmt.Errorf("failed to build DISCOVER %d: %w", n, err)
	}
	return BroadcastFromClient(mac, d.ToBytes()).Marshal()
}

// Stop ends the flood, waits for its goroutine and returns how many frames
// it sent and the error that ended it early, if any. It may be called more
// than once.
func (f *Flood) Stop() (int, error) {
	f.once.Do(func() { close(f.stop) })
	<-f.done
	return f.sent, f.err
}

// Exited reports whether the flood has ended.
func (f *Flood) Exited() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}

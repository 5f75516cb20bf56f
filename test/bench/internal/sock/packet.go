package sock

import (
	"fmt"
	"net"
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// PacketConfig configures ListenPacket.
type PacketConfig struct {
	// Interface is the interface to bind to.
	Interface string
	// Filter is a classic BPF program run on each incoming frame (from its
	// Ethernet header on); nil accepts every IPv4 frame.
	Filter []bpf.Instruction
	// Promiscuous adds a PACKET_MR_PROMISC membership, so frames to other
	// MAC addresses (unicast replies to emulated clients) are received. It
	// ends when the socket is closed.
	Promiscuous bool
	// ReadBuffer is the receive buffer to ask for, in bytes (0: the kernel
	// default).
	ReadBuffer int
	// ReadTimeout bounds each receive call (0: block forever).
	ReadTimeout time.Duration
}

// Packet is an AF_PACKET SOCK_RAW socket for IPv4 frames on one interface.
type Packet struct {
	fd      int
	ifindex int
	name    string
}

// ListenPacket opens a packet socket as cfg says. The filter is attached
// before the socket is bound, so no frame it rejects is ever queued.
func ListenPacket(cfg PacketConfig) (*Packet, error) {
	ifi, err := net.InterfaceByName(cfg.Interface)
	if err != nil {
		return nil, fmt.Errorf("failed to find interface %q: %w", cfg.Interface, err)
	}
	// Protocol 0 until bind: the socket receives nothing before its filter.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("failed to open packet socket on %q: %w", cfg.Interface, err)
	}
	p := &Packet{fd: fd, ifindex: ifi.Index, name: ifi.Name}
	if err := p.setup(cfg); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("failed to set up packet socket on %q: %w", cfg.Interface, err)
	}
	return p, nil
}

func (p *Packet) setup(cfg PacketConfig) error {
	if cfg.Filter != nil {
		if err := attachFilter(p.fd, cfg.Filter); err != nil {
			return err
		}
	}
	if err := setCommon(p.fd, cfg.ReadBuffer, cfg.ReadTimeout); err != nil {
		return err
	}
	// Frames are sent as they are built; a veth has no queue worth keeping.
	_ = unix.SetsockoptInt(p.fd, unix.SOL_PACKET, unix.PACKET_QDISC_BYPASS, 1)
	if cfg.Promiscuous {
		mreq := unix.PacketMreq{Ifindex: int32(p.ifindex), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(p.fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			return fmt.Errorf("PACKET_ADD_MEMBERSHIP: %w", err)
		}
	}
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: p.ifindex}
	if err := unix.Bind(p.fd, sa); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	return nil
}

// FD returns the socket's descriptor, for package mmsg.
func (p *Packet) FD() int { return p.fd }

// Name returns the interface's name.
func (p *Packet) Name() string { return p.name }

// Stats returns the kernel's counts of frames queued to the socket and
// dropped for want of buffer space since the previous call (the kernel
// resets them on each read).
func (p *Packet) Stats() (received, dropped uint64, err error) {
	st, err := unix.GetsockoptTpacketStats(p.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return 0, 0, fmt.Errorf("failed to read packet socket statistics on %q: %w", p.name, err)
	}
	return uint64(st.Packets), uint64(st.Drops), nil
}

// Close closes the socket.
func (p *Packet) Close() error { return unix.Close(p.fd) }

// htons converts a short from host to network byte order.
func htons(v uint16) uint16 { return v<<8 | v>>8 }

package sock

import (
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// UDPConfig configures ListenUDP.
type UDPConfig struct {
	// Addr is the local address and port to bind to (0.0.0.0:67 for a
	// server that also sees broadcasts).
	Addr netip.AddrPort
	// Device, when set, binds the socket to that interface
	// (SO_BINDTODEVICE): its broadcasts then leave through it.
	Device string
	// ReadBuffer and ReadTimeout are as in PacketConfig.
	ReadBuffer  int
	ReadTimeout time.Duration
}

// ListenUDP opens a blocking IPv4 UDP socket that may send broadcasts and
// returns its descriptor.
func ListenUDP(cfg UDPConfig) (int, error) {
	if !cfg.Addr.Addr().Is4() {
		return -1, fmt.Errorf("failed to open udp socket: %s is not an IPv4 address", cfg.Addr)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("failed to open udp socket on %s: %w", cfg.Addr, err)
	}
	if err := setupUDP(fd, cfg); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("failed to set up udp socket on %s: %w", cfg.Addr, err)
	}
	return fd, nil
}

func setupUDP(fd int, cfg UDPConfig) error {
	for _, o := range []int{unix.SO_REUSEADDR, unix.SO_BROADCAST} {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, o, 1); err != nil {
			return fmt.Errorf("setsockopt %d: %w", o, err)
		}
	}
	if cfg.Device != "" {
		if err := unix.BindToDevice(fd, cfg.Device); err != nil {
			return fmt.Errorf("SO_BINDTODEVICE %q: %w", cfg.Device, err)
		}
	}
	if err := setCommon(fd, cfg.ReadBuffer, cfg.ReadTimeout); err != nil {
		return err
	}
	sa := &unix.SockaddrInet4{Port: int(cfg.Addr.Port()), Addr: cfg.Addr.Addr().As4()}
	if err := unix.Bind(fd, sa); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	return nil
}

package iface

import (
	"net"
	"time"
)

// FrameConn is what the relay needs of a link-layer socket: read and write
// whole Ethernet frames. *PacketConn implements it; package ifacetest has an
// in-memory implementation for tests.
//
// ReadFrame is called by one goroutine at a time; the other methods may be
// called concurrently with it and with each other.
type FrameConn interface {
	// ReadFrame reads the next frame into b; see PacketConn.ReadFrame.
	ReadFrame(b []byte) (n int, info FrameInfo, err error)
	// WriteFrame sends a whole Ethernet frame; see PacketConn.WriteFrame.
	WriteFrame(frame []byte, dst net.HardwareAddr) error
	// SetReadDeadline bounds blocked and future ReadFrame calls.
	SetReadDeadline(t time.Time) error
	// Close closes the socket, unblocking ReadFrame; it is idempotent.
	Close() error
}

package iface

import (
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A PacketConn under load can receive into a TPACKET_V2 ring (packet(7),
// PACKET_RX_RING) instead of its socket queue: the kernel writes each
// frame into memory shared with the relay, in the sender's context, and
// the relay reads it there. A read then costs neither a system call nor
// the kernel's per-frame copy, cmsg and skb free on the relay's side:
// measured at 8,000 DORA/s, 11 % of the relay's CPU. The ring is
// allocated up front (RingBytes), so it is set up only on a socket that
// polls (see relay/pace), and kept until the socket closes: tearing a ring
// down loses the frames the kernel writes meanwhile (see EnableRing for
// how one is set up without losing any).
const (
	// ringFrameSize is a ring slot: the frame's header (tpacket2_hdr and
	// sockaddr_ll, 66 bytes before the Ethernet header) and the frame.
	ringFrameSize = 2048
	// ringMaxMTU is the largest MTU whose frames (with an Ethernet header
	// and an 802.1Q tag) a slot holds whole.
	ringMaxMTU = ringFrameSize - 66 - 14 - 4
	// ringBlockSize is one contiguous block of slots.
	ringBlockSize = 1 << 16
	// ringBlocks makes a ring of 2,048 frames, 4 MiB: DefaultReadBuffer's
	// room, about 50 ms of a 40,000 frames/s storm.
	ringBlocks = 64
	// RingBytes is the memory one ring takes.
	RingBytes  = ringBlockSize * ringBlocks
	ringFrames = ringBlockSize / ringFrameSize * ringBlocks
	ringSllOff = 32 // TPACKET_ALIGN(sizeof(struct tpacket2_hdr))
)

// ErrRingUnsuited is returned by EnableRing on an interface whose frames
// may not fit a ring slot (an MTU above 1,964 bytes): the socket keeps
// reading from its queue.
var ErrRingUnsuited = errors.New("interface MTU too large for a receive ring")

// rxRing is a mapped TPACKET_V2 receive ring; it is read by the one
// reading goroutine, under PacketConn.rmu.
type rxRing struct {
	mem  []byte
	next int // the slot the next frame is in
}

// newRxRing switches the socket to TPACKET_V2 and maps a ring on it.
func newRxRing(raw syscall.RawConn) (*rxRing, error) {
	var (
		mem  []byte
		serr error
	)
	err := raw.Control(func(fd uintptr) {
		if serr = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V2); serr != nil {
			serr = fmt.Errorf("PACKET_VERSION: %w", serr)
			return
		}
		req := unix.TpacketReq{Block_size: ringBlockSize, Block_nr: ringBlocks, Frame_size: ringFrameSize, Frame_nr: ringFrames}
		if serr = unix.SetsockoptTpacketReq(int(fd), unix.SOL_PACKET, unix.PACKET_RX_RING, &req); serr != nil {
			serr = fmt.Errorf("PACKET_RX_RING: %w", serr)
			return
		}
		if mem, serr = unix.Mmap(int(fd), 0, RingBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); serr != nil {
			serr = fmt.Errorf("mmap: %w", serr)
		}
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}
	return &rxRing{mem: mem}, nil
}

// take copies the next frame of the ring into b and hands its slot back
// to the kernel; it reports false when the kernel has not filled the slot.
// A frame longer than b or than a slot is cut and reported truncated.
func (r *rxRing) take(b []byte) (int, FrameInfo, bool) {
	off := r.next * ringFrameSize
	slot := r.mem[off : off+ringFrameSize : off+ringFrameSize]
	h := (*unix.Tpacket2Hdr)(unsafe.Pointer(&slot[0]))
	status := atomic.LoadUint32(&h.Status) // the kernel sets it last
	if status&unix.TP_STATUS_USER == 0 {
		return 0, FrameInfo{}, false
	}
	var from unix.RawSockaddrLinklayer
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&from)), unix.SizeofSockaddrLinklayer), slot[ringSllOff:])
	start := min(int(h.Mac), ringFrameSize)
	end := min(start+int(h.Snaplen), ringFrameSize)
	n := copy(b, slot[start:end])
	info := FrameInfo{
		IfIndex:          int(from.Ifindex),
		Type:             PacketType(from.Pkttype),
		ChecksumNotReady: status&unix.TP_STATUS_CSUMNOTREADY != 0,
		ChecksumValid:    status&unix.TP_STATUS_CSUM_VALID != 0,
		VLANValid:        status&unix.TP_STATUS_VLAN_VALID != 0,
		Len:              int(h.Len),
		Truncated:        n < int(h.Len),
	}
	if info.VLANValid {
		info.VLANTCI = h.Vlan_tci
	}
	atomic.StoreUint32(&h.Status, unix.TP_STATUS_KERNEL)
	r.next = (r.next + 1) % ringFrames
	return n, info, true
}

// unmap releases the ring's mapping; the socket must be closed or no
// longer read.
func (r *rxRing) unmap() error { return unix.Munmap(r.mem) }

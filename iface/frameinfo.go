package iface

import (
	"encoding/binary"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PacketType is the kernel's classification of a received frame
// (sll_pkttype in packet(7)).
type PacketType uint8

// Packet types a PacketConn may report. Its filter passes only the first
// three.
const (
	PacketHost      PacketType = unix.PACKET_HOST      // unicast to this host
	PacketBroadcast PacketType = unix.PACKET_BROADCAST // link-layer broadcast
	PacketMulticast PacketType = unix.PACKET_MULTICAST // link-layer multicast
	PacketOtherHost PacketType = unix.PACKET_OTHERHOST // unicast to another host
	PacketOutgoing  PacketType = unix.PACKET_OUTGOING  // sent by this host
)

// String returns the type's name in packet(7), lower case, e.g. "broadcast".
func (t PacketType) String() string {
	switch t {
	case PacketHost:
		return "host"
	case PacketBroadcast:
		return "broadcast"
	case PacketMulticast:
		return "multicast"
	case PacketOtherHost:
		return "otherhost"
	case PacketOutgoing:
		return "outgoing"
	default:
		return "type" + strconv.Itoa(int(t))
	}
}

// FrameInfo is what the kernel says about a received frame beside its bytes.
type FrameInfo struct {
	// IfIndex is the index of the interface the frame arrived on.
	IfIndex int

	// Type says whether the frame was unicast to this host, broadcast, ...
	Type PacketType

	// ChecksumNotReady reports that the frame's transport checksum was never
	// computed (TP_STATUS_CSUMNOTREADY, ip_summed == CHECKSUM_PARTIAL): the
	// UDP checksum field holds only the pseudo-header sum. This is normal for
	// frames sent by a local stack across veth and other virtual links;
	// ParseUDP4 then skips the UDP checksum check.
	ChecksumNotReady bool

	// ChecksumValid reports that the kernel or the NIC verified the
	// transport checksum (TP_STATUS_CSUM_VALID).
	ChecksumValid bool

	// VLANValid reports that the kernel took an 802.1Q tag off the frame;
	// VLANTCI then holds the tag's TCI (priority, DEI and VLAN ID).
	VLANValid bool
	VLANTCI   uint16

	// Len is the frame's length before any truncation to the read buffer;
	// Truncated reports that the buffer was too small for it.
	Len       int
	Truncated bool
}

// sizeofAuxdata is the size of struct tpacket_auxdata.
const sizeofAuxdata = int(unsafe.Sizeof(unix.TpacketAuxdata{}))

// oobSize is enough control-message space for one tpacket_auxdata.
var oobSize = unix.CmsgSpace(sizeofAuxdata)

// parseControl fills info from the control messages of one recvmsg(2) call,
// which should hold a PACKET_AUXDATA message. It ignores other messages and
// anything malformed.
func parseControl(oob []byte, info *FrameInfo) {
	hdrLen := unix.CmsgLen(0) // aligned header length: where data starts
	for len(oob) >= hdrLen {
		msgLen, level, typ := cmsgHeader(oob)
		if msgLen < hdrLen || msgLen > len(oob) {
			return
		}
		if level == unix.SOL_PACKET && typ == unix.PACKET_AUXDATA {
			parseAuxdata(oob[hdrLen:msgLen], info)
		}
		next := unix.CmsgSpace(msgLen - hdrLen)
		if next > len(oob) {
			return
		}
		oob = oob[next:]
	}
}

// cmsgHeader decodes a struct cmsghdr, whose length field is as wide as a
// pointer.
func cmsgHeader(b []byte) (msgLen, level, typ int) {
	ne := binary.NativeEndian
	if unix.SizeofCmsghdr == 16 {
		n := ne.Uint64(b)
		if n > uint64(len(b)) {
			return -1, 0, 0
		}
		return int(n), int(int32(ne.Uint32(b[8:]))), int(int32(ne.Uint32(b[12:])))
	}
	return int(ne.Uint32(b)), int(int32(ne.Uint32(b[4:]))), int(int32(ne.Uint32(b[8:])))
}

// parseAuxdata fills info from a struct tpacket_auxdata.
func parseAuxdata(b []byte, info *FrameInfo) {
	if len(b) < sizeofAuxdata {
		return
	}
	ne := binary.NativeEndian
	status := ne.Uint32(b[0:4])
	info.Len = int(ne.Uint32(b[4:8]))
	info.ChecksumNotReady = status&unix.TP_STATUS_CSUMNOTREADY != 0
	info.ChecksumValid = status&unix.TP_STATUS_CSUM_VALID != 0
	info.VLANValid = status&unix.TP_STATUS_VLAN_VALID != 0
	info.VLANTCI = 0 // a TCI only with VLAN_VALID, never one of an earlier message
	if info.VLANValid {
		info.VLANTCI = ne.Uint16(b[16:18])
	}
}

package wire

// Offsets of the fixed BOOTP header fields (RFC 951, RFC 2131 §2).
const (
	OffOp      = 0   // op: 1 BOOTREQUEST, 2 BOOTREPLY
	OffHType   = 1   // htype: hardware address type (1 Ethernet)
	OffHLen    = 2   // hlen: hardware address length
	OffHops    = 3   // hops: relay agents passed
	OffXID     = 4   // xid, 4 bytes
	OffSecs    = 8   // secs, 2 bytes
	OffFlags   = 10  // flags, 2 bytes; bit 15 is BROADCAST
	OffCIAddr  = 12  // ciaddr, 4 bytes
	OffYIAddr  = 16  // yiaddr, 4 bytes
	OffSIAddr  = 20  // siaddr, 4 bytes
	OffGIAddr  = 24  // giaddr, 4 bytes
	OffCHAddr  = 28  // chaddr, 16 bytes
	OffSName   = 44  // sname, 64 bytes
	OffFile    = 108 // file, 128 bytes
	OffCookie  = 236 // DHCP magic cookie, 4 bytes
	OffOptions = 240 // first option
)

// Field sizes and message size limits.
const (
	// CHAddrLen is the size of the chaddr field, and so the largest valid hlen.
	CHAddrLen = 16
	// SNameLen is the size of the sname field.
	SNameLen = 64
	// FileLen is the size of the file field.
	FileLen = 128
	// HeaderLen is the size of the fixed BOOTP header, everything before the
	// vendor area: the shortest message Validate accepts.
	HeaderLen = OffCookie
	// MinMessageLen is the smallest BOOTP message (236-byte header plus the
	// 64-byte vendor area, RFC 951); relays pad to it (RFC 1542 §2.1).
	MinMessageLen = 300
)

// MagicCookie is the DHCP magic cookie 99.130.83.99 (RFC 2131 §3) that
// starts the options field.
const MagicCookie uint32 = 0x63825363

// FlagBroadcast is the BROADCAST bit of the flags field (RFC 2131 §2).
const FlagBroadcast uint16 = 0x8000

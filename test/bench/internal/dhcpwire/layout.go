package dhcpwire

// Offsets of the fixed BOOTP fields (RFC 951, RFC 2131 §2) from the start of
// the message.
const (
	offOp     = 0
	offHType  = 1
	offHLen   = 2
	offHops   = 3
	offXID    = 4
	offSecs   = 8
	offFlags  = 10
	offCIAddr = 12
	offYIAddr = 16
	offSIAddr = 20
	offGIAddr = 24
	offCHAddr = 28
	offCookie = 236
	offOpts   = 240
)

// Sizes of the headers and of a BOOTP message.
const (
	ethLen  = 14
	ipLen   = 20
	udpLen  = 8
	hdrsLen = ethLen + ipLen + udpLen
	// minBOOTP is the size every message is padded to: RFC 951's 300 bytes,
	// which old relays and servers still expect.
	minBOOTP = 300
	// MaxFrame is the largest frame Build* writes: headers plus a padded
	// message (the messages are far below it).
	MaxFrame = hdrsLen + minBOOTP
)

// BOOTP op codes.
const (
	opRequest = 1
	opReply   = 2
)

// DHCP message types (option 53, RFC 2132 §9.6).
const (
	TypeDiscover byte = 1
	TypeOffer    byte = 2
	TypeRequest  byte = 3
	TypeDecline  byte = 4
	TypeAck      byte = 5
	TypeNak      byte = 6
	TypeRelease  byte = 7
	TypeInform   byte = 8
)

// Option codes used here (RFC 2132, RFC 3046).
const (
	optPad         = 0
	optSubnetMask  = 1
	optRouter      = 3
	optRequestedIP = 50
	optLeaseTime   = 51
	optMsgType     = 53
	optServerID    = 54
	optParams      = 55
	optMaxSize     = 57
	optClientID    = 61
	optAgentInfo   = 82
	optEnd         = 255
)

// magicCookie starts the options of a DHCP message (RFC 2131 §3).
var magicCookie = [4]byte{99, 130, 83, 99}

// Ports (RFC 2131 §4.1).
const (
	PortServer = 67
	PortClient = 68
)

// flagBroadcast is the BROADCAST bit of the flags field (RFC 2131 §2).
const flagBroadcast = 0x8000

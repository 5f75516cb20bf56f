package wire

// Option codes the relay works with (RFC 2132, RFC 3046).
const (
	OptPad            byte = 0   // pad: one byte, no length
	OptOverload       byte = 52  // option overload: sname/file hold options
	OptMessageType    byte = 53  // DHCP message type
	OptServerID       byte = 54  // server identifier
	OptMaxMessageSize byte = 57  // maximum DHCP message size the client accepts
	OptRelayAgentInfo byte = 82  // relay agent information (RFC 3046)
	OptEnd            byte = 255 // end: one byte, no length
)

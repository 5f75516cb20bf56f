package dhcpwire

// RequestFrame returns the BOOTP message carried by an Ethernet frame to UDP
// port 67 (what a relay or server receives from a client), checking every
// length. It does not allocate; the result points into frame.
func RequestFrame(frame []byte) ([]byte, error) {
	return udpPayload(frame, PortServer)
}

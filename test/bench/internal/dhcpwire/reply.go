package dhcpwire

import "encoding/binary"

// Reply is what an emulated client takes from a server's reply.
type Reply struct {
	// Type is the DHCP message type (TypeOffer, TypeAck, TypeNak, …).
	Type byte
	// XID is the transaction ID.
	XID uint32
	// CHAddr is the first six bytes of chaddr.
	CHAddr [6]byte
	// YIAddr is the offered or assigned address.
	YIAddr [4]byte
	// ServerID is option 54; zero when absent.
	ServerID [4]byte
}

// ParseReplyFrame parses an Ethernet frame carrying a BOOTREPLY to UDP port
// 68 into r. It checks every length, accepts no IPv4 fragment, and does not
// allocate. r is overwritten only in part on error.
func ParseReplyFrame(frame []byte, r *Reply) error {
	payload, err := udpPayload(frame, PortClient)
	if err != nil {
		return err
	}
	return ParseReply(payload, r)
}

// ParseReply parses a BOOTREPLY message (the UDP payload) into r.
func ParseReply(msg []byte, r *Reply) error {
	if len(msg) < offOpts {
		return ErrTruncated
	}
	if msg[offOp] != opReply {
		return ErrWrongOp
	}
	r.XID = binary.BigEndian.Uint32(msg[offXID:])
	r.CHAddr = [6]byte(msg[offCHAddr : offCHAddr+6])
	r.YIAddr = [4]byte(msg[offYIAddr : offYIAddr+4])
	r.Type, r.ServerID = 0, [4]byte{}
	err := scanOptions(msg, func(code byte, _, data []byte) bool {
		switch {
		case code == optMsgType && len(data) == 1:
			r.Type = data[0]
		case code == optServerID && len(data) == 4:
			r.ServerID = [4]byte(data)
		}
		return true
	})
	if err != nil {
		return err
	}
	if r.Type == 0 {
		return ErrNoType
	}
	return nil
}

// udpPayload returns the UDP payload of an Ethernet/IPv4/UDP frame whose
// destination port is port.
func udpPayload(frame []byte, port uint16) ([]byte, error) {
	if len(frame) < ethLen+ipLen {
		return nil, ErrTruncated
	}
	if binary.BigEndian.Uint16(frame[12:]) != 0x0800 {
		return nil, ErrNotIPv4UDP
	}
	ip := frame[ethLen:]
	ihl := int(ip[0]&0x0f) * 4
	if ip[0]>>4 != 4 || ihl < ipLen || ip[9] != 17 {
		return nil, ErrNotIPv4UDP
	}
	if binary.BigEndian.Uint16(ip[6:])&0x3fff != 0 {
		return nil, ErrFragment
	}
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if total < ihl+udpLen || total > len(ip) {
		return nil, ErrTruncated
	}
	udp := ip[ihl:total]
	if binary.BigEndian.Uint16(udp[2:]) != port {
		return nil, ErrWrongPort
	}
	ulen := int(binary.BigEndian.Uint16(udp[4:]))
	if ulen < udpLen || ulen > len(udp) {
		return nil, ErrTruncated
	}
	return udp[udpLen:ulen], nil
}

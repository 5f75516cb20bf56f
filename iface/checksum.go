package iface

import "encoding/binary"

// sum adds b to the running 32-bit sum of 16-bit big-endian words used by
// the Internet checksum (RFC 1071). An odd trailing byte counts as the high
// byte of a word padded with zero.
func sum(acc uint64, b []byte) uint64 {
	for len(b) >= 8 {
		acc += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	return acc
}

// fold reduces a running sum to 16 bits with end-around carry.
func fold(acc uint64) uint16 {
	for acc>>16 != 0 {
		acc = acc&0xffff + acc>>16
	}
	return uint16(acc)
}

// checksum is the Internet checksum of b: the one's complement of the one's
// complement sum of its words.
func checksum(b []byte) uint16 { return ^fold(sum(0, b)) }

// pseudoHeaderSum is the running sum of the IPv4 pseudo-header of a UDP
// datagram (RFC 768): source and destination address, protocol and UDP
// length.
func pseudoHeaderSum(src, dst [4]byte, udpLen int) uint64 {
	acc := sum(0, src[:])
	acc = sum(acc, dst[:])
	return acc + protoUDP + uint64(udpLen)
}

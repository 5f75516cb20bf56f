// Package responder is the benchmark's upstream DHCP server: stateless and
// fast, so that the relay, not the server, is what a relay benchmark
// measures. It answers every DISCOVER with an OFFER and every REQUEST with an
// ACK, sent to giaddr:67 for a relayed request (or broadcast to port 68 when
// giaddr is 0, for the no-relay baseline). The address it gives is derived
// from chaddr, so it keeps no lease; option 82 is echoed verbatim (RFC 3046
// §2.2), so a relay's reply check passes; the server identifier is its own
// address. Requests are read and replies sent in batches (recvmmsg,
// sendmmsg) into buffers allocated once.
package responder

// Package option82 encodes and strictly decodes the DHCP relay agent
// information option (option 82, RFC 3046) and the sub-options the relay
// uses: circuit-id and remote-id (RFC 3046), link-selection (RFC 3527),
// subscriber-id (RFC 3993), relay agent flags (RFC 5010) and
// server-identifier-override (RFC 5107).
//
// Decoding works on the option's data (the bytes after code 82 and its
// length) and never allocates: Scanner walks the sub-options, Lookup finds
// one, Validate checks them all. Data longer than 255 bytes arrives split
// across several option-82 instances (RFC 3396); Gather concatenates them
// into a caller's scratch buffer first. Parse is the allocating convenience
// for tests and tools.
//
// Builder encodes a complete option 82 (code, length, sub-options) into a
// caller's buffer; the relay builds its per-interface option once and
// inserts the bytes with wire.InsertBeforeEnd.
//
// The package holds no state; everything is safe for concurrent use on
// different buffers.
package option82

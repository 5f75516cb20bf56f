// Package wire is the binary message format between the two nodes of a
// failover pair (docs/failover.md, "Between the nodes").
//
// Every message travels in one frame:
//
//	magic "IPHF" (4 bytes) | version (1) | type (1) | body length (4, big-endian) | body
//
// The version is Version (1); a frame of another version is refused with an
// error that wraps ErrVersion, so the connection can report what the partner
// speaks. The body is at most MaxBody bytes. Every length inside a body is
// checked, a body must be consumed exactly, and booleans are 0 or 1, so a
// frame that parses re-encodes to the same bytes.
//
// Times are never absolute on the wire: a binding carries the seconds that
// remain of it and the seconds since it changed, each node keeping its own
// clock for its own records.
//
// Append encodes into a caller's buffer; Parse decodes from a buffer and Read
// from a stream. Decoding allocates only what the message holds (its byte
// slices and strings, which never alias the input). The package holds no
// state and is safe for concurrent use on different buffers.
package wire

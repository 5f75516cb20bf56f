// Package peer is the authenticated connection between the two nodes of a
// failover pair (docs/failover.md, "Between the nodes").
//
// A Peer listens on the pair link and dials its partner, with backoff, and
// keeps at most one live connection. Every connection is TLS 1.3 and is
// authenticated before any of the partner's messages is read, by one of:
//
//   - certificates (CertAuth, LoadCertAuth): each side presents its
//     certificate and verifies the other's chain against the pair's CA. The
//     names in the certificates are not checked: the CA is the pair's own.
//   - a pre-shared key (PSKAuth, LoadKeyFile): TLS runs with an ephemeral
//     self-signed certificate that nobody verifies, and then each side sends
//     HMAC-SHA256(key, role label || TLS exporter of the session, RFC 5705)
//     and checks the other's in constant time. The proof is bound to the TLS
//     session, so a relay in the middle, which holds two sessions, cannot
//     pass it on. The dialing side proves first.
//
// Then each side sends its wire.Hello (the dialing side first); a partner
// that speaks another wire version or has the same role is refused. Refusals
// are logged and counted (Counters).
//
// When two authenticated connections meet (both nodes dialed at once, or
// the partner reconnects before this node noticed the old connection die),
// both nodes keep the same one: the newer connection replaces the live one,
// except that a connection dialed by the primary is never replaced by one
// dialed by the secondary. A node dials only while it has no live
// connection, so a replaced connection is one its dialer gave up on.
//
// Events reach a Handler on one goroutine, never concurrently: Up with the
// partner's Hello, each Message (heartbeats are not passed on), Down with
// the reason. Send queues a message for the live connection without
// blocking. Heartbeats go out every Config.Heartbeat; a connection that
// brings no message for Config.MaxResponseDelay is closed.
package peer

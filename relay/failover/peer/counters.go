package peer

import "sync/atomic"

// Counters is a snapshot of a Peer's counters, each since New.
type Counters struct {
	Accepted        uint64 // connections accepted from the network
	Dialed          uint64 // connections dialed that the network completed
	DialFailed      uint64 // dials that failed
	AuthFailed      uint64 // connections refused in TLS or the key proof
	VersionMismatch uint64 // partners refused for their wire version
	Refused         uint64 // other refusals: same role, bad Hello, too many handshakes at once
	Up              uint64 // connections authenticated and made live
	Replaced        uint64 // live connections replaced by a newer one
	Kept            uint64 // authenticated connections closed because the live one wins
	Disconnects     uint64 // live connections that ended
	Timeouts        uint64 // of those, for no message within MaxResponseDelay
	MessagesIn      uint64 // messages read, heartbeats included
	MessagesOut     uint64 // messages written, heartbeats included
	QueueFull       uint64 // Send refused with ErrQueueFull
}

type counters struct {
	accepted, dialed, dialFailed, authFailed, versionMismatch, refused atomic.Uint64
	up, replaced, kept, disconnects, timeouts                          atomic.Uint64
	messagesIn, messagesOut, queueFull                                 atomic.Uint64
}

func (c *counters) snapshot() Counters {
	return Counters{
		Accepted: c.accepted.Load(), Dialed: c.dialed.Load(), DialFailed: c.dialFailed.Load(),
		AuthFailed: c.authFailed.Load(), VersionMismatch: c.versionMismatch.Load(), Refused: c.refused.Load(),
		Up: c.up.Load(), Replaced: c.replaced.Load(), Kept: c.kept.Load(),
		Disconnects: c.disconnects.Load(), Timeouts: c.timeouts.Load(),
		MessagesIn: c.messagesIn.Load(), MessagesOut: c.messagesOut.Load(), QueueFull: c.queueFull.Load(),
	}
}

package dora

import "sync/atomic"

// Phases of a client's transaction, in the low bits of its state word.
const (
	phaseIdle  = 0
	phaseOffer = 1 // DISCOVER sent, waiting for the OFFER
	phaseAck   = 2 // REQUEST sent, waiting for the ACK
	phaseMask  = 3
)

// client is one emulated client. Its state word holds the current
// transaction's xid in the high 32 bits and its phase in the low bits; every
// change of phase is a compare-and-swap, so the receiver (OFFER, ACK) and the
// pacer (timeout) never both finish a transaction.
type client struct {
	state   atomic.Uint64
	started atomic.Int64 // when the DISCOVER was sent (ns since the run's base)
	reqSent atomic.Int64 // when the REQUEST was sent
	gen     uint16       // owned by the pacer: it alone starts transactions
	mac     [6]byte
}

// word packs an xid and a phase into a state word.
func word(xid uint32, phase uint64) uint64 { return uint64(xid)<<32 | phase }

// xidOf and phaseOf unpack a state word.
func xidOf(w uint64) uint32   { return uint32(w >> 32) }
func phaseOf(w uint64) uint64 { return w & phaseMask }

// clientMAC is the MAC address of client i: locally administered, unicast,
// 02:62:00:00 followed by i.
func clientMAC(i int) [6]byte {
	return [6]byte{0x02, 0x62, 0, 0, byte(i >> 8), byte(i)}
}

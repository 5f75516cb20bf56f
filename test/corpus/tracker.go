package corpus

import (
	"encoding/binary"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// The input of relay/health's FuzzTracker: a configuration byte, then pairs
// of an operation byte and a clock byte. The operation is op%3 (0 Forwarded,
// 1 Answered, 2 Expire) on transaction op>>2%6; the clock moves by
// (clock-16)*25ms before it.
const (
	// trackerConfig gives DownAfter 3, MaxPending 5 and a timeout of 800 ms.
	trackerConfig = 0xEE
	trackerStep   = 25 * time.Millisecond
	trackerStill  = 16 // the clock byte that leaves the clock alone
	trackerKeys   = 6
	opForwarded   = 0
	opAnswered    = 1
	opExpire      = 2
)

// expireAfter is the gap after which the trace lets the tracker expire
// before the next event, as the relay's periodic sweep would.
const expireAfter = time.Second

// trackerTrace turns what crossed a session's server link into a
// FuzzTracker input: each relayed request is Forwarded, each reply
// Answered, for transactions numbered by xid in order of appearance, with
// the captured time between them.
func trackerTrace(pkts []packet) []byte {
	out := []byte{trackerConfig}
	keys := map[uint32]int{}
	var last time.Time
	for _, p := range pkts {
		if p.arp || p.side != ServerSide {
			continue
		}
		kind := opAnswered
		if p.msg.OpCode == dhcpv4.OpcodeBootRequest {
			kind = opForwarded
		}
		xid := binary.BigEndian.Uint32(p.msg.TransactionID[:])
		k, ok := keys[xid]
		if !ok {
			k = len(keys) % trackerKeys
			keys[xid] = k
		}
		var gap time.Duration
		if !last.IsZero() {
			gap = p.time.Sub(last)
		}
		last = p.time
		if gap >= expireAfter {
			out = appendExpire(out, gap)
			gap = 0
		}
		out = append(out, trackerOp(kind, k), byte(trackerStill+min(int(gap/trackerStep), 255-trackerStill)))
	}
	return out
}

// appendExpire appends Expire operations that move the clock by gap.
func appendExpire(out []byte, gap time.Duration) []byte {
	steps := int(gap / trackerStep)
	for steps > 0 {
		n := min(steps, 255-trackerStill)
		out = append(out, opExpire, byte(trackerStill+n))
		steps -= n
	}
	return out
}

// trackerOp is the operation byte for kind on transaction key (< 6).
func trackerOp(kind, key int) byte {
	op := key << 2
	for op%3 != kind {
		op++
	}
	return byte(op)
}

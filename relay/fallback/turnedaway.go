package fallback

import "time"

// Bounds of the memory of new clients turned away by the offer cap.
const (
	// turnedAwayMax bounds the clients remembered: a flood of random MACs
	// pushes out only its own entries.
	turnedAwayMax = 4096
	// retryMin and retryMax bound when a client that was turned away counts
	// as having come back: a DHCP client retransmits its DISCOVER after
	// about 4 s, then 8, 16 and so on (RFC 2131 §4.1), within a minute or
	// two; a second DISCOVER right away is the same burst, not a retry.
	retryMin = time.Second
	retryMax = 2 * time.Minute
)

// turnedAway remembers new clients the offer cap turned away, so that one
// that comes back is told from a flood. A starvation tool's random MACs
// never return; a real client retransmits with the same chaddr. It is not
// safe for concurrent use (Server.mu guards it), and holds at most
// turnedAwayMax clients.
type turnedAway struct {
	at    map[clientKey]time.Time
	order []clientKey // FIFO of the keys in at, for eviction
}

func newTurnedAway() *turnedAway {
	return &turnedAway{at: make(map[clientKey]time.Time)}
}

// cameBack reports whether k, turned away again now, was turned away
// between retryMax and retryMin ago: a real client's retransmission. It
// forgets k when so, and remembers it (from now) otherwise.
func (t *turnedAway) cameBack(k clientKey, now time.Time) bool {
	if first, ok := t.at[k]; ok {
		if d := now.Sub(first); d >= retryMin && d <= retryMax {
			delete(t.at, k)
			return true
		}
		if now.Sub(first) > retryMax {
			t.at[k] = now
		}
		return false
	}
	for len(t.at) >= turnedAwayMax && len(t.order) > 0 {
		delete(t.at, t.order[0])
		t.order = t.order[1:]
	}
	if len(t.order) >= 2*turnedAwayMax {
		// The FIFO keeps keys deleted by cameBack until they come to its
		// front: compact it to the live ones.
		live := t.order[:0]
		for _, key := range t.order {
			if _, ok := t.at[key]; ok {
				live = append(live, key)
			}
		}
		clear(t.order[len(live):])
		t.order = live
	}
	t.at[k] = now
	t.order = append(t.order, k)
	return false
}

package health

import (
	"fmt"
	"time"
)

// State is the health of a helper set.
type State uint8

// The states. A Tracker starts Up: the fallback does not serve before the
// helpers have had a chance to answer.
const (
	// Up: the helpers answer (or have not failed yet).
	Up State = iota
	// Down: the transactions in a row that got no reply in time came
	// from DownAfter different clients.
	Down
)

// String returns "up" or "down".
func (s State) String() string {
	switch s {
	case Up:
		return "up"
	case Down:
		return "down"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Change is one transition of a Tracker's state.
type Change struct {
	From, To State
	// At is the time passed to the call that made the change.
	At time.Time
	// Reason says why, e.g. "upstream replied" or "3 transactions in a
	// row, from 3 different clients, got no reply within 2s".
	Reason string
}

// The reasons of the transitions that do not depend on the config.
const (
	reasonStart   = "no transaction has failed yet"
	reasonReplied = "upstream replied"
)

// maxChanges is how many changes a Tracker keeps until Transitions takes
// them; older ones are dropped first (State is always current).
const maxChanges = 8

// downReason is the reason of the Up → Down transition for cfg.
func downReason(cfg Config) string {
	if cfg.DownAfter == 1 {
		return fmt.Sprintf("1 transaction got no reply within %s", cfg.Timeout)
	}
	return fmt.Sprintf("%d transactions in a row, from %d different clients, got no reply within %s", cfg.DownAfter, cfg.DownAfter, cfg.Timeout)
}

// setState is the one place where the state changes: it records the
// change for Transitions. The caller holds t.mu.
func (t *Tracker) setState(to State, now time.Time, reason string) {
	if to == t.state {
		return
	}
	if t.nChanges == maxChanges {
		copy(t.changes[:], t.changes[1:])
		t.nChanges--
	}
	t.changes[t.nChanges] = Change{From: t.state, To: to, At: now, Reason: reason}
	t.nChanges++
	t.state, t.since, t.reason = to, now, reason
}

// State returns the current state, since when, and why. It does not expire
// transactions: call Expire first for a view that is current to the
// moment.
func (t *Tracker) State() (state State, since time.Time, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state, t.since, t.reason
}

// Up reports whether the state is Up; see State.
func (t *Tracker) Up() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state == Up
}

// Transitions appends to dst the state changes since the previous call,
// oldest first, and forgets them; at most the last 8 are kept between
// calls. It allocates nothing when dst has room. The relay calls it to log
// every change with its reason.
func (t *Tracker) Transitions(dst []Change) []Change {
	t.mu.Lock()
	defer t.mu.Unlock()
	dst = append(dst, t.changes[:t.nChanges]...)
	clear(t.changes[:t.nChanges])
	t.nChanges = 0
	return dst
}

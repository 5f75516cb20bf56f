// Package pace decides, for one socket's read loop, whether the loop is
// busy: reading at least a threshold's worth of packets per second
// (poll-above), measured over 10 ms windows, until a window's rate falls
// below half of it (hysteresis, so that a rate near the threshold does not
// flap).
//
// A loop never sleeps on a tick: it waits for its socket to be readable,
// drains what is waiting and sends it in one batch, so that a burst costs
// one wake-up, for the relay and for its peers, and a lone packet costs
// no added latency. Being busy only sizes the loop's resources: a busy
// loop keeps an outbox of 32 slots (a quiet one needs one per helper, and
// a thousand quiet VLANs must not cost megabytes), and a packet socket
// busy for 100 ms gets a receive ring.
//
// The package is pure arithmetic on the clock readings the loop hands it.
// docs/sockets-and-threads.md, "Waiting, draining and batches", puts it in
// the context of the read loops, outboxes and receive rings.
package pace

import "time"

// window is the span over which a Pacer measures the packet rate.
const window = 10 * time.Millisecond

// Pacer is the mode of one read loop: quiet, or busy. It is used by that
// loop's goroutine only.
type Pacer struct {
	enter   int64 // packets per window at or above which the loop is busy; 0: never
	start   time.Time
	n       int64 // packets read since start
	polling bool
}

// New returns a Pacer that is busy while the loop reads at least rate
// packets per second (0 or less: never), starting quiet.
func New(rate int) *Pacer {
	p := &Pacer{}
	if rate > 0 {
		p.enter = max(1, int64(rate)*int64(window)/int64(time.Second))
	}
	return p
}

// Read counts one packet read at now and reports whether the loop is
// busy. A quiet loop becomes busy when it reads the threshold's worth of
// packets within one window of 10 ms.
func (p *Pacer) Read(now time.Time) bool {
	p.n++
	if p.polling || p.enter == 0 {
		return p.polling
	}
	if now.Sub(p.start) >= window { // this packet opens a new window
		p.start, p.n = now, 1
	}
	if p.n >= p.enter {
		p.polling = true
	}
	return p.polling
}

// Idle is called by a busy loop when a read found its socket empty (the
// end of a drain). It reports whether the loop is still busy: it becomes
// quiet when a window's rate falls below half the threshold.
func (p *Pacer) Idle(now time.Time) bool {
	if !p.polling {
		return false
	}
	el := now.Sub(p.start)
	if el < window {
		return true
	}
	// In floating point: el is unbounded after a quiet spell.
	p.polling = float64(p.n)/el.Seconds() >= float64((p.enter+1)/2)/window.Seconds()
	p.start, p.n = now, 0
	return p.polling
}

// Polling reports whether the loop is busy (the name the status and
// metrics keep: iphelper_interface_polling).
func (p *Pacer) Polling() bool { return p.polling }

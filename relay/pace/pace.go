// Package pace decides, for one socket's read loop, between being woken for
// every packet and, under load, polling the socket on a fixed tick: the
// adaptive interrupt moderation of network cards (and the kernel's NAPI),
// done for a user-space loop.
//
// Woken per packet, a relay pays a sleep and a wake-up (a context switch,
// and on a virtual machine a halt and a resume of the vCPU) for every
// packet, and each of its sends wakes the receiver on the other side. At a
// storm's rates a wake-up costs more than relaying the packet. Polling every
// millisecond instead reads a burst per wake-up, and the loop sends the
// burst with one system call (package iface/mmsg), so its peers wake once
// per burst too. The price is latency: up to one tick per hop while
// polling, nothing for a DHCP client (its retransmission timer is 4 s) but
// not worth paying at moderate rates, so a loop polls only while its
// socket's packet rate is above a threshold, and goes back to waiting as
// soon as it falls below half of it.
//
// The package only decides: it is pure arithmetic on the clock readings
// the loop hands it. The sleep between two polls is the operating system's
// part and lives with the sockets, in iface.PollSleep.
//
// docs/sockets-and-threads.md, "Waiting, polling and batches", puts the
// pacer in the context of the read loops, outboxes and receive rings.
package pace

import "time"

// DefaultTick is how long a polling loop sleeps between two reads that
// find nothing.
const DefaultTick = time.Millisecond

// window is the span over which a Pacer measures the packet rate.
const window = 10 * time.Millisecond

// Pacer is the mode of one read loop: waiting for each packet, or polling.
// It is used by that loop's goroutine only.
type Pacer struct {
	enter   int64 // packets per window at or above which the loop polls; 0: never
	start   time.Time
	n       int64 // packets read since start
	polling bool
}

// New returns a Pacer that polls while the loop reads at least rate
// packets per second (0 or less: never), starting in the waiting mode.
func New(rate int) *Pacer {
	p := &Pacer{}
	if rate > 0 {
		p.enter = max(1, int64(rate)*int64(window)/int64(time.Second))
	}
	return p
}

// Read counts one packet read at now and reports whether the loop polls.
// A waiting loop starts polling when it reads the threshold's worth of
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

// Idle is called by a polling loop when a read found nothing. It reports
// whether the loop should sleep a tick (iface.PollSleep) and read again, rather
// than go back to waiting for each packet: it stops polling when a window's
// rate falls below half the threshold (hysteresis, so that a rate near the
// threshold does not flap between the modes).
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

// Polling reports whether the loop polls.
func (p *Pacer) Polling() bool { return p.polling }

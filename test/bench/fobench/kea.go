package main

import (
	"fmt"
	"syscall"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// keaTakeovers runs Kea HA's hot-standby takeover: tuned timers after
// SIGKILL and SIGSTOP (takeReps each, interleaved), then Kea's default
// timers after SIGKILL (keaSlowReps).
func (b *bench) keaTakeovers() error {
	type cell struct {
		name   string
		timers lab.KeaHATimers
		sig    syscall.Signal
		reps   int
	}
	cells := []cell{
		{"kea-tuned", lab.KeaHATunedTimers, syscall.SIGKILL, b.o.takeReps},
		{"kea-tuned", lab.KeaHATunedTimers, syscall.SIGSTOP, b.o.takeReps},
		{"kea-default", lab.KeaHADefaultTimers, syscall.SIGKILL, b.o.keaSlowReps},
	}
	for rep := 1; rep <= max(b.o.takeReps, b.o.keaSlowReps); rep++ {
		for _, c := range cells {
			if rep > c.reps {
				continue
			}
			var res takeoverResult
			err := b.cell(c.name, func(l *lab.Lab) (err error) {
				res, err = keaTakeoverCell(l, c.timers, c.sig)
				return err
			})
			if err != nil {
				return fmt.Errorf("%s %s, repetition %d: %w", c.name, sigName(c.sig), rep, err)
			}
			res.Server, res.Signal, res.Rep = c.name, sigName(c.sig), rep
			b.logTakeover(res)
		}
	}
	return nil
}

// keaTakeoverCell starts a Kea HA hot-standby pair with timers, stops the
// primary with sig, and times the standby's detection (its log:
// communication interrupted, PARTNER-DOWN) and its first ACK of a new
// client. The new clients' secs grow as they retry, which Kea's
// unacked-client rule reads.
func keaTakeoverCell(l *lab.Lab, timers lab.KeaHATimers, sig syscall.Signal) (takeoverResult, error) {
	p := l.Pair(lab.PairOptions{})
	ha := l.StartKeaHA(p, lab.KeaHAOptions{Mode: lab.KeaHotStandby, Timers: timers, LeaseTime: leaseTime})
	host := p.AddHost("new")
	every := probeEvery
	if timers.MaxUnackedClients > 0 {
		every = time.Second // secs counts whole seconds; as a real client's retries
	}
	window := timers.MaxResponseDelay + 2*timers.HeartbeatDelay + 4*timers.MaxAckDelay + 20*time.Second
	clients := max(probeClients, timers.MaxUnackedClients+2)
	at := time.Now()
	if err := ha.Primary.Proc.Send(sig); err != nil {
		return takeoverResult{}, err
	}
	burst := l.Burst(host.NS, host.If, lab.BurstSpec{Clients: clients, ID: 1, Retransmit: every,
		Retries: int(window / every), Timeout: window + 10*time.Second})
	log := ha.Standby.Proc.Log()
	res := takeoverResult{Asked: clients, Bound: len(burst.Leases), DetectMS: -1, PartnerDown: -1,
		FirstAckMS: firstAck(burst, p.B, at)}
	if t, ok := keaTimeAfter(log, at, "HA_COMMUNICATION_INTERRUPTED"); ok {
		res.DetectMS = msSince(at, t)
	}
	if t, ok := keaTimeAfter(log, at, "HA_STATE_TRANSITION", "to PARTNER-DOWN state"); ok {
		res.PartnerDown = msSince(at, t)
	}
	ha.Primary.Proc.Signal(syscall.SIGKILL)
	return res, nil
}

package main

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// The new clients that ask the survivor after the fault: they start at the
// fault and retransmit every probeEvery (a real client waits 4 s, then
// longer; a short interval measures when the survivor is ready, not when a
// client happens to ask again).
const (
	probeClients = 3
	probeEvery   = 250 * time.Millisecond
	probeWindow  = 20 * time.Second
)

// takeoverResult is one takeover: times from the fault, in milliseconds,
// -1 when it never happened.
type takeoverResult struct {
	Server      string  `json:"server"` // iphelper, kea-tuned, kea-default
	Signal      string  `json:"signal"`
	Rep         int     `json:"rep"`
	DetectMS    float64 `json:"detect_ms"`       // the survivor noticed (its log)
	PartnerDown float64 `json:"partner_down_ms"` // Kea: PARTNER-DOWN (its log)
	FirstAckMS  float64 `json:"first_ack_ms"`    // the survivor's first ACK of a new client
	Bound       int     `json:"bound"`           // new clients bound of those that asked
	Asked       int     `json:"asked"`
}

// takeovers runs iphelper's hot-standby takeover after SIGKILL and after
// SIGSTOP of the primary, takeReps times each, interleaved.
func (b *bench) takeovers() error {
	for rep := 1; rep <= b.o.takeReps; rep++ {
		for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP} {
			var res takeoverResult
			err := b.cell("takeover", func(l *lab.Lab) (err error) {
				res, err = b.takeoverCell(l, sig)
				return err
			})
			if err != nil {
				return fmt.Errorf("takeover %s, repetition %d: %w", sig, rep, err)
			}
			res.Server, res.Signal, res.Rep = "iphelper", sigName(sig), rep
			b.logTakeover(res)
		}
	}
	return nil
}

// takeoverCell starts a hot-standby pair, stops the primary with sig and
// times the secondary's detection and its first ACK of a new client.
func (b *bench) takeoverCell(l *lab.Lab, sig syscall.Signal) (takeoverResult, error) {
	p := l.Pair(lab.PairOptions{})
	relays, err := startNodes(l, p, b.o.iphelper, modeHotStandby)
	if err != nil {
		return takeoverResult{}, err
	}
	primary, survivor := relays[0], relays[1]
	host := p.AddHost("new")
	// Known clients first: the nodes declare their upstream down.
	known := l.Burst(host.NS, host.If, lab.BurstSpec{Clients: probeClients, ID: 2, Retransmit: probeEvery, Retries: 40})
	if len(known.Unbound) > 0 {
		return takeoverResult{}, fmt.Errorf("%d clients got no lease from the pair before the fault", len(known.Unbound))
	}
	if err := waitUpstreamDown(relays); err != nil {
		return takeoverResult{}, err
	}
	mark := len(survivor.Proc.Log())
	at := time.Now()
	if err := primary.Proc.Send(sig); err != nil {
		return takeoverResult{}, err
	}
	burst := l.Burst(host.NS, host.If, lab.BurstSpec{Clients: probeClients, ID: 1, Retransmit: probeEvery,
		Retries: int(probeWindow / probeEvery), Timeout: probeWindow + 5*time.Second})
	res := takeoverResult{Asked: probeClients, PartnerDown: -1, DetectMS: -1,
		FirstAckMS: firstAck(burst, p.B, at)}
	res.Bound = len(burst.Leases)
	if t, ok := slogTimeAfter(survivor.Proc.Log(), mark, stateInterrup); ok {
		res.DetectMS = msSince(at, t)
	}
	primary.Proc.Signal(syscall.SIGKILL) // a frozen primary ends here
	return res, nil
}

// firstAck is the time from at to the first ACK from node n among the
// burst's leases, in ms, or -1.
func firstAck(res lab.BurstResult, n lab.PairNode, at time.Time) float64 {
	for _, l := range res.Leases { // in the order they were bound
		if l.Server == n.Down {
			return msSince(at, l.Bound)
		}
	}
	return -1
}

func msSince(at, t time.Time) float64 { return float64(t.Sub(at)) / float64(time.Millisecond) }

func sigName(sig syscall.Signal) string {
	if sig == syscall.SIGSTOP {
		return "SIGSTOP"
	}
	return "SIGKILL"
}

// slogTimeAfter is the time stamp (time=…, RFC 3339) of the first line of
// an iphelper log, from byte mark on, that holds substr.
func slogTimeAfter(log string, mark int, substr string) (time.Time, bool) {
	if mark > len(log) {
		return time.Time{}, false
	}
	for _, line := range strings.Split(log[mark:], "\n") {
		if !strings.Contains(line, substr) {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "time="); ok {
				if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

// keaTimeAfter is the time stamp of the first line of a Kea log (the lab's
// pattern: local time to the millisecond) at or after since that holds
// every one of substrs. Kea stamps to the millisecond, so a line of the
// same millisecond as since counts.
func keaTimeAfter(log string, since time.Time, substrs ...string) (time.Time, bool) {
	const layout = "2006-01-02 15:04:05.000"
	floor := since.Truncate(time.Millisecond)
	for _, line := range strings.Split(log, "\n") {
		if len(line) < len(layout) || !containsAll(line, substrs) {
			continue
		}
		t, err := time.ParseInLocation(layout, line[:len(layout)], time.Local)
		if err == nil && !t.Before(floor) {
			return t, true
		}
	}
	return time.Time{}, false
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func (b *bench) logTakeover(r takeoverResult) {
	fmt.Fprintf(b.stderr, "takeover %-12s %s rep %d: detected %s, PARTNER-DOWN %s, first ACK of a new client %s (%d of %d bound)\n",
		r.Server, r.Signal, r.Rep, fmtMS(r.DetectMS), fmtMS(r.PartnerDown), fmtMS(r.FirstAckMS), r.Bound, r.Asked)
	b.res.Takeovers = append(b.res.Takeovers, r)
}

func fmtMS(ms float64) string {
	if ms < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f ms", ms)
}

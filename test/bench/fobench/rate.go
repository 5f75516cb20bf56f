package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/dora"
	"github.com/iphelper/iphelper/test/lab"
)

// warmSeconds is the closed-loop run that binds every client before the
// measured run: the measured DORAs are then all of clients that hold their
// address, so the 251-address pool is never exhausted.
const warmSeconds = 2

// clockTicks is the kernel's USER_HZ, the unit of utime and stime in
// /proc/PID/stat (100 on Linux).
const clockTicks = 100

// rateResult is one measured rate run.
type rateResult struct {
	Mode      string  `json:"mode"`
	Rep       int     `json:"rep"`
	PerSecond float64 `json:"leases_per_s"`
	LossPct   float64 `json:"loss_pct"`
	Completed uint64  `json:"completed"`
	CPUus     float64 `json:"cpu_us_per_lease"`
	AckP50US  float64 `json:"ack_p50_us"`
	AckP99US  float64 `json:"ack_p99_us"`
	Naks      uint64  `json:"naks"`
	Late      uint64  `json:"late"`
}

// rateModes are the rate cells, in the order they are interleaved.
var rateModes = []string{modeSingle, modeHotStandby, modeLoadSharing, modeSplit, modeKeaHA}

// rates runs every rate cell reps times, interleaved.
func (b *bench) rates() error {
	for rep := 1; rep <= b.o.reps; rep++ {
		for _, mode := range rateModes {
			var res rateResult
			err := b.cell("rate-"+mode, func(l *lab.Lab) (err error) {
				res, err = b.rateCell(l, mode)
				return err
			})
			if err != nil {
				return fmt.Errorf("rate %s, repetition %d: %w", mode, rep, err)
			}
			res.Mode, res.Rep = mode, rep
			fmt.Fprintf(b.stderr, "rate %-20s rep %d: %7.0f leases/s  loss %.2f %%  CPU %6.1f µs/lease  REQUEST→ACK p50 %.0f µs\n",
				mode, rep, res.PerSecond, res.LossPct, res.CPUus, res.AckP50US)
			b.res.Rates = append(b.res.Rates, res)
		}
	}
	return nil
}

// rateCell starts the servers of mode on a fresh pair, binds the clients,
// then measures a closed-loop run of DORAs of bound clients and the CPU
// the servers spent on it.
func (b *bench) rateCell(l *lab.Lab, mode string) (rateResult, error) {
	p := l.Pair(lab.PairOptions{})
	var pids []int
	var relays []*lab.Relay
	if mode == modeKeaHA {
		ha := l.StartKeaHA(p, lab.KeaHAOptions{
			Mode: lab.KeaHotStandby, Timers: lab.KeaHATunedTimers, LeaseTime: leaseTime, QuietLeases: true,
			PoolFirst: netip.MustParseAddr("203.0.113.4"), PoolLast: netip.MustParseAddr("203.0.113.254"),
		})
		pids = []int{ha.Primary.Proc.Pid(), ha.Standby.Proc.Pid()}
	} else {
		var err error
		relays, err = startNodes(l, p, b.o.iphelper, mode)
		if err != nil {
			return rateResult{}, err
		}
		for _, r := range relays {
			pids = append(pids, r.Proc.Pid())
		}
	}
	host := p.AddHost("load")
	// The first requests go unanswered until the nodes declare their
	// upstream down; the second warm-up binds every client.
	warm, err := b.loadgen(l, host, warmSeconds)
	if err != nil {
		return rateResult{}, err
	}
	if err := waitUpstreamDown(relays); err != nil {
		return rateResult{}, err
	}
	if warm, err = b.loadgen(l, host, warmSeconds); err != nil {
		return rateResult{}, err
	}
	if warm.Completed < uint64(b.o.clients) {
		return rateResult{}, fmt.Errorf("warm-up: %d DORAs completed for %d clients, %.2f %% lost", warm.Completed, b.o.clients, warm.LossPct)
	}
	before, err := cpuTicks(pids)
	if err != nil {
		return rateResult{}, err
	}
	res, err := b.loadgen(l, host, b.o.seconds)
	if err != nil {
		return rateResult{}, err
	}
	after, err := cpuTicks(pids)
	if err != nil {
		return rateResult{}, err
	}
	out := rateResult{PerSecond: res.PerSecond, LossPct: res.LossPct, Completed: res.Completed,
		AckP50US: res.AckP50US, AckP99US: res.AckP99US, Naks: res.Naks, Late: res.Late}
	if res.Completed > 0 {
		out.CPUus = float64(after-before) * (1e6 / clockTicks) / float64(res.Completed)
	}
	return out, nil
}

// loadgen runs the load generator closed loop on host for seconds: every
// client repeats DORAs, one at a time, as fast as the servers answer.
func (b *bench) loadgen(l *lab.Lab, host lab.Host, seconds int) (dora.Result, error) {
	out := l.Exec(host.NS, b.o.loadgen, "-interface", host.If, "-clients", strconv.Itoa(b.o.clients),
		"-rate", "0", "-duration", (time.Duration(seconds) * time.Second).String(), "-json")
	var res dora.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return res, fmt.Errorf("failed to read the load generator's result %q: %w", tail(out, 500), err)
	}
	return res, nil
}

// cpuTicks is the sum of utime and stime of the processes pids, in clock
// ticks, every thread included.
func cpuTicks(pids []int) (uint64, error) {
	var sum uint64
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, fmt.Errorf("failed to read the CPU time of pid %d: %w", pid, err)
		}
		t, err := parseStatCPU(string(data))
		if err != nil {
			return 0, fmt.Errorf("pid %d: %w", pid, err)
		}
		sum += t
	}
	return sum, nil
}

// parseStatCPU returns utime + stime of a /proc/PID/stat line (fields 14
// and 15; the command name, field 2, may hold spaces and parentheses).
func parseStatCPU(stat string) (uint64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed stat line %q", tail(stat, 80))
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("stat line has %d fields after the name, want ≥ 13", len(f))
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("malformed utime %q or stime %q", f[11], f[12])
	}
	return u + s, nil
}

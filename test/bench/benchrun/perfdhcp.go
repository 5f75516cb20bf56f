package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/dora"
)

// perfExitIncomplete is perfdhcp's exit status when it ran but some
// exchanges did not complete: a result, not a failure.
const perfExitIncomplete = 3

// perfLoad runs perfdhcp once in the namespace role: count full DORAs
// started at rate per second by the same number of emulated clients as the
// loadgen's, each counting as lost after the loadgen's timeout. perfdhcp
// always emulates a relay in DHCPv4 (giaddr = its address on the
// interface, replies to port 67), so it can drive Kea but not iphelper's
// fallback, which serves directly attached clients only.
//
// The result is cast as the loadgen's: scheduled = count, completed = ACKs
// received, loss counts the DORAs perfdhcp did not start on schedule too,
// completed/s is over count/rate seconds.
// perfdhcp prints mean delays, no percentiles: they are in the report only.
func (b *bench) perfLoad(ctx context.Context, role string, rate float64, count int) (dora.Result, *perfReport, error) {
	dur := time.Duration(float64(count)/rate*float64(time.Second))*3/2 + time.Second
	wait := 2 * b.o.plan.timeout
	args := []string{
		"ip", "netns", "exec", b.o.ns(role), b.o.perfdhcp, "-4", "-l", clientIf, "-B",
		"-R", strconv.Itoa(b.o.clients), "-r", strconv.FormatFloat(rate, 'f', 0, 64),
		"-n", strconv.Itoa(count), "-p", strconv.FormatInt(int64(math.Ceil(dur.Seconds())), 10), // whole seconds
		"-d", seconds(b.o.plan.timeout), "-W", strconv.FormatInt(wait.Microseconds(), 10),
	}
	ctx, cancel := context.WithTimeout(ctx, dur+wait+10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == perfExitIncomplete) {
		if ee != nil {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return dora.Result{}, nil, fmt.Errorf("perfdhcp at %.0f/s failed: %w", rate, err)
	}
	rep, err := parsePerfReport(string(out))
	if err != nil {
		return dora.Result{}, nil, fmt.Errorf("perfdhcp at %.0f/s: %w", rate, err)
	}
	return perfResult(rep, rate, count, b.o.clients, b.o.plan.timeout), &rep, nil
}

// perfResult casts perfdhcp's report of a run of count DORAs at rate as a
// loadgen result.
func perfResult(rep perfReport, rate float64, count, clients int, timeout time.Duration) dora.Result {
	res := dora.Result{
		Interface: clientIf, Mode: "open", Rate: rate, Clients: clients, Outstanding: clients,
		TimeoutMS: float64(timeout.Milliseconds()), Seconds: float64(count) / rate,
		Scheduled: uint64(count), Attempted: rep.Discover.Sent, Offers: rep.Discover.Received,
		Completed: rep.Request.Received, LostOffer: rep.Discover.Drops, LostAck: rep.Request.Drops,
	}
	// perfdhcp's own rate divides by a time that includes its exit wait.
	res.PerSecond = float64(res.Completed) / res.Seconds
	if res.Scheduled > res.Attempted {
		res.Skipped = res.Scheduled - res.Attempted
	}
	if res.Scheduled > 0 {
		res.LossPct = 100 * float64(res.Scheduled-min(res.Completed, res.Scheduled)) / float64(res.Scheduled)
	}
	return res
}

// seconds renders d as perfdhcp's fractional seconds.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

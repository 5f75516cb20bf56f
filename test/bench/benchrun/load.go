package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/dora"
)

// drive runs row r's load once, count DORAs at rate per second: the
// loadgen, or perfdhcp (whose report it returns too) for a perfdhcp row.
// It adds the DORAs completed to the cell's count.
func (b *bench) drive(ctx context.Context, r row, rate float64, count int) (dora.Result, *perfReport, error) {
	var res dora.Result
	var rep *perfReport
	var err error
	if r.Perf {
		res, rep, err = b.perfLoad(ctx, r.clientNS(), rate, count)
	} else {
		res, err = b.load(ctx, r.clientNS(), rate, count)
	}
	b.completed += res.Completed
	return res, rep, err
}

// load runs the loadgen once in the namespace role (the client segment of
// the relay, or of the no-relay lab): count DORAs at rate per second.
func (b *bench) load(ctx context.Context, role string, rate float64, count int) (dora.Result, error) {
	// Count is the bound that should end the run; the duration is a backstop.
	dur := time.Duration(float64(count)/rate*float64(time.Second))*3/2 + time.Second
	return b.loadgen(ctx, role, fmt.Sprintf("at %.0f/s", rate), dur,
		"-rate", strconv.FormatFloat(rate, 'f', 0, 64), "-count", strconv.Itoa(count))
}

// closedLoad runs the loadgen closed loop for dur in the namespace role,
// with inFlight transactions in flight: as fast as the replies come.
func (b *bench) closedLoad(ctx context.Context, role string, inFlight int, dur time.Duration) (dora.Result, error) {
	return b.loadgen(ctx, role, fmt.Sprintf("closed loop (%d in flight)", inFlight), dur,
		"-rate", "0", "-outstanding", strconv.Itoa(inFlight))
}

// loadgen runs the loadgen in role for at most dur with the options
// every run shares and args, and returns its result; what names the run
// in errors.
func (b *bench) loadgen(ctx context.Context, role, what string, dur time.Duration, args ...string) (dora.Result, error) {
	ns := b.o.ns(role)
	cmd := []string{"ip", "netns", "exec", ns}
	if b.harnessCPUs != "" {
		cmd = append(cmd, "taskset", "-c", b.harnessCPUs)
	}
	cmd = append(cmd, filepath.Join(b.o.bin, "loadgen"), "-json",
		"-interface", clientIf, "-clients", strconv.Itoa(b.o.clients),
		"-duration", dur.String(), "-timeout", b.o.plan.timeout.String())
	cmd = append(cmd, args...)
	if b.o.broadcast {
		cmd = append(cmd, "-broadcast")
	}
	if b.o.even {
		cmd = append(cmd, "-even")
	}
	ctx, cancel := context.WithTimeout(ctx, dur+2*b.o.plan.timeout+10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, cmd[0], cmd[1:]...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return dora.Result{}, fmt.Errorf("loadgen %s failed: %w", what, err)
	}
	var res dora.Result
	if err := json.Unmarshal(out, &res); err != nil {
		return dora.Result{}, fmt.Errorf("loadgen %s printed no result: %w", what, err)
	}
	return res, nil
}

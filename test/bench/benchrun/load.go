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
	ns := b.o.ns(role)
	// Count is the bound that should end the run; the duration is a backstop.
	dur := time.Duration(float64(count)/rate*float64(time.Second))*3/2 + time.Second
	args := []string{
		"ip", "netns", "exec", ns, filepath.Join(b.o.bin, "loadgen"), "-json",
		"-interface", clientIf, "-clients", strconv.Itoa(b.o.clients),
		"-rate", strconv.FormatFloat(rate, 'f', 0, 64), "-count", strconv.Itoa(count),
		"-duration", dur.String(), "-timeout", b.o.plan.timeout.String(),
	}
	if b.o.broadcast {
		args = append(args, "-broadcast")
	}
	ctx, cancel := context.WithTimeout(ctx, dur+2*b.o.plan.timeout+10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return dora.Result{}, fmt.Errorf("loadgen at %.0f/s failed: %w", rate, err)
	}
	var res dora.Result
	if err := json.Unmarshal(out, &res); err != nil {
		return dora.Result{}, fmt.Errorf("loadgen at %.0f/s printed no result: %w", rate, err)
	}
	return res, nil
}

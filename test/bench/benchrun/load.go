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

// load runs the loadgen once on the client segment (of the relay, or of the
// no-relay lab when direct): count DORAs at rate per second.
func (b *bench) load(ctx context.Context, direct bool, rate float64, count int) (dora.Result, error) {
	ns := b.o.ns(nsClient)
	if direct {
		ns = b.o.ns(nsDirectCl)
	}
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

package main

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// cell is one repetition of one row.
type cell struct {
	Row     string  `json:"row"`
	Rep     int     `json:"rep"`
	Failed  string  `json:"failed,omitempty"`
	Low     *run    `json:"low,omitempty"`  // at plan.lowRate
	High    *run    `json:"high,omitempty"` // at plan.highRate
	MaxRate float64 `json:"max_rate"`       // highest passing rate of the search
	Steps   []step  `json:"steps,omitempty"`
	// Closed is the closed-loop run (options.inFlight in flight); relay
	// rows only.
	Closed *run `json:"closed,omitempty"`
	// WorstP99US is the highest DISCOVER→OFFER p99 of the fixed-rate runs
	// and of the passing search steps at or below MaxRate.
	WorstP99US float64 `json:"worst_offer_p99_us"`
	PeakRSSKiB int64   `json:"peak_rss_kib,omitempty"`
	LoadAvg    string  `json:"loadavg"` // /proc/loadavg when the cell started
	Seconds    float64 `json:"seconds"`
	// Completed counts the DORAs completed in the cell, warm-up included.
	Completed uint64 `json:"completed"`
	// Stored is what the server's lease file held at the end (fallback
	// mode).
	Stored *stored `json:"stored,omitempty"`
}

// step is one rate of the search.
type step struct {
	Rate         float64 `json:"rate"`
	Pass         bool    `json:"pass"`
	LossPct      float64 `json:"loss_pct"`
	OfferP50US   float64 `json:"offer_p50_us"`
	OfferP99US   float64 `json:"offer_p99_us"`
	PerSecond    float64 `json:"completed_per_s"`
	RelayDrops   int64   `json:"relay_drops"`
	HarnessDrops int64   `json:"harness_drops"`
}

// target is what a cell loads and measures: its row, and the row's process
// (nil for the no-relay row).
type target struct {
	row  row
	proc *proc
}

// cell runs one repetition of row r.
func (b *bench) cell(ctx context.Context, r row, rep int) *cell {
	start := time.Now()
	c := &cell{Row: r.Name, Rep: rep, LoadAvg: loadAvg()}
	defer func() { c.Seconds = time.Since(start).Seconds() }()
	b.completed = 0
	defer func() { c.Completed = b.completed }()
	t := target{row: r}
	if r.Pinned && b.o.pinHarness {
		restore := b.pinHarness()
		defer restore()
	}
	if r.Args != nil {
		var err error
		t.proc, err = b.startRelay(ctx, r)
		if err != nil {
			c.Failed = err.Error()
			return c
		}
		defer t.proc.stop()
	}
	if err := b.measureCell(ctx, c, t); err != nil {
		c.Failed = err.Error()
	}
	if t.proc != nil {
		if t.proc.exited() {
			c.Failed = fmt.Sprintf("%s exited during the run:\n%s", r.Name, t.proc.logTail(2048))
		} else if rss, err := peakRSSKiB(t.proc.pid()); err == nil {
			c.PeakRSSKiB = rss
		}
	}
	if r.Kind != kindRelay && c.Failed == "" {
		if err := b.checkStored(c, t); err != nil {
			c.Failed = err.Error()
		}
	}
	return c
}

// pinHarness keeps the loadgen and the responder off the pinned relay's
// CPU for a cell, as a lab with a CPU of its own for the relay has them,
// and returns what puts the responder back on every CPU. (The no-relay
// row's harness runs on every CPU: its ceiling is the higher one.)
func (b *bench) pinHarness() func() {
	n := runtime.NumCPU()
	var others []string
	for i := range n {
		if i != b.o.pinCPU {
			others = append(others, strconv.Itoa(i))
		}
	}
	if len(others) == 0 {
		return func() {}
	}
	b.harnessCPUs = strings.Join(others, ",")
	setAffinity := func(list string) {
		if b.responder != nil {
			_, _ = command("taskset", "-a", "-p", "-c", list, strconv.Itoa(b.responder.pid()))
		}
	}
	setAffinity(b.harnessCPUs)
	return func() {
		b.harnessCPUs = ""
		setAffinity(fmt.Sprintf("0-%d", n-1))
	}
}

// measureCell runs the fixed-rate runs and the search.
func (b *bench) measureCell(ctx context.Context, c *cell, t target) error {
	p := b.o.plan
	for _, fr := range []struct {
		rate float64
		dst  **run
	}{{p.lowRate, &c.Low}, {p.highRate, &c.High}} {
		time.Sleep(p.pause)
		res, err := b.measured(ctx, t, fr.rate, int(fr.rate*p.fixed.Seconds()))
		if err != nil {
			return err
		}
		*fr.dst = &res
	}
	if t.row.Kind == kindRelay && !t.row.Perf {
		time.Sleep(p.pause)
		res, err := b.measuredClosed(ctx, t)
		if err != nil {
			return err
		}
		c.Closed = &res
	}
	var err error
	c.MaxRate, c.Steps, err = b.search(ctx, t)
	c.WorstP99US = c.worstP99()
	return err
}

// worstP99 is the highest DISCOVER→OFFER p99 of the fixed-rate runs at or
// below the max rate and of the passing search steps.
func (c *cell) worstP99() float64 {
	var w float64
	for _, r := range []*run{c.Low, c.High} {
		if r != nil && r.Load.Rate <= c.MaxRate {
			w = max(w, r.Load.OfferP99US)
		}
	}
	for _, s := range c.Steps {
		if s.Pass && s.Rate <= c.MaxRate {
			w = max(w, s.OfferP99US)
		}
	}
	return w
}

// startRelay starts the process of row r (a relay, or in fallback mode a
// server with an empty lease file), waits until it listens and warms it
// up: it must serve the warm-up rate before anything is measured.
func (b *bench) startRelay(ctx context.Context, r row) (*proc, error) {
	if err := b.prepare(r); err != nil {
		return nil, err
	}
	ns := b.o.ns(r.serverNS())
	var p *proc
	var err error
	if r.PidFile != "" {
		p, err = startDaemonIn(ns, r.Name, b.logPath(r.Name), r.PidFile, r.Args...)
	} else {
		p, err = startIn(ns, r.Name, b.logPath(r.Name), r.Args...)
	}
	if err != nil {
		return nil, err
	}
	if err := waitListening(ns, p, r.Packet); err != nil {
		_ = p.stop()
		return nil, err
	}
	var last string
	for try := 0; try < 3 && ctx.Err() == nil; try++ {
		res, _, err := b.drive(ctx, r, b.o.plan.warmRate, b.o.plan.warmCount)
		if err == nil && res.LossPct < 5 {
			if err = b.ready(r, p); err == nil {
				return p, nil
			}
		}
		last = fmt.Sprintf("loss %.1f %%, err %v", res.LossPct, err)
		time.Sleep(500 * time.Millisecond)
	}
	_ = p.stop()
	return nil, fmt.Errorf("%s does not serve %.0f DORA/s (%s):\n%s", r.Name, b.o.plan.warmRate, last, p.logTail(2048))
}

// search finds the highest rate with loss below plan.maxLossPct and a
// median DISCOVER→OFFER latency below plan.maxP50 (a queue that keeps
// growing is not sustained, even while the relay's buffer still holds it):
// up by
// searchFactor from searchStart until a step fails (down, if the first one
// does), then bisects between the last pass and the first fail.
//
// A perfdhcp step passes on loss alone: perfdhcp reports mean delays, not
// medians.
func (b *bench) search(ctx context.Context, t target) (float64, []step, error) {
	p := b.o.plan
	var steps []step
	try := func(rate float64) (bool, error) {
		time.Sleep(p.pause)
		rate = math.Round(rate/50) * 50
		res, err := b.measured(ctx, t, rate, int(rate*p.searchLen.Seconds()))
		if err != nil {
			return false, err
		}
		fast := t.row.Perf || res.Load.OfferP50US < float64(p.maxP50.Microseconds())
		st := step{
			Rate: rate, LossPct: res.Load.LossPct, OfferP50US: res.Load.OfferP50US, OfferP99US: res.Load.OfferP99US,
			Pass:      res.Load.LossPct < p.maxLossPct && fast,
			PerSecond: res.Load.PerSecond, RelayDrops: res.relayDrops(), HarnessDrops: res.harnessDrops(),
		}
		steps = append(steps, st)
		return st.Pass, nil
	}
	pass, fail := 0.0, 0.0
	rate := p.searchStart
	for i := 0; i < p.searchSteps && ctx.Err() == nil; i++ {
		ok, err := try(rate)
		if err != nil {
			return pass, steps, err
		}
		if ok {
			pass = rate
			if fail > 0 {
				break // going down: found it
			}
			rate *= p.searchFactor
			continue
		}
		fail = rate
		if pass > 0 {
			break
		}
		rate /= p.searchFactor * p.searchFactor // nothing passed yet: go down faster
		if rate < 100 {
			break
		}
	}
	for i := 0; i < p.searchRefine && pass > 0 && fail > pass && ctx.Err() == nil; i++ {
		mid := math.Sqrt(pass * fail)
		ok, err := try(mid)
		if err != nil {
			return pass, steps, err
		}
		if ok {
			pass = math.Round(mid/50) * 50
		} else {
			fail = mid
		}
	}
	return pass, steps, nil
}

// progress is the line printed to stderr when the cell is done.
func (c *cell) progress(reps int) string {
	head := fmt.Sprintf("rep %d/%d %-12s", c.Rep, reps, c.Row)
	if c.Failed != "" {
		return fmt.Sprintf("%s FAILED after %.0f s: %s", head, c.Seconds, c.Failed)
	}
	line := fmt.Sprintf("%s max %6.0f DORA/s (worst p99 %s µs) | @%.0f/s p50 %s/%s µs, loss %.2f %% | @%.0f/s p50/p99 %s/%s µs, loss %.2f %%",
		head, c.MaxRate, f0(c.WorstP99US), c.Low.Load.Rate, f0(c.Low.Load.OfferP50US), f0(c.Low.Load.AckP50US), c.Low.Load.LossPct,
		c.High.Load.Rate, f0(c.High.Load.OfferP50US), f0(c.High.Load.OfferP99US), c.High.Load.LossPct)
	if c.Closed != nil {
		line += fmt.Sprintf(" | closed %.0f/s", c.Closed.Load.PerSecond)
	}
	if c.Row != rowNoRelay {
		line += fmt.Sprintf(" | CPU %s / %s µs/DORA | RSS %s MiB", f1(c.Low.CPUPerDORAus), f1(c.High.CPUPerDORAus),
			f1(float64(c.PeakRSSKiB)/1024))
	}
	return line + fmt.Sprintf(" | %.0f s, load %s", c.Seconds, c.LoadAvg)
}

package main

import "time"

// options are benchrun's flags.
type options struct {
	prefix, bin, dir               string
	iphelper, dhcrelay, dhcpHelper string
	iphelperB                      string // a second iphelper binary, row iphelper-b: an A/B in one run
	kea, perfdhcp                  string // fallback mode: the servers' binaries
	deadHelper                     string // fallback mode: iphelper's helper address, which answers nothing
	reps, clients                  int
	broadcast, quick               bool
	even                           bool   // the loadgen paces evenly (one DISCOVER per send); else in small bursts
	pin                            string // pinOff, pinOnly or pinBoth: rows of relays pinned to one CPU
	pinCPU                         int    // the CPU a pinned relay runs on (taskset -c)
	pinHarness                     bool   // a pinned relay's cell runs the loadgen and responder on the other CPUs
	inFlight                       int    // the closed-loop run's transactions in flight
	fallback                       bool   // the fallback-server benchmark instead of the relay one
	plan                           plan
}

// plan is what each cell measures, and how long for.
type plan struct {
	warmRate     float64       // warm-up rate; the relay must serve it
	warmCount    int           //
	lowRate      float64       // the "moderate" rate: latency and CPU
	highRate     float64       // the "high" rate: CPU
	fixed        time.Duration // length of the fixed-rate runs
	searchStart  float64       // first rate of the search
	searchFactor float64       // rate step (×) while the relay keeps up
	searchSteps  int           // bound on the upward steps
	searchRefine int           // bisection steps between the last pass and the first fail
	searchLen    time.Duration // length of each search step
	maxLossPct   float64       // a step passes below this loss …
	maxP50       time.Duration // … and with its median DISCOVER→OFFER below this
	timeout      time.Duration // loadgen's wait for each reply
	pause        time.Duration // quiet time between runs
}

func defaultPlan() plan {
	return plan{
		warmRate: 1000, warmCount: 500,
		lowRate: 2000, highRate: 8000, fixed: 3 * time.Second,
		searchStart: 4000, searchFactor: 1.25, searchSteps: 16, searchRefine: 2,
		searchLen: 2 * time.Second, maxLossPct: 0.5, maxP50: 20 * time.Millisecond,
		timeout: 500 * time.Millisecond, pause: 300 * time.Millisecond,
	}
}

// fallbackPlan is the plan of the fallback-server benchmark: a
// lease is a full DORA, measured at 1,000 and 4,000 per second, and the
// search looks for < 1 % loss.
func fallbackPlan() plan {
	p := defaultPlan()
	p.lowRate, p.highRate = 1000, 4000
	p.searchStart = 1000
	p.maxLossPct = 1.0
	return p
}

// quickPlan checks the harness in a fraction of the time: base's rates,
// shorter runs.
func quickPlan(base plan) plan {
	p := base
	p.warmCount = 200
	p.fixed = 500 * time.Millisecond
	p.searchSteps, p.searchRefine = 4, 0
	p.searchLen = 300 * time.Millisecond
	p.pause = 100 * time.Millisecond
	return p
}

// The -pin modes.
const (
	pinOff  = "off"  // relays run on every CPU
	pinOnly = "only" // relays run pinned to one CPU
	pinBoth = "both" // each relay twice: on every CPU, and pinned
)

func defaultOptions() options {
	return options{plan: defaultPlan(), deadHelper: deadHelper, even: true, pin: pinBoth, pinCPU: 1, inFlight: 256}
}

// Command benchrun runs the relay benchmark on the lab that run.sh builds:
// iphelper, ISC dhcrelay and dhcp-helper, interleaved (A B C A B C …), plus
// a no-relay row for the lab's own ceiling, and prints the table. Use
// run.sh, which builds the binaries and the namespaces and removes them
// afterwards; benchrun itself only starts and stops processes (by pid) in
// the namespaces named by -prefix and reads /proc.
//
// Each repetition of each relay (a "cell") starts the relay, warms it up,
// runs the loadgen at 2,000 and at 8,000 DORA/s for a fixed count (latency,
// relay CPU from /proc/PID/stat before and after, socket drops), searches
// the highest rate with < 0.5 % loss, runs it closed loop (-in-flight
// transactions in flight), reads the peak RSS and stops it. Each relay
// runs twice by default (-pin both): on every CPU, and pinned to one CPU
// with taskset (a Go relay then has GOMAXPROCS=1). The loadgen paces its
// open loop evenly by default (-pace even), or in small bursts (-pace
// burst).
//
// With -fallback it runs the fallback-server benchmark instead: iphelper's
// fallback server (its upstream dead) against kea-dhcp4 with a persistent
// memfile, both driven by the loadgen, and Kea driven by perfdhcp as a
// cross-check, each cell starting the server with an empty lease file (see
// fallback.go).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
		os.Exit(1)
	}
}

func mainErr() error {
	o := defaultOptions()
	flag.StringVar(&o.prefix, "prefix", "", "namespace prefix of the lab run.sh built (iphb-PID-)")
	flag.StringVar(&o.bin, "bin", "", "directory holding the loadgen and responder binaries")
	flag.StringVar(&o.iphelper, "iphelper", "", "iphelper binary")
	flag.StringVar(&o.iphelperB, "iphelper-b", "", "a second iphelper binary, run as row iphelper-b beside iphelper (an A/B in one run)")
	flag.StringVar(&o.dhcrelay, "dhcrelay", "dhcrelay", "ISC dhcrelay binary (empty: skip)")
	flag.StringVar(&o.dhcpHelper, "dhcp-helper", "", "dhcp-helper binary (empty: skip)")
	flag.StringVar(&o.dir, "dir", "", "work directory: logs and results.json")
	flag.IntVar(&o.reps, "reps", 3, "repetitions of each relay (interleaved)")
	flag.IntVar(&o.clients, "clients", 4096, "emulated clients")
	flag.BoolVar(&o.broadcast, "broadcast", false, "clients set the BROADCAST flag (broadcast replies)")
	pace := flag.String("pace", "even", "how the loadgen paces its open loop: even (each DISCOVER alone at its due time) or burst (what is due, in one batch per wake-up)")
	flag.StringVar(&o.pin, "pin", pinBoth, "relays pinned to one CPU: both (each relay on every CPU and pinned), only (pinned), off")
	flag.IntVar(&o.pinCPU, "pin-cpu", 1, "the CPU of a pinned relay (taskset -c)")
	flag.BoolVar(&o.pinHarness, "pin-harness", false, "in a pinned relay's cells, run the loadgen and the responder on the other CPUs (on 2 CPUs that leaves the harness one CPU, which it saturates first)")
	flag.IntVar(&o.inFlight, "in-flight", 256, "transactions in flight in the closed-loop run")
	flag.BoolVar(&o.quick, "quick", false, "short runs, to check the harness (figures are not comparable)")
	flag.BoolVar(&o.fallback, "fallback", false, "benchmark iphelper's fallback server against Kea instead of the relays")
	flag.StringVar(&o.kea, "kea", "kea-dhcp4", "kea-dhcp4 binary (-fallback)")
	flag.StringVar(&o.perfdhcp, "perfdhcp", "perfdhcp", "perfdhcp binary (-fallback; empty: skip its row)")
	flag.StringVar(&o.deadHelper, "fallback-helper", deadHelper,
		"iphelper's helper address in -fallback mode: "+deadHelper+" is nobody (ARP fails); "+serverAddr+" is a host without a DHCP server")
	only := flag.String("only", "", "comma-separated rows to run (iphelper,dhcrelay,dhcp-helper,none; with -fallback: "+
		rowFallback+","+rowKea+","+rowKeaPerf+")")
	flag.Parse()
	if o.prefix == "" || o.bin == "" || o.dir == "" {
		return fmt.Errorf("-prefix, -bin and -dir are required (run test/bench/run.sh)")
	}
	switch *pace {
	case "even", "burst":
		o.even = *pace == "even"
	default:
		return fmt.Errorf("-pace %q: want even or burst", *pace)
	}
	switch o.pin {
	case pinOff, pinOnly, pinBoth:
	default:
		return fmt.Errorf("-pin %q: want %s, %s or %s", o.pin, pinBoth, pinOnly, pinOff)
	}
	if o.pinCPU < 0 || o.pinCPU >= runtime.NumCPU() {
		return fmt.Errorf("-pin-cpu %d: this machine has CPUs 0..%d", o.pinCPU, runtime.NumCPU()-1)
	}
	if o.inFlight < 1 {
		return fmt.Errorf("-in-flight %d: want at least 1", o.inFlight)
	}
	if o.reps < 1 || o.reps > 20 {
		return fmt.Errorf("-reps %d: want 1..20", o.reps)
	}
	if o.fallback {
		o.even = o.even && flagSet("pace") // its published figures were paced in bursts
		o.plan = fallbackPlan()
		if !flagSet("clients") {
			o.clients = fallbackClients
		}
	}
	if o.quick {
		o.plan = quickPlan(o.plan)
	}
	rows := o.rows()
	if o.fallback {
		rows = o.fallbackRows()
	}
	if *only != "" {
		rows = filterRows(rows, strings.Split(*only, ","))
	}
	if len(rows) == 0 {
		return fmt.Errorf("no row to run")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	b, err := newBench(o)
	if err != nil {
		return err
	}
	defer b.close()
	res := b.runAll(ctx, rows)
	out, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.dir, "results.json"), out, 0o644); err != nil {
		return fmt.Errorf("failed to write results: %w", err)
	}
	printReport(os.Stdout, res)
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted")
	}
	return nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

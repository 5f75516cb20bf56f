// Command loadgen is the benchmark's DHCP load generator: N emulated clients
// on one interface, each running full DORAs, open loop at a target rate or
// closed loop with a bound on the transactions in flight, for a bounded
// count and time. Run it inside the client namespace of a lab:
//
//	ip netns exec NS loadgen -interface eth0 -rate 2000 -count 6000 [-even] [-broadcast] [-json]
//
// It prints attempted and completed DORAs, completed per second, loss and
// the DISCOVER→OFFER and REQUEST→ACK latency percentiles, as a table or as
// JSON (-json). It exits non-zero only when it could not run.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/dora"
)

// maxDuration bounds a run whatever the flags say.
const maxDuration = 10 * time.Minute

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg dora.Config
	asJSON := flag.Bool("json", false, "print the result as JSON")
	flag.StringVar(&cfg.Interface, "interface", "eth0", "client-side interface")
	flag.IntVar(&cfg.Clients, "clients", 4096, "emulated clients (distinct MACs), 1..65536")
	flag.Float64Var(&cfg.Rate, "rate", 0, "DORAs started per second (open loop); 0 runs closed loop")
	flag.IntVar(&cfg.Outstanding, "outstanding", 0, "bound on transactions in flight (0: -clients)")
	flag.IntVar(&cfg.Count, "count", 0, "DORAs to schedule (0: until -duration)")
	flag.DurationVar(&cfg.Duration, "duration", 10*time.Second, "longest time to schedule for (at most 10m)")
	flag.DurationVar(&cfg.Timeout, "timeout", 500*time.Millisecond, "wait for each reply before a DORA counts as lost")
	flag.BoolVar(&cfg.Broadcast, "broadcast", false, "set the BROADCAST flag (replies come back broadcast)")
	flag.BoolVar(&cfg.Even, "even", false, "open loop: send each DISCOVER alone at its due time (default: what is due, in one batch per wake-up)")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	cfg.Duration = min(cfg.Duration, maxDuration)

	g, err := dora.New(cfg)
	if err != nil {
		return err
	}
	defer g.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := g.Run(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return res.WriteText(os.Stdout)
}

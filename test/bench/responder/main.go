// Command responder is the benchmark's stateless upstream DHCP server: it
// answers every DISCOVER with an OFFER and every REQUEST with an ACK, sent to
// giaddr:67 (or broadcast to port 68 when giaddr is 0), echoing option 82,
// with an address derived from chaddr and its own address as server
// identifier. Run it inside the server namespace of a lab:
//
//	ip netns exec NS responder -server-id 198.51.100.2 -pool 203.0.113.0/24
//
// It stops on SIGINT or SIGTERM, or by itself after -max-time, and then
// prints its counters as JSON on stdout.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/iphelper/iphelper/test/bench/internal/responder"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "responder: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg responder.Config
	listen := flag.String("listen", "0.0.0.0:67", "address and port to listen on")
	serverID := flag.String("server-id", "", "own address, sent as the server identifier (required)")
	pool := flag.String("pool", "203.0.113.0/24", "subnet the given addresses come from")
	maxTime := flag.Duration("max-time", 30*time.Minute, "stop by itself after this long")
	flag.StringVar(&cfg.Device, "interface", "", "bind to this interface (needed for broadcast replies when giaddr is 0)")
	flag.DurationVar(&cfg.Lease, "lease", time.Hour, "lease time to give")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	var err error
	if cfg.Listen, err = netip.ParseAddrPort(*listen); err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	if cfg.ServerID, err = netip.ParseAddr(*serverID); err != nil {
		return fmt.Errorf("-server-id: %w", err)
	}
	if cfg.Pool, err = netip.ParsePrefix(*pool); err != nil {
		return fmt.Errorf("-pool: %w", err)
	}
	s, err := responder.New(cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *maxTime)
	defer cancel()
	fmt.Fprintf(os.Stderr, "responder: listening on %s (server id %s, pool %s)\n", cfg.Listen, cfg.ServerID, cfg.Pool)
	runErr := s.Run(ctx)
	if err := json.NewEncoder(os.Stdout).Encode(s.Stats()); err != nil {
		return err
	}
	return runErr
}

package dora

import (
	"errors"
	"fmt"
	"time"
)

// Config configures a Generator.
type Config struct {
	// Interface is the client-side interface to send and receive on.
	Interface string
	// Clients is the number of emulated clients, each with its own MAC
	// address 02:62:00:00:HI:LO (1..65536). A client runs one transaction
	// at a time, so Clients also bounds the transactions in flight.
	Clients int
	// Rate is the number of DORAs started per second (open loop); 0 runs
	// closed loop: as many as Outstanding allows, as fast as replies come.
	Rate float64
	// Outstanding bounds the transactions in flight (0: Clients). In open
	// loop, a start that finds the bound reached, or no idle client, is
	// skipped and counts as lost.
	Outstanding int
	// Count is the number of DORAs to schedule (0: no bound but Duration).
	Count int
	// Duration bounds the time spent scheduling (required).
	Duration time.Duration
	// Timeout is how long a client waits for the OFFER, and then for the
	// ACK, before the DORA counts as lost (default 500 ms).
	Timeout time.Duration
	// Broadcast sets the BROADCAST flag in the requests, so replies come
	// back as broadcasts instead of unicasts to the client's MAC.
	Broadcast bool
	// Even paces an open loop evenly: each DISCOVER leaves in a send of its
	// own at its due time, with the pacing thread's timer slack at 1 µs.
	// Otherwise the loop sends every start that is due in one batch each
	// time it wakes (sleeps of at most 1 ms with the default 50 µs slack),
	// so the load arrives in small bursts.
	Even bool
}

// Limits of the configuration.
const (
	maxClients     = 1 << 16
	defaultTimeout = 500 * time.Millisecond
)

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.Interface == "" {
		errs = append(errs, errors.New("interface: required"))
	}
	if c.Clients < 1 || c.Clients > maxClients {
		errs = append(errs, fmt.Errorf("clients: %d is out of range 1..%d", c.Clients, maxClients))
	}
	if c.Rate < 0 {
		errs = append(errs, fmt.Errorf("rate: %g is negative", c.Rate))
	}
	if c.Outstanding < 0 {
		errs = append(errs, fmt.Errorf("outstanding: %d is negative", c.Outstanding))
	}
	if c.Count < 0 {
		errs = append(errs, fmt.Errorf("count: %d is negative", c.Count))
	}
	if c.Duration <= 0 {
		errs = append(errs, errors.New("duration: required, so the run stops by itself"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: %s is negative", c.Timeout))
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	if c.Outstanding == 0 || c.Outstanding > c.Clients {
		c.Outstanding = c.Clients
	}
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout
	}
	return c, nil
}

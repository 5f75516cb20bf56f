package control

import (
	"context"
	"net/netip"
	"time"

	"github.com/iphelper/iphelper/relay/bindings"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/status"
	"github.com/iphelper/iphelper/relay/trace"
)

// StatusSource is the relay: its interfaces and counters. cmd/iphelper
// hands in the *relay.Relay. `clear statistics` does not reset them: the
// server keeps a baseline and subtracts it, so that the counters the
// metrics export never go backwards.
type StatusSource interface {
	Status() status.Status
}

// BindingSource is the relay's binding table. *bindings.Table implements
// it.
type BindingSource interface {
	Select(now time.Time, q bindings.Query) []bindings.Binding
}

// LeaseSource is the fallback server: every lease record of every
// interface's scope. The server converts them to Lease.
type LeaseSource interface {
	FallbackLeases() []leasestore.Lease
}

// ConflictSource ends the quarantine of addresses the fallback server
// keeps out of its pool (`clear conflicts`): addr, or every one when addr
// is not valid; it returns those freed. cmd/iphelper hands in the
// *relay.Relay.
type ConflictSource interface {
	ClearConflicts(addr netip.Addr) []netip.Addr
}

// Reloader re-reads, validates and applies the daemon's configuration; an
// error means it was rejected and the running configuration stays. The
// result names the keys of an applied configuration that take effect only
// at the next start.
type Reloader interface {
	Reload() (ReloadResult, error)
}

// TraceSource is the packet tracer. *trace.Tracer implements it.
type TraceSource interface {
	Subscribe(iface string) (events <-chan trace.Event, cancel func())
}

// FailoverSource is the failover pair. cmd/iphelper hands in the
// *relay.Relay.
type FailoverSource interface {
	// FailoverStatus returns the pair's state; nil when no pair is
	// configured.
	FailoverStatus() *status.Failover
	// FailoverPartnerDown states that the partner is down; an error says
	// why the pair refused (its state does not allow it) or could not
	// answer.
	FailoverPartnerDown(ctx context.Context) error
}

// ConfigSource reports the running configuration's hash and how many
// reloads were applied and rejected. cmd/iphelper hands in its reloader.
type ConfigSource interface {
	ReloadStats() (hash string, ok, failed uint64)
}

// Sources are what the server reports on. Each may be nil: the commands
// that need it then fail with CodeUnavailable.
type Sources struct {
	Status   StatusSource
	Bindings BindingSource
	Leases   LeaseSource
	// Conflicts clears quarantines; the list is Leases'.
	Conflicts ConflictSource
	Trace     TraceSource
	Reload    Reloader
	Failover  FailoverSource
	Config    ConfigSource
}

var (
	_ BindingSource = (*bindings.Table)(nil)
	_ TraceSource   = (*trace.Tracer)(nil)
)

package fallback

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// Server is the fallback DHCP server of one downstream interface.
//
// All methods are safe for concurrent use. Handle, Stage, Probe, Commit
// and UpdateScope are serialized: one runs at a time, so store writes happen in
// decision order and one probe runs at a time; the caller gives each Server
// one worker. Owns, Leases and Sweep never wait for a probe or a store write.
type Server struct {
	store  leasestore.Store
	prober Prober
	clock  Clock
	log    *slog.Logger

	// handleMu serializes Handle, Stage, Commit and UpdateScope, and
	// guards staged and writes.
	handleMu sync.Mutex
	staged   []stagedWrite      // writes waiting for Commit
	probing  []pendingProbe     // DISCOVERs waiting for Probe
	writes   []leasestore.Write // Commit's reused batch
	// conflicts are the writes a shared store refused in this Commit.
	conflicts *StoreConflictError

	// mu guards the fields below. It is held only for memory work, never
	// across a probe or a store write.
	mu     sync.Mutex
	scope  *compiled
	tab    *table
	away   *turnedAway // new clients the offer cap turned away
	cursor int         // pool index where the search for a never-used address resumes
	// fo is the failover relationship, nil when the server is alone;
	// updates are the committed changes not yet taken by TakeUpdates.
	fo      Failover
	updates []Update
}

// NewServer validates scope and returns its server, with the interface's
// records loaded from store: a restart serves the same leases. store is
// required; a nil prober disables conflict detection, a nil clock means
// SystemClock, a nil log discards. Records that do not fit the scope (an
// address outside it, or reserved for another client) are ignored, and kept
// in the store.
func NewServer(scope Scope, store leasestore.Store, prober Prober, clock Clock, log *slog.Logger) (*Server, error) {
	c, err := compile(scope)
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, fmt.Errorf("failed to start the fallback server on %q: no lease store", scope.Interface)
	}
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: store, prober: prober, clock: clock, log: log.With("iface", scope.Interface), scope: c, tab: newTable(), away: newTurnedAway(), cursor: c.startCursor()}
	leases, err := store.Load(scope.Interface)
	if errors.Is(err, leasestore.ErrCorruptRecord) {
		s.log.Warn("skipped corrupt lease records", "err", err)
	} else if err != nil {
		return nil, fmt.Errorf("failed to load the fallback leases of %q: %w", scope.Interface, err)
	}
	s.load(leases)
	return s, nil
}

// load rebuilds the table from stored records: the latest record of a
// client wins, quarantines that are over and stray offers are dropped.
func (s *Server) load(leases []leasestore.Lease) {
	now := s.clock.Now()
	slices.SortStableFunc(leases, func(a, b leasestore.Lease) int { return a.Expiry.Compare(b.Expiry) })
	kept := 0
	for _, l := range leases {
		b := &binding{addr: l.Addr, state: l.State, expiry: l.Expiry, clientID: l.ClientID, mac: l.MAC, hostname: l.Hostname, partnerExpiry: l.PartnerExpiry, rev: l.Rev}
		switch l.State {
		case leasestore.StateBound, leasestore.StateReleased:
			if !s.scope.mayHold(l.Addr, l.ClientID, l.MAC) || len(l.ClientID) == 0 && len(l.MAC) == 0 {
				continue
			}
			b.client, b.leased = keyOf(l.ClientID, l.MAC), true
		case leasestore.StateDeclined:
			if !s.scope.inPool(l.Addr) || !b.active(now) {
				continue
			}
		default:
			continue
		}
		s.tab.set(b)
		kept++
	}
	s.log.Info("fallback leases loaded", "records", len(leases), "kept", kept)
}

// Leases returns the records that hold an address now (bound, offered and
// declined), in address order, for `show leases`.
func (s *Server) Leases() []leasestore.Lease {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []leasestore.Lease
	for _, b := range s.tab.byAddr {
		if b.active(now) {
			out = append(out, b.lease(s.scope.Interface))
		}
	}
	slices.SortFunc(out, func(a, b leasestore.Lease) int { return a.Addr.Compare(b.Addr) })
	return out
}

// Sweep reclaims what expired by now: offers, leases and quarantines, and
// returns how many. It is bookkeeping: an expired record is free whether or
// not Sweep has run. The caller runs it periodically (e.g. every minute).
// A reclaimed lease or offer still remembers its client; the store is not
// written.
func (s *Server) Sweep(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, b := range s.tab.byAddr {
		if b.active(now) || b.state == leasestore.StateReleased {
			continue
		}
		n++
		s.log.Debug("fallback record expired", "addr", b.addr, "state", b.state)
		if b.state == leasestore.StateDeclined {
			s.tab.remove(b.addr)
			continue
		}
		if b.state == leasestore.StateOffered {
			s.tab.nc.settle(b, false) // expired untaken
		}
		b.state = leasestore.StateReleased
	}
	return n
}

// UpdateScope validates and applies a new scope for the same interface (its
// addresses or its configuration changed). Bindings whose address no longer
// fits the scope, is now reserved for another client or is now one of the
// appliance's own (Scope.Local), are dropped from memory; the others are
// kept. On error the old scope stays.
func (s *Server) UpdateScope(scope Scope) error {
	c, err := compile(scope)
	if err != nil {
		return err
	}
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Interface != s.scope.Interface {
		return fmt.Errorf("%w on %q: cannot move the server to interface %q", ErrInvalidScope, s.scope.Interface, c.Interface)
	}
	s.scope = c
	s.cursor = c.startCursor()
	// DISCOVERs waiting for a probe picked their addresses under the old
	// scope: they go unanswered, and their clients' retransmissions are
	// served under the new one.
	s.probing = nil
	dropped := 0
	now := s.clock.Now()
	for _, b := range s.tab.byAddr {
		fits := s.scope.inPool(b.addr)
		if b.client != "" {
			fits = s.scope.mayHold(b.addr, b.clientID, b.mac)
		}
		if fits {
			continue
		}
		if c.local[b.addr] && b.client != "" && b.active(now) {
			s.log.Warn("the appliance now uses an address leased to a client: its next renewal is NAKed", "addr", b.addr, "chaddr", b.mac.String())
		}
		s.tab.remove(b.addr)
		dropped++
	}
	s.log.Info("fallback scope updated", "enabled", c.Enabled, "addresses", c.pool.size+len(c.Reservations), "dropped", dropped)
	return nil
}

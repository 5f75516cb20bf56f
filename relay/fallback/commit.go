package fallback

import (
	"errors"
	"net/netip"

	"fmt"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// stagedWrite is a store write decided by Stage and not yet made durable.
type stagedWrite struct {
	w leasestore.Write
	// b is the binding the write stores (nil for a delete); it learns the
	// record's new revision from a shared store.
	b *binding
	// needAck: in a failover pair, the ACK that goes with this write waits
	// for the partner's acknowledgement.
	needAck bool
	// undo, when set, takes the write's change out of the table if the
	// write fails; it runs with mu held.
	undo func()
}

// stage queues w for the next Commit; handleMu is held.
func (s *Server) stage(w leasestore.Write, undo func()) {
	s.stageUpdate(w, false, undo)
}

// putWrite returns the write that stores b, expecting the stored record's
// revision that b carries; mu is held.
func (s *Server) putWrite(b *binding) leasestore.Write {
	return leasestore.Write{Lease: b.lease(s.scope.Interface), Expect: b.rev}
}

// stageUpdate is stage for a write whose ACK, in a failover pair, waits
// for the partner when needAck is set.
func (s *Server) stageUpdate(w leasestore.Write, needAck bool, undo func()) {
	s.staged = append(s.staged, stagedWrite{w: w, needAck: needAck, undo: undo})
}

// Stage is Handle without the conflict probe and the flush to disk: it
// answers req and records the outcome in memory, and queues the store
// writes that go with it for the next Commit. A DISCOVER whose address must
// be probed is answered by the next Probe instead (OutcomeProbing), so
// that one probe round serves a burst of new clients. The caller must not
// send an ACK that Stage returns before a Commit that follows it returns
// nil; when that Commit fails, the ACK is not sent and counts as
// OutcomeStoreFailed.
//
// Stage and Commit let one worker answer a burst of requests and then write
// all their leases in one transaction: one flush to disk for the burst (a
// group commit) instead of one per ACK. Each Stage queues at most one
// write, so the caller bounds what waits for a Commit by how many requests
// it stages in a row.
func (s *Server) Stage(req *dhcpv4.DHCPv4, upstreamUp bool) (*dhcpv4.DHCPv4, Outcome) {
	r, o, ok := admit(req)
	if !ok {
		return nil, o
	}
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	return s.dispatchLogged(r, upstreamUp)
}

// dispatchLogged is dispatch with a debug line; handleMu is held.
func (s *Server) dispatchLogged(r request, upstreamUp bool) (*dhcpv4.DHCPv4, Outcome) {
	rep, o := s.dispatch(r, upstreamUp)
	if rep != nil {
		s.log.Debug("fallback reply", "type", r.typ, "xid", r.msg.TransactionID, "chaddr", r.mac.String(), "outcome", o, "yiaddr", rep.YourIPAddr)
	} else {
		s.log.Debug("fallback silent", "type", r.typ, "xid", r.msg.TransactionID, "chaddr", r.mac.String(), "outcome", o)
	}
	return rep, o
}

// Commit writes every write staged since the last Commit in one durable
// transaction. When a shared store refuses some writes because another
// node changed their records first, the others are written and Commit
// returns a *StoreConflictError naming the refused ones. If that fails, the leases the staged ACKs granted are taken
// back out of memory (the other writes, of releases, declines and
// failbacks, only lose their record on disk) and the error is returned.
func (s *Server) Commit() error {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	return s.commitStaged()
}

// commitStaged is Commit with handleMu held.
func (s *Server) commitStaged() error {
	if len(s.staged) == 0 {
		return nil
	}
	ws := s.writes[:0]
	for _, sw := range s.staged {
		ws = append(ws, sw.w)
	}
	err := s.apply(ws)
	var conflict *leasestore.ConflictError
	if errors.As(err, &conflict) {
		// Another node changed some of the records: those leases are
		// not ours to give, the others are written without them.
		s.dropConflicts(conflict)
		ws = ws[:0]
		for _, sw := range s.staged {
			ws = append(ws, sw.w)
		}
		err = s.apply(ws)
	}
	if err != nil {
		s.mu.Lock()
		for i := len(s.staged) - 1; i >= 0; i-- {
			if u := s.staged[i].undo; u != nil {
				u()
			}
		}
		s.mu.Unlock()
		s.log.Error("failed to write fallback lease records; not acknowledging their leases", "records", len(ws), "err", err)
	} else if s.fo != nil {
		s.mu.Lock()
		for _, sw := range s.staged {
			if !sw.w.Delete {
				s.updates = append(s.updates, Update{Lease: sw.w.Lease.Clone(), NeedAck: sw.needAck})
			}
		}
		s.mu.Unlock()
	}
	clear(s.staged)
	s.staged = s.staged[:0]
	clear(ws)
	s.writes = ws[:0]
	if ce := s.conflicts; ce != nil {
		s.conflicts = nil
		if err == nil {
			return ce
		}
	}
	return err
}

// shared is a store that several nodes write (EtcdStore): it reports the
// revision of each transaction.
type shared interface {
	ApplyRev(ws []leasestore.Write) (int64, error)
}

// apply writes ws; with a shared store, each staged binding learns its
// record's new revision. handleMu is held.
func (s *Server) apply(ws []leasestore.Write) error {
	sh, ok := s.store.(shared)
	if !ok {
		return s.store.Apply(ws)
	}
	if len(ws) == 0 {
		return nil
	}
	rev, err := sh.ApplyRev(ws)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sw := range s.staged {
		switch {
		case sw.b != nil:
			sw.b.rev = rev
		case sw.w.Delete:
			if b := s.tab.at(sw.w.Lease.Addr); b != nil && b.rev == sw.w.Expect {
				b.rev = 0 // the record is gone
			}
		}
	}
	return nil
}

// StoreConflictError is returned by Commit when a shared store refused
// some of the staged writes because another node changed their records
// first: Addrs are their addresses, whose ACKs must not be sent; every
// other write of the batch is durable.
type StoreConflictError struct {
	Addrs map[netip.Addr]bool
}

// Error implements error.
func (e *StoreConflictError) Error() string {
	return fmt.Sprintf("%d lease writes refused by the shared store: %v", len(e.Addrs), leasestore.ErrConflict)
}

// Unwrap returns leasestore.ErrConflict.
func (e *StoreConflictError) Unwrap() error { return leasestore.ErrConflict }

// dropConflicts takes the staged writes that ce names out of the batch,
// undoing their change of the table, and returns nil when others remain
// handleMu is held. The conflict is remembered for Commit's caller in
// s.conflicts.
func (s *Server) dropConflicts(ce *leasestore.ConflictError) {
	bad := make(map[int]bool, len(ce.Index))
	for _, i := range ce.Index {
		bad[i] = true
	}
	s.conflicts = &StoreConflictError{Addrs: make(map[netip.Addr]bool)}
	kept := s.staged[:0]
	s.mu.Lock()
	for i, sw := range s.staged {
		if !bad[i] {
			kept = append(kept, sw)
			continue
		}
		s.conflicts.Addrs[sw.w.Lease.Addr] = true
		if sw.undo != nil {
			sw.undo()
		}
	}
	s.mu.Unlock()
	s.log.Warn("another node bound or changed these addresses first; not acknowledging them", "addrs", len(s.conflicts.Addrs))
	s.staged = kept
}

package fallback

import (
	"crypto/sha256"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// Failover is what a server in a failover pair asks its relationship with
// the partner (docs/failover.md): who answers a client, who may bind an
// address, when a record of another client may be reused and how long a
// lease may run. A Server without one (the default) is alone.
//
// Implementations are called with the server's locks held and must not
// call back into the Server.
type Failover interface {
	// Serves reports whether this node answers the client whose identity
	// (option 61, else chaddr) is key, whose request says it has been
	// trying for secs seconds, at now. held says the client holds a lease
	// on an address this node may not allocate, which the partner has
	// acknowledged: a live partner always answers such a client, so its
	// going unanswered is evidence that the partner is down.
	Serves(key []byte, secs uint16, held bool, now time.Time) bool
	// MayAllocate reports whether this node may bind the index-th address
	// of a dynamic pool of size addresses to a client that does not hold
	// it (the lease rules, rule 1 and rule 3).
	MayAllocate(index, size int, now time.Time) bool
	// Reusable reports whether an address whose record of another client
	// ended at end (its expiry, or its release) may be bound again.
	Reusable(end, now time.Time) bool
	// Grant returns the expiry to give a client that wants a lease until
	// want, on an address this node may allocate (owned) or not, whose
	// expiry the partner has acknowledged until partnerExpiry (zero:
	// never), and whether the ACK must wait for the partner's
	// acknowledgement (rule 2). An expiry not after now grants nothing.
	Grant(owned bool, want, partnerExpiry, now time.Time) (expiry time.Time, needAck bool)
}

// An Update is a durable change of a record of a server in a failover
// pair, for the partner: Commit collects them and TakeUpdates hands them
// over. NeedAck says an ACK of this Commit waits for the partner's
// acknowledgement of this record.
type Update struct {
	Lease   leasestore.Lease
	NeedAck bool
}

// SetFailover puts the server in a failover pair (nil takes it out). Records
// changed from then on are collected as Updates.
func (s *Server) SetFailover(f Failover) {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fo = f
}

// TakeUpdates returns the Updates of the Commits since the last call, in
// commit order, and forgets them.
func (s *Server) TakeUpdates() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.updates
	s.updates = nil
	return u
}

// Acked records that the partner acknowledged the record of addr with
// expiry: while it is still the current record, that expiry is what the
// partner knows (rule 2), and the record needs no resending.
func (s *Server) Acked(addr netip.Addr, expiry time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.tab.at(addr); b != nil && b.expiry.Equal(expiry) {
		b.partnerExpiry = later(b.partnerExpiry, expiry) // only grows for one binding
		b.synced = true
	}
}

// Unsynced returns the records the partner has not acknowledged (all of
// them with all set), for the resynchronisation of a (re)connected pair.
// Offers are not records: they are never sent.
func (s *Server) Unsynced(all bool) []leasestore.Lease {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []leasestore.Lease
	for _, b := range s.tab.byAddr {
		if b.state == leasestore.StateOffered || b.client == "" && b.state != leasestore.StateDeclined {
			continue
		}
		if all || !b.synced {
			out = append(out, b.lease(s.scope.Interface))
		}
	}
	slices.SortFunc(out, func(a, b leasestore.Lease) int { return a.Addr.Compare(b.Addr) })
	return out
}

// ApplyPartner merges records that the partner sent, writes the ones it
// takes durably in one transaction, and reports for each whether it was
// taken. A record is refused when it would bind an address that this
// server holds for another client (a conflict that the lease rules
// exclude: it is logged, and the caller counts it). For a record of the
// same client, a lease keeps the later of the two expiries. What the
// partner sent is what it knows: the merged record's PartnerExpiry is the
// record's PartnerExpiry when set (the caller's bound on the partner's
// knowledge), else its expiry.
func (s *Server) ApplyPartner(ls []leasestore.Lease) ([]bool, error) {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	now := s.clock.Now()
	taken := make([]bool, len(ls))
	type change struct{ b, prevAt, prevOf *binding }
	var (
		ws      []leasestore.Write
		changes []change
	)
	s.mu.Lock()
	c := s.scope
	for i, l := range ls {
		nb, ok := s.merge(c, l, now)
		if !ok {
			continue
		}
		taken[i] = true
		prevAt := s.tab.at(nb.addr)
		var prevOf *binding
		if nb.client != "" {
			prevOf = s.tab.client(nb.client)
		}
		s.tab.set(nb)
		changes = append(changes, change{nb, prevAt, prevOf})
		ws = append(ws, leasestore.PutWrite(nb.lease(c.Interface)))
	}
	s.mu.Unlock()
	if len(ws) == 0 {
		return taken, nil
	}
	if err := s.store.Apply(ws); err != nil {
		s.mu.Lock()
		for i := len(changes) - 1; i >= 0; i-- {
			s.tab.restore(changes[i].b, changes[i].prevAt, changes[i].prevOf)
		}
		s.mu.Unlock()
		clear(taken)
		return taken, err
	}
	return taken, nil
}

// merge returns the binding that the partner's record l makes, and false
// when l is refused or changes nothing that matters. mu is held.
func (s *Server) merge(c *compiled, l leasestore.Lease, now time.Time) (*binding, bool) {
	if !c.inPool(l.Addr) && l.State != leasestore.StateDeclined {
		return nil, false
	}
	pe := l.PartnerExpiry
	if pe.IsZero() {
		pe = l.Expiry
	}
	nb := &binding{addr: l.Addr, state: l.State, expiry: l.Expiry, clientID: slices.Clone(l.ClientID),
		mac: net.HardwareAddr(slices.Clone(l.MAC)), hostname: l.Hostname, partnerExpiry: pe, synced: true}
	switch l.State {
	case leasestore.StateBound, leasestore.StateReleased:
		if len(l.ClientID) == 0 && len(l.MAC) == 0 {
			return nil, false
		}
		nb.client, nb.leased = keyOf(l.ClientID, l.MAC), true
	case leasestore.StateDeclined:
	default:
		return nil, false
	}
	cur := s.tab.at(l.Addr)
	switch {
	case cur == nil:
		return nb, true
	case cur.client == nb.client && nb.client != "":
		// What the partner acknowledged only grows for one binding: it
		// may have renewed the client from an earlier, longer one.
		nb.partnerExpiry = later(nb.partnerExpiry, cur.partnerExpiry)
		if nb.state == leasestore.StateBound && cur.state == leasestore.StateBound && cur.expiry.After(nb.expiry) {
			// We extended it further than the partner knows: keep ours,
			// and resend it.
			cur.partnerExpiry = later(cur.partnerExpiry, nb.expiry)
			return nil, false
		}
		return nb, true
	case cur.active(now) && cur.state != leasestore.StateOffered && nb.active(now):
		s.log.Error("failover conflict: the partner bound an address this node holds for another client; keeping ours",
			"addr", l.Addr, "ours", cur.mac.String(), "partner", net.HardwareAddr(l.MAC).String())
		return nil, false
	}
	return nb, true
}

// serves reports whether the server answers client r at now. mu or
// handleMu is held.
func (s *Server) serves(r request, now time.Time) bool {
	if s.fo == nil {
		return true
	}
	b := s.tab.client(r.key)
	held := b != nil && b.state == leasestore.StateBound && b.active(now) && !b.partnerExpiry.IsZero() &&
		!s.mayAllocate(s.scope, b.addr, now)
	return s.fo.Serves(hashKey(r), r.msg.NumSeconds, held, now)
}

// mayAllocate reports whether a may be bound to a client that does not
// hold it. mu is held.
func (s *Server) mayAllocate(c *compiled, a netip.Addr, now time.Time) bool {
	if s.fo == nil || !c.dynamic(a) {
		return true // a reservation has one client: no other can get it
	}
	i, ok := c.pool.indexOf(a)
	return ok && s.fo.MayAllocate(i, c.pool.size, now)
}

// reusable reports whether the free record b may go to client k at now:
// always outside a pair; in a pair, a lease of another client only once
// the partner cannot have extended it any more (rule 1). mu is held.
func (s *Server) reusable(b *binding, k clientKey, now time.Time) bool {
	if s.fo == nil || b == nil || !b.leased || b.client == k {
		return true
	}
	end := b.expiry
	if b.partnerExpiry.After(end) {
		end = b.partnerExpiry // a release the partner has not acknowledged shortens nothing it knows
	}
	return s.fo.Reusable(end, now)
}

// grant returns the expiry of a lease for r on addr that the server would
// give until want, and whether its ACK needs the partner's
// acknowledgement. prev is addr's record, if any. mu is held.
func (s *Server) grant(c *compiled, r request, addr netip.Addr, prev *binding, want, now time.Time) (time.Time, bool) {
	if s.fo == nil {
		return want, false
	}
	var pe time.Time
	if prev != nil && prev.client == r.key {
		pe = prev.partnerExpiry
	}
	owned := s.mayAllocate(c, addr, now)
	return s.fo.Grant(owned, want, pe, now)
}

// Interface returns the interface the server serves.
func (s *Server) Interface() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scope.Interface
}

// PoolSize returns how many dynamic addresses the scope has (the indexes
// a Failover's MayAllocate is asked about).
func (s *Server) PoolSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scope.pool.size
}

// PoolDigest returns a digest of the scope's addresses (its dynamic pool
// as merged ranges, and its reservations) that two nodes of a pair compare
// to see that they share one pool: however the ranges and exclusions were
// written, the same addresses give the same digest.
func (s *Server) PoolDigest() [32]byte {
	s.mu.Lock()
	c := s.scope
	s.mu.Unlock()
	h := sha256.New()
	var cur span
	have := false
	for _, sp := range c.pool.spans {
		if have && sp.lo == cur.hi+1 {
			cur.hi = sp.hi
			continue
		}
		if have {
			fmt.Fprintf(h, "%v-%v\n", addrOf(cur.lo), addrOf(cur.hi))
		}
		cur, have = sp, true
	}
	if have {
		fmt.Fprintf(h, "%v-%v\n", addrOf(cur.lo), addrOf(cur.hi))
	}
	rs := slices.Clone(c.Reservations)
	slices.SortFunc(rs, func(a, b Reservation) int { return a.Addr.Compare(b.Addr) })
	for _, r := range rs {
		fmt.Fprintf(h, "r %v %v %x\n", r.Addr, r.MAC, r.ClientID)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// hashKey is the client's identity as RFC 3074's load-balancing hash takes
// it: its client identifier (option 61) when it sent one, else its chaddr.
// The partner hashes the same bytes.
func hashKey(r request) []byte {
	if len(r.clientID) > 0 {
		return r.clientID
	}
	return r.mac
}

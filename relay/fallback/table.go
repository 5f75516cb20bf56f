package fallback

import (
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/iphelper/iphelper/relay/fallback/leasestore"
)

// binding is the server's record of one address of the scope.
//
//   - bound, offered or declined with a future expiry: the address is held
//     (by client, or by nobody when declined: a quarantine);
//   - anything else (released, or past its expiry): the address is free,
//     and client, when set, is who held it last: that client gets it back.
type binding struct {
	addr     netip.Addr
	state    leasestore.State
	expiry   time.Time
	client   clientKey // "" for a quarantine
	clientID []byte
	mac      net.HardwareAddr
	hostname string
	// leased says the client was ACKed this address (or its record was
	// loaded from the store): it is a known client, spared the offer cap
	// and the reserve, and its address is reused last.
	leased bool
	// partnerExpiry is, in a failover pair, the expiry the partner has
	// acknowledged for this record (zero: none); synced says the partner
	// has this record as it is (docs/failover.md).
	partnerExpiry time.Time
	synced        bool
	// rev is, with a shared store, the store's revision of the record at
	// this address as this node last read or wrote it (0: none); the next
	// write of the address must find it unchanged (docs/cluster.md).
	rev int64
	// class is, for an offer to a client the scope did not know, the
	// limit it was made under, until it is taken or abandoned (newClients).
	class offerClass
}

// active reports whether b holds its address at now.
func (b *binding) active(now time.Time) bool {
	switch b.state {
	case leasestore.StateBound, leasestore.StateOffered, leasestore.StateDeclined:
		return now.Before(b.expiry)
	}
	return false
}

// heldBy reports whether b holds its address for k at now.
func (b *binding) heldBy(k clientKey, now time.Time) bool {
	return b.client == k && b.active(now)
}

// lease returns b as a store record of iface.
func (b *binding) lease(iface string) leasestore.Lease {
	return leasestore.Lease{
		Interface: iface,
		Addr:      b.addr,
		ClientID:  slices.Clone(b.clientID),
		MAC:       slices.Clone(b.mac),
		Hostname:  b.hostname,
		Expiry:    b.expiry,
		State:     b.state,

		PartnerExpiry: b.partnerExpiry,
	}
}

// table holds the bindings: at most one per address of the scope, and each
// client points at most at one of them. Its size is bounded by the scope's
// size. It is not safe for concurrent use (Server.mu guards it).
type table struct {
	byAddr   map[netip.Addr]*binding
	byClient map[clientKey]*binding
	// offers are the offered bindings in the order they were set; some
	// may be stale (taken, withdrawn, replaced or expired): offersBelow
	// drops those. Its length is bounded by twice the table's.
	offers []*binding
	// nc counts the offers to new clients and holds their credit.
	nc newClients
}

func newTable() *table {
	return &table{byAddr: make(map[netip.Addr]*binding), byClient: make(map[clientKey]*binding)}
}

// set stores b, replacing whatever binding its address had, and makes it
// the one binding of b.client: a client holds one address at a time, so its
// previous binding, at another address, is dropped.
func (t *table) set(b *binding) {
	old := t.byAddr[b.addr]
	if old != nil && b.rev == 0 {
		b.rev = old.rev // the stored record it will replace
	}
	if old != nil && old != b {
		t.replaced(old, b)
		if old.client != "" && t.byClient[old.client] == old {
			delete(t.byClient, old.client)
		}
	}
	if b.client != "" {
		if prev := t.byClient[b.client]; prev != nil && prev.addr != b.addr {
			t.replaced(prev, b)
			t.remove(prev.addr)
		}
		t.byClient[b.client] = b
	}
	t.byAddr[b.addr] = b
	if b.state == leasestore.StateOffered {
		if len(t.offers) == cap(t.offers) {
			t.pruneOffers(time.Time{})
		}
		t.offers = append(t.offers, b)
	}
}

// replaced settles old, an offer to a new client that b replaces: taken
// when b binds old's client, passed on to b when b renews that client's
// offer, abandoned otherwise.
func (t *table) replaced(old, b *binding) {
	if old.class == offerSettled || old.state != leasestore.StateOffered {
		return
	}
	switch {
	case b.client == old.client && b.state == leasestore.StateOffered:
		if b.class == offerSettled {
			b.class = old.class
		}
		old.class = offerSettled
	default:
		t.nc.settle(old, b.client == old.client && b.state == leasestore.StateBound)
	}
}

// offersBelow reports whether fewer than n offers are outstanding at now.
// It costs nothing while fewer than n were made since the last count, and
// a pass over the offers otherwise.
func (t *table) offersBelow(n int, now time.Time) bool {
	if len(t.offers) < n {
		return true
	}
	t.pruneOffers(now)
	return len(t.offers) < n
}

// pruneOffers drops the offers that no longer hold their address: replaced
// or removed, no longer offered, or (when now is set) expired at now.
func (t *table) pruneOffers(now time.Time) {
	kept := t.offers[:0]
	for _, b := range t.offers {
		if t.byAddr[b.addr] != b || b.state != leasestore.StateOffered {
			continue
		}
		if now.IsZero() || b.active(now) {
			kept = append(kept, b)
			continue
		}
		t.nc.settle(b, false) // expired untaken
	}
	clear(t.offers[len(kept):])
	t.offers = kept
}

// withdrawOldestNew ends the oldest outstanding offer to a client that
// never held a lease here, and reports whether there was one. The address
// becomes free (remembered as released): if that client REQUESTs it after
// all, it gets it while it is still free.
func (t *table) withdrawOldestNew(now time.Time) bool {
	t.pruneOffers(now)
	for _, b := range t.offers {
		if !b.leased {
			t.nc.settle(b, false)
			b.state = leasestore.StateReleased
			t.pruneOffers(time.Time{})
			return true
		}
	}
	return false
}

// client returns k's binding, or nil.
func (t *table) client(k clientKey) *binding { return t.byClient[k] }

// at returns the binding of addr, or nil.
func (t *table) at(addr netip.Addr) *binding { return t.byAddr[addr] }

// restore undoes set(b), when b is still set: prevAt (the binding b
// replaced at its address) and prevOf (b's client's binding before) come
// back. It is how a lease whose write failed is forgotten.
func (t *table) restore(b, prevAt, prevOf *binding) {
	if t.byAddr[b.addr] != b {
		return
	}
	t.remove(b.addr)
	if prevOf != nil && prevOf != prevAt && t.byAddr[prevOf.addr] == nil {
		t.set(prevOf)
	}
	if prevAt != nil {
		t.set(prevAt)
	}
}

// remove forgets addr altogether.
func (t *table) remove(addr netip.Addr) {
	b := t.byAddr[addr]
	if b == nil {
		return
	}
	if b.client != "" && t.byClient[b.client] == b {
		delete(t.byClient, b.client)
	}
	delete(t.byAddr, addr)
}

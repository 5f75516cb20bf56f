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
	}
}

// table holds the bindings: at most one per address of the scope, and each
// client points at most at one of them. Its size is bounded by the scope's
// size. It is not safe for concurrent use (Server.mu guards it).
type table struct {
	byAddr   map[netip.Addr]*binding
	byClient map[clientKey]*binding
}

func newTable() *table {
	return &table{byAddr: make(map[netip.Addr]*binding), byClient: make(map[clientKey]*binding)}
}

// set stores b, replacing whatever binding its address had, and makes it
// the one binding of b.client: a client holds one address at a time, so its
// previous binding, at another address, is dropped.
func (t *table) set(b *binding) {
	if old := t.byAddr[b.addr]; old != nil && old.client != "" && t.byClient[old.client] == old {
		delete(t.byClient, old.client)
	}
	if b.client != "" {
		if prev := t.byClient[b.client]; prev != nil && prev.addr != b.addr {
			t.remove(prev.addr)
		}
		t.byClient[b.client] = b
	}
	t.byAddr[b.addr] = b
}

// client returns k's binding, or nil.
func (t *table) client(k clientKey) *binding { return t.byClient[k] }

// at returns the binding of addr, or nil.
func (t *table) at(addr netip.Addr) *binding { return t.byAddr[addr] }

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

package leasestore

import (
	"fmt"
	"net/netip"
)

// Store persists the fallback server's address records, per interface.
//
// Implementations must be safe for concurrent use. Put and Delete are durable
// when they return nil: the record survives a crash of the process or of the
// machine.
type Store interface {
	// Load returns every record of iface, in address order; none (and a nil
	// error) for an interface the store has never seen. When some records
	// do not decode, Load returns the others together with an error wrapping
	// ErrCorruptRecord; any other error means nothing could be read.
	Load(iface string) ([]Lease, error)
	// Put writes l under (l.Interface, l.Addr), replacing any record there.
	Put(l Lease) error
	// Delete removes the record of addr on iface; deleting a record that
	// does not exist is not an error.
	Delete(iface string, addr netip.Addr) error
	// Apply makes every write of ws, in order, in one durable transaction:
	// all of them or, when it returns an error, none. It is how a server
	// commits a group of leases with one flush to disk.
	Apply(ws []Write) error
	// GetMeta returns the value stored under key by PutMeta, or nil (and a
	// nil error) when there is none. Metadata is the store's small state
	// beside the records, such as a failover pair's state.
	GetMeta(key string) ([]byte, error)
	// PutMeta durably stores value under key.
	PutMeta(key string, value []byte) error
	// Close releases the store. Calls after Close fail with ErrClosed;
	// Close itself is idempotent.
	Close() error
}

// A Write is one change of a batch handed to Store.Apply: Lease replaces the
// record at (Lease.Interface, Lease.Addr), or, when Delete is set, that
// record is removed (then only Interface and Addr are read).
//
// Expect matters to a shared store (EtcdStore) only: it is the revision
// (Lease.Rev) of the record the write replaces, as the writer last read it,
// 0 for none; the store refuses the write when the record changed since
// (ConflictError), so that two nodes never both bind one address. Other
// stores ignore it.
type Write struct {
	Lease  Lease
	Delete bool
	Expect int64
}

// PutWrite returns the Write that stores l.
func PutWrite(l Lease) Write { return Write{Lease: l} }

// DeleteWrite returns the Write that removes the record of addr on iface.
func DeleteWrite(iface string, addr netip.Addr) Write {
	return Write{Lease: Lease{Interface: iface, Addr: addr}, Delete: true}
}

// check validates w before any of its batch is written.
func (w Write) check() error {
	if w.Delete {
		if !w.Lease.Addr.Is4() {
			return fmt.Errorf("%w: address %v is not IPv4", ErrInvalidLease, w.Lease.Addr)
		}
		return nil
	}
	return checkLease(w.Lease)
}

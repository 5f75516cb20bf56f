package leasestore

import "net/netip"

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
	// Close releases the store. Calls after Close fail with ErrClosed;
	// Close itself is idempotent.
	Close() error
}

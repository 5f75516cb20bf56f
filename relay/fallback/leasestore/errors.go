package leasestore

import "errors"

// Sentinel errors; branch on them with errors.Is.
var (
	// ErrLocked: another process (or another open in this one) holds the
	// lease database's file lock, and OpenBolt's timeout ran out.
	ErrLocked = errors.New("another process holds the lease database")
	// ErrCorruptRecord: a stored record does not decode; Load skips it.
	ErrCorruptRecord = errors.New("corrupt lease record")
	// ErrInvalidLease: a Lease handed to Put has no interface, a non-IPv4
	// address or an unknown state.
	ErrInvalidLease = errors.New("invalid lease")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("lease store closed")
)

package leasestore

import (
	"errors"
	"fmt"
)

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

// ErrConflict: another node of a shared store wrote a record after this
// node last read it, so a write of the batch would overwrite a lease this
// node does not know of; a ConflictError says which.
var ErrConflict = errors.New("lease record changed on another node")

// ErrUnavailable: a shared store could not reach a quorum of its members
// in time; nothing of the batch was written.
var ErrUnavailable = errors.New("lease store has no quorum")

// ConflictError is returned by a shared store's Apply when some writes of
// the batch conflict; none of the batch was written. Index holds the
// positions, in the batch, of the conflicting writes; the others may be
// applied again without them.
type ConflictError struct {
	Index []int
}

// Error implements error.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d writes of the batch conflict: %v", len(e.Index), ErrConflict)
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }
